import { describe, expect, it } from 'vitest';
import { containmentChecklist, type CheckItem } from '../../src/report/checklist.js';
import type { ReportModel } from '../../src/report/model.js';
import { cleanModel, incidentModel } from '../fixtures/report-model.js';

function item(model: ReportModel, id: CheckItem['id']): CheckItem {
  const found = containmentChecklist(model).find((c) => c.id === id);
  if (!found) throw new Error(`no checklist item ${id}`);
  return found;
}

/** The incident as it would look had the team also revoked trust in the key before it was reused. */
function containedIncident(): ReportModel {
  const m = incidentModel();
  const reuse = m.signed.find((s) => s.integrated_time === '2025-03-05T14:22:07Z')!;
  return {
    ...m,
    window: { ...m.window, open: false, last_use: '2025-03-04T02:31:05Z' },
    signed: m.signed.filter((s) => s !== reuse),
    findings: m.findings.filter((f) => f.rule !== 'USE_AFTER_CONTAINMENT'),
    distrust: { digests: m.distrust.digests.filter((d) => d !== reuse.artifact_digest) },
    access: m.access.map((a) => (a.identity.endsWith('user/ci-legacy') ? { ...a, last_seen: '2025-03-04T02:17:33Z' } : a)),
  };
}

/** Only what the transparency log shows: no management-plane or audit events at all. */
function tlogOnly(model: ReportModel): ReportModel {
  return {
    ...model,
    timeline: model.timeline.filter((t) => t.source === 'sigstore.rekor'),
    access: [],
    lateral: [],
    custody: { ...model.custody, files: model.custody.files.filter((f) => f.adapter === 'rekor') },
  };
}

describe('the containment checklist', () => {
  it('has the six items, in order, each with a rule', () => {
    const list = containmentChecklist(incidentModel());
    expect(list.map((c) => c.id)).toEqual(['revoke', 'rotate', 'review-access', 'rebuild-trust', 'unauthorised-signing', 'lateral-use']);
    for (const c of list) expect(c.rule.length).toBeGreaterThan(80);
  });

  describe('revoke', () => {
    it('is not done when the key was used after containment, citing the use', () => {
      const c = item(incidentModel(), 'revoke');
      expect(c.status).toBe('not_done');
      expect(c.detail).toContain('used after that');
      expect(c.evidence).toContainEqual({ file: 'evidence/rekor/ledger-cosign-entries-2025-03.ndjson', record_no: 44 });
    });
    it('is done when contained and not used since', () => {
      const c = item(containedIncident(), 'revoke');
      expect(c.status).toBe('done');
      expect(c.evidence.length).toBe(2);
    });
    it('is not done when no containment exists although management events were logged', () => {
      expect(item(cleanModel(), 'revoke').status).toBe('not_done');
    });
    it('is unknown when no management event was ingested', () => {
      expect(item(tlogOnly(cleanModel()), 'revoke').status).toBe('unknown');
    });
  });

  describe('rotate', () => {
    it('is not done when the old key still signed after the secret was replaced', () => {
      const c = item(incidentModel(), 'rotate');
      expect(c.status).toBe('not_done');
      expect(c.detail).toContain('1 signature with the old key fingerprint followed');
    });
    it('is done when new key material came after the first evidence and the old key fell silent', () => {
      expect(item(containedIncident(), 'rotate').status).toBe('done');
    });
    it('does not count a change to another secret (lateral activity) as rotation', () => {
      const m = containedIncident();
      const onOther = {
        ...m,
        timeline: m.timeline
          .filter((t) => !['ci.secret_change', 'secret.rotate'].includes(t.action) || t.ts! < '2025-03-04')
          .concat({ ts: '2025-03-05T12:00:00Z', source: 'aws.cloudtrail', action: 'secret.rotate', actor: 'x', target: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-password-Hk2Pw7', summary: 'RotateSecret', file: 'f', record_no: 1 }),
      };
      expect(item(onOther, 'rotate').status).toBe('not_done');
    });
    it('is unknown when no management event was ingested', () => {
      expect(item(tlogOnly(incidentModel()), 'rotate').status).toBe('unknown');
    });
  });

  describe('review-access', () => {
    it('is not done while an unexpected identity had access after containment', () => {
      const c = item(incidentModel(), 'review-access');
      expect(c.status).toBe('not_done');
      expect(c.detail).toContain('user/ci-legacy');
    });
    it('is done when every unexpected identity stopped before containment (and the unconfirmed one is confirmed)', () => {
      const m = containedIncident();
      const confirmed = { ...m, access: m.access.map((a) => (a.expected === null ? { ...a, expected: true } : a)) };
      const c = item(confirmed, 'review-access');
      expect(c.status).toBe('done');
      expect(c.detail).toContain('2 unexpected identities last touched the key before containment');
    });
    it('is done when everyone with access is an expected signer', () => {
      expect(item(cleanModel(), 'review-access').status).toBe('done');
    });
    it('is unknown without access records', () => {
      expect(item(tlogOnly(incidentModel()), 'review-access').status).toBe('unknown');
    });
  });

  describe('rebuild-trust', () => {
    it('is not done while the window is open', () => {
      expect(item(incidentModel(), 'rebuild-trust').status).toBe('not_done');
    });
    it('is not done when an unattested signature is missing from the distrust list', () => {
      const m = containedIncident();
      const c = item({ ...m, distrust: { digests: m.distrust.digests.slice(1) } }, 'rebuild-trust');
      expect(c.status).toBe('not_done');
      expect(c.detail).toContain('missing from the distrust list');
    });
    it('is unknown once contained: consumers must act, which no log shows', () => {
      expect(item(containedIncident(), 'rebuild-trust').status).toBe('unknown');
    });
    it('is done when nothing needs distrust', () => {
      expect(item(cleanModel(), 'rebuild-trust').status).toBe('done');
    });
  });

  describe('unauthorised-signing', () => {
    it('is not done with unattested or anomalous signatures, counting both', () => {
      const c = item(incidentModel(), 'unauthorised-signing');
      expect(c.status).toBe('not_done');
      expect(c.detail).toBe('4 signatures not attested (3 anomalous, 1 unattested) of 44.');
      expect(c.evidence).toHaveLength(4);
    });
    it('is done when every signature is attested and every entry verified', () => {
      expect(item(cleanModel(), 'unauthorised-signing').status).toBe('done');
    });
    it('is unknown when an entry failed proof verification', () => {
      const m = cleanModel();
      const c = item({ ...m, custody: { ...m.custody, tlog: [...m.custody.tlog, { status: 'failed', count: 2 }] } }, 'unauthorised-signing');
      expect(c.status).toBe('unknown');
      expect(c.detail).toContain('2 transparency-log entries failed');
    });
    it('is unknown when no transparency-log entry was ingested', () => {
      const m = cleanModel();
      expect(item({ ...m, custody: { ...m.custody, tlog: [] } }, 'unauthorised-signing').status).toBe('unknown');
    });
  });

  describe('lateral-use', () => {
    it('is not done when the suspicious actor went elsewhere', () => {
      const c = item(incidentModel(), 'lateral-use');
      expect(c.status).toBe('not_done');
      expect(c.detail).toContain('5 actions');
    });
    it('is done when audit logs were searched and nothing was found', () => {
      expect(item(cleanModel(), 'lateral-use').status).toBe('done');
    });
    it('is unknown when only transparency-log entries were ingested', () => {
      expect(item(tlogOnly(cleanModel()), 'lateral-use').status).toBe('unknown');
    });
  });
});
