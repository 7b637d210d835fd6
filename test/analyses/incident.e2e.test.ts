/**
 * End to end over a multi-source incident (CloudTrail ingested for real; GitHub audit, Actions
 * jobs, Rekor and Vault as canonical rows): the exact window, every verdict, every finding.
 * See test/fixtures/incident.ts for the story.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Investigation } from '../../src/analyses/investigate.js';
import type { InvestigationResult } from '../../src/analyses/types.js';
import { parseCaseDocument } from '../../src/case/spec.js';
import { ADMIN_ROLE, ATTACKER_IP, buildLedgerIncident, CASE, DEPLOY_BOT, SYNC_ROLE, t, type Incident } from '../fixtures/incident.js';
import { ids } from './helpers.js';

let inc: Incident;
let r: InvestigationResult;
/** event_uid of the CloudTrail record with this operation and time. */
let ct: (native: string, ts: string) => Promise<string>;

beforeAll(async () => {
  inc = await buildLedgerIncident();
  r = await new Investigation(inc.store, parseCaseDocument(CASE)).all();
  ct = async (native, ts) => {
    const row = await inc.store.one<{ event_uid: string }>('SELECT event_uid FROM events WHERE native_action = $1 AND ts = CAST($2 AS TIMESTAMPTZ)', [native, ts]);
    if (!row) throw new Error(`no ${native} at ${ts}`);
    return row.event_uid;
  };
});
afterAll(() => inc.store.close());

describe('the exposure window', () => {
  it('runs from the secret\'s creation to the revocation of its last alias, and stays open because the key signed after it', async () => {
    const createSecret = await ct('secretsmanager:CreateSecret', t(-400, '10:00'));
    const putSecret = await ct('secretsmanager:PutSecretValue', t(0, '15:32'));
    expect(r.window).toMatchObject({
      key: CASE.keys, name: 'ledger release key leak',
      earliest_possible: '2024-02-04T10:00:00Z', first_evidence: '2025-03-10T12:40:00Z', contained_at: '2025-03-10T20:15:00Z',
      last_use: '2025-03-10T21:00:00Z', open: true,
    });
    expect(r.window.evidence.map((e) => [e.bound, e.ts, e.source, e.ref, e.alias ?? null])).toEqual([
      ['earliest_possible', '2024-02-04T10:00:00Z', 'aws.cloudtrail', `events:${createSecret}`, null],
      // The attacker's job was handed the secret at 14:02, after the first use (a refused Vault read).
      ['first_exposure', '2025-03-10T14:02:00Z', 'github', `ci_runs:${inc.uid.attackerJob}`, null],
      ['first_evidence', '2025-03-10T12:40:00Z', 'vault.audit', `events:${inc.uid.vaultDenied}`, null],
      ['contained_at', '2025-03-10T15:30:00Z', 'github.audit', `events:${inc.uid.ciSecretChange}`, 'COSIGN_KEY'],
      ['contained_at', '2025-03-10T15:32:00Z', 'aws.cloudtrail', `events:${putSecret}`, 'release/cosign-key'],
      ['contained_at', '2025-03-10T20:15:00Z', 'vault.audit', `events:${inc.uid.vaultWrite}`, 'kv/release/cosign'],
      ['last_use', '2025-03-10T21:00:00Z', 'rekor', `signatures:${inc.sig.attack3}`, null],
      ['open', '2025-03-10T21:00:00Z', 'rekor', `signatures:${inc.sig.attack3}`, null],
    ]);
    const first = r.window.evidence[0];
    expect(first.file).toMatch(/111122223333_CloudTrail_us-east-1_20250310T0000Z_history\.json\.gz$/);
    expect(first.record_no).toBe(1);
    expect(r.window.evidence[2].summary).toBe('SIGN_DENIED: 1 denied attempt on kv/release/cosign by approle/ci-readonly from 203.0.113.50 (read kv/data/release/cosign: permission denied)');
    expect(r.window.evidence[3].summary).toBe('repo.update_actions_secret on COSIGN_KEY by alice-admin');
    expect(r.window.evidence[5].summary).toBe('update kv/data/release/cosign on kv/release/cosign by userpass/alice');
  });

  it('resolved every alias of the key in the store', () => {
    expect(r.window.aliases).toEqual([
      { kind: 'fingerprint', value: CASE.keys[0].slice(3) },
      { kind: 'secret', value: 'COSIGN_KEY' },
      { kind: 'secret', value: 'kv/release/cosign' },
      { kind: 'secret', value: 'release/cosign-key' },
    ]);
  });
});

describe('every signature on the key has a verdict', () => {
  it('22 releases attested; unattested the one from before the CI logs and the attacker\'s two without a build; anomalous the one after containment', () => {
    const by = (uuid: string) => r.signed.find((s) => s.entry_uuid === uuid)!;
    expect(r.signed).toHaveLength(26);
    for (const u of [...inc.sig.ledger, ...inc.sig.cli]) expect(by(u).verdict, u).toBe('attested');
    expect(by(inc.sig.early)).toMatchObject({ verdict: 'unattested', rules: [] });
    expect(by(inc.sig.early).reasons).toEqual([
      'no CI job that was passed COSIGN_KEY was running at 2025-01-19T09:00:00Z',
      'no CI records cover 2025-01-19T09:00:00Z: cannot tell which build signed',
    ]);
    expect(by(inc.sig.attack1)).toMatchObject({ verdict: 'unattested', rules: ['SIGNED_WITHOUT_BUILD'], signer: null, mode: 'ci_key' });
    expect(by(inc.sig.attack2)).toMatchObject({ verdict: 'unattested', rules: ['SIGNED_WITHOUT_BUILD'] });
    expect(by(inc.sig.attack3)).toMatchObject({ verdict: 'anomalous', rules: ['SIGNED_WITHOUT_BUILD', 'USE_AFTER_CONTAINMENT'] });
    expect(by(inc.sig.ledger[0])).toMatchObject({ signer: 'acme/ledger/.github/workflows/release.yml', run_id: '5000' });
    expect(by(inc.sig.cli[0]).reasons).toEqual([
      'job release of acme/ledger-cli/.github/workflows/release.yml on refs/tags/cli-v0.0 (run 6000) was passed COSIGN_KEY and ran 2025-01-25T11:00:00Z to 2025-01-25T11:10:00Z',
    ]);
    expect(by(inc.sig.attack2).subjects).toEqual([{ name: 'ledger-2.0.0.tgz', digest: { sha256: inc.digests.attack2Subject } }]);
  });

  it('distrust lists the unattested and anomalous digests, in-toto subjects included', () => {
    expect(r.distrust.digests).toEqual([
      inc.digests.early, inc.digests.attack1, inc.digests.attack2Payload, inc.digests.attack2Subject, inc.digests.attack3,
    ].map((d) => `sha256:${d}`).sort());
  });
});

describe('every finding', () => {
  it('is exactly these, in time order, with their evidence', async () => {
    const createSecret = await ct('secretsmanager:CreateSecret', t(-400, '10:00'));
    const botRead = await ct('secretsmanager:GetSecretValue', t(0, '14:30'));
    const dbRead = await ct('secretsmanager:GetSecretValue', t(0, '14:31'));
    const newKey = await ct('iam:CreateAccessKey', t(0, '14:33'));
    const stripe = await ct('secretsmanager:GetSecretValue', t(0, '18:05'));
    const refused = await ct('secretsmanager:GetSecretValue', t(0, '20:40'));
    const putSecret = await ct('secretsmanager:PutSecretValue', t(0, '15:32'));
    const firstJobs = await inc.store.all<{ ci_uid: string }>(
      "SELECT ci_uid FROM ci_runs WHERE run_id IN ('5000', '6000') ORDER BY started_at",
    );
    expect(r.findings.map((f) => [f.ts, f.rule, f.severity, f.actor, ids(f)])).toEqual([
      ['2025-01-25T11:00:00Z', 'KEY_SHARED_ACROSS_REPOS', 'medium', 'release-bot', firstJobs.map((j) => j.ci_uid)],
      ['2025-02-03T10:00:00Z', 'LONG_LIVED_KEY', 'low', 'arn:aws:iam::111122223333:user/alice', [createSecret]],
      ['2025-03-10T12:40:00Z', 'LOGGING_GAP', 'medium', 'vault.audit', [inc.uid.lastVaultBeforeGap, inc.uid.firstVaultAfterGap]],
      ['2025-03-10T12:40:00Z', 'SIGN_DENIED', 'medium', 'approle/ci-readonly', [inc.uid.vaultDenied]],
      ['2025-03-10T14:02:00Z', 'SECRET_TO_UNEXPECTED_JOB', 'high', 'mallory-dev', [inc.uid.attackerJob, inc.uid.attackerJobEvent]],
      ['2025-03-10T14:02:00Z', 'UNEXPECTED_REF', 'high', 'mallory-dev', [inc.uid.attackerJob]],
      ['2025-03-10T14:02:00Z', 'UNKNOWN_SIGNER', 'high', 'mallory-dev', [inc.uid.attackerJob]],
      ['2025-03-10T14:20:00Z', 'SIGNED_WITHOUT_BUILD', 'critical', '(unknown signer)', [inc.sig.attack1]],
      ['2025-03-10T14:30:00Z', 'UNKNOWN_SIGNER', 'high', DEPLOY_BOT, [botRead]],
      ['2025-03-10T14:30:00Z', 'UNEXPECTED_SOURCE_IP', 'medium', DEPLOY_BOT, [botRead]],
      ['2025-03-10T14:31:00Z', 'LATERAL_SECRET_READ', 'high', DEPLOY_BOT, [dbRead]],
      ['2025-03-10T14:33:00Z', 'NEW_CREDENTIAL', 'high', DEPLOY_BOT, [newKey]],
      ['2025-03-10T16:10:00Z', 'SIGNED_WITHOUT_BUILD', 'critical', '(unknown signer)', [inc.sig.attack2]],
      ['2025-03-10T18:05:00Z', 'LATERAL_SECRET_READ', 'high', ADMIN_ROLE, [stripe]],
      ['2025-03-10T20:40:00Z', 'USE_AFTER_CONTAINMENT', 'critical', DEPLOY_BOT, [refused, putSecret]],
      ['2025-03-10T20:40:00Z', 'SIGN_DENIED', 'medium', DEPLOY_BOT, [refused]],
      ['2025-03-10T21:00:00Z', 'SIGNED_WITHOUT_BUILD', 'critical', '(unknown signer)', [inc.sig.attack3]],
      ['2025-03-10T21:00:00Z', 'USE_AFTER_CONTAINMENT', 'critical', '(unknown signer)', [inc.sig.attack3, inc.uid.vaultWrite]],
    ]);
  });

  it('says what happened in each summary', () => {
    const s = r.findings.map((f) => f.summary);
    expect(s).toEqual([
      'the key is used by 2 repositories: acme/ledger, acme/ledger-cli',
      'the key material created by secretsmanager:CreateSecret on release/cosign-key at 2024-02-04T10:00:00Z was still in use at 2025-03-10T14:30:00Z: 400 days without rotation, over the 365-day limit',
      'vault.audit reported nothing from 2025-03-10T12:40:00Z to 2025-03-10T20:00:00Z (about 7 h; in the 30 days before, 95% of its silences were under 1 h)',
      '1 denied attempt on kv/release/cosign by approle/ci-readonly from 203.0.113.50 (read kv/data/release/cosign: permission denied)',
      'COSIGN_KEY passed to acme/ledger/.github/workflows/ci.yml (run 9001, ref refs/heads/feature-x), which is not an expected signing workflow',
      'job passed the key\'s secret on ref refs/heads/feature-x (run 9001) (not an expected ref, and not seen on this key in the 30 days before)',
      'new runner type self-hosted ran a job that was passed the key\'s secret (not expected, and not seen on this key in the 30 days before)',
      `hashedrekord sha256:${inc.digests.attack1} (log index ${r.signed.find((x) => x.entry_uuid === inc.sig.attack1)!.log_index}) signed without a sanctioned build: no CI job that was passed COSIGN_KEY was running at 2025-03-10T14:20:00Z`,
      `new principal ${DEPLOY_BOT} read the key's secret (not expected, and not seen on this key in the 30 days before)`,
      `new client boto3, new source address ${ATTACKER_IP}: read the key's secret by ${DEPLOY_BOT} (not seen on this key in the 30 days before)`,
      `${DEPLOY_BOT} read secret prod/db-password (1 time; reached through address ${ATTACKER_IP}, credential AKIADEPLOYBOT0000001, principal ${DEPLOY_BOT})`,
      `${DEPLOY_BOT} created credential AKIABACKUPADMIN00001 for backup-admin with iam:CreateAccessKey (reached through address ${ATTACKER_IP}, credential AKIADEPLOYBOT0000001, principal ${DEPLOY_BOT})`,
      expect.stringMatching(/^dsse sha256:[0-9a-f]{64} \(log index \d+\) signed without a sanctioned build: no CI job that was passed COSIGN_KEY was running at 2025-03-10T16:10:00Z$/),
      `${ADMIN_ROLE} read secret prod/stripe-key (1 time; reached through credential ASIAADMINSESSION0001)`,
      `denied secretsmanager:GetSecretValue on release/cosign-key by ${DEPLOY_BOT} from ${ATTACKER_IP} at 2025-03-10T20:40:00Z, after secretsmanager:PutSecretValue at 2025-03-10T15:32:00Z`,
      `1 denied attempt on release/cosign-key by ${DEPLOY_BOT} from ${ATTACKER_IP} (secretsmanager:GetSecretValue: AccessDeniedException)`,
      expect.stringMatching(/^hashedrekord sha256:[0-9a-f]{64} \(log index \d+\) signed without a sanctioned build: no CI job that was passed COSIGN_KEY was running at 2025-03-10T21:00:00Z$/),
      expect.stringMatching(/^signature sha256:[0-9a-f]{64} \(log index \d+\) with the key's fingerprint integrated at 2025-03-10T21:00:00Z, after containment at 2025-03-10T20:15:00Z$/),
    ]);
  });

  it('maps each to ATT&CK and OWASP NHI, and gives each a distinct fingerprint that a second run reproduces', async () => {
    const uac = r.findings.find((f) => f.rule === 'USE_AFTER_CONTAINMENT')!;
    expect(uac.mitre).toEqual(['T1553.002', 'T1078']);
    expect(uac.owasp_nhi).toEqual(['NHI1:2025']);
    expect(new Set(r.findings.map((f) => f.fingerprint)).size).toBe(r.findings.length);
    const again = await buildLedgerIncident();
    try {
      const r2 = await new Investigation(again.store, parseCaseDocument(CASE)).findings();
      expect(r2.map((f) => f.fingerprint)).toEqual(r.findings.map((f) => f.fingerprint));
    } finally {
      again.store.close();
    }
  });
});

describe('lateral, access and timeline', () => {
  it('lateral follows the attacker through the new access key and the role it assumed', () => {
    expect(r.lateral.map((l) => [l.ts, l.pivot_kind, l.pivot, l.action, l.target])).toEqual([
      ['2025-03-10T14:31:00Z', 'address', ATTACKER_IP, 'secret.read', 'prod/db-password'],
      ['2025-03-10T14:31:00Z', 'credential', 'AKIADEPLOYBOT0000001', 'secret.read', 'prod/db-password'],
      ['2025-03-10T14:31:00Z', 'principal', DEPLOY_BOT, 'secret.read', 'prod/db-password'],
      ['2025-03-10T14:33:00Z', 'address', ATTACKER_IP, 'credential.create', 'backup-admin'],
      ['2025-03-10T14:33:00Z', 'credential', 'AKIADEPLOYBOT0000001', 'credential.create', 'backup-admin'],
      ['2025-03-10T14:33:00Z', 'principal', DEPLOY_BOT, 'credential.create', 'backup-admin'],
      ['2025-03-10T18:00:00Z', 'credential', 'AKIABACKUPADMIN00001', 'credential.assume', ADMIN_ROLE],
      ['2025-03-10T18:05:00Z', 'credential', 'ASIAADMINSESSION0001', 'secret.read', 'prod/stripe-key'],
    ]);
  });

  it('access lists who read, was passed or used the key, and whether the case expects them', () => {
    const row = (kind: string, who: string) => r.access.find((a) => a.kind === kind && a.who === who);
    expect(row('principal', SYNC_ROLE)).toMatchObject({ expected: true, count: 46, failed: 0, sources: ['aws.cloudtrail'] });
    expect(row('principal', DEPLOY_BOT)).toMatchObject({ expected: false, count: 2, failed: 1, first_seen: '2025-03-10T14:30:00Z' });
    expect(row('principal', 'approle/ci-readonly')).toMatchObject({ expected: false, failed: 1 });
    expect(row('workflow', 'acme/ledger/.github/workflows/ci.yml')).toMatchObject({ expected: false, count: 1, actions: ['passed COSIGN_KEY'] });
    expect(row('workflow', 'acme/ledger/.github/workflows/release.yml')).toMatchObject({ expected: true, count: 15 });
    expect(row('credential', 'AKIADEPLOYBOT0000001')).toMatchObject({ actions: ['secretsmanager:GetSecretValue'] });
    expect(r.access.some((a) => a.kind === 'credential' && a.who.startsWith('ASIA'))).toBe(false);
  });

  it('the timeline merges every source in time order, from the window start, citing its evidence and rules', () => {
    const ts = r.timeline.map((x) => x.ts!);
    expect([...ts].sort()).toEqual(ts);
    expect(ts[0]).toBe('2024-02-04T10:00:00Z');
    expect(new Set(r.timeline.map((x) => x.source))).toEqual(new Set(['aws.cloudtrail', 'github.audit', 'github', 'rekor', 'vault.audit']));
    const sig = r.timeline.find((x) => x.ref === `signatures:${inc.sig.attack1}`)!;
    expect(sig).toMatchObject({ action: 'signature', rules: ['SIGNED_WITHOUT_BUILD'], file: 'fixture://rekor.ndjson' });
    expect(r.timeline.find((x) => x.target === 'prod/stripe-key')).toMatchObject({ detail: 'via credential ASIAADMINSESSION0001', rules: ['LATERAL_SECRET_READ'] });
    expect(r.timeline.filter((x) => x.source === 'vault.audit' && x.action === 'auth.login')).toEqual([]);
  });
});
