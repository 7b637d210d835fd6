/**
 * The one place where the analyses' result becomes the report's model. The analyses keep their
 * stable JSON shapes; the report adds the record pointers and case details a postmortem needs.
 */
import type { Evidence } from '../analyses/evidence.js';
import type { InvestigationResult } from '../analyses/types.js';
import type { CaseSpec } from '../case/spec.js';
import type { Store } from '../store/database.js';
import type { Plain } from '../store/values.js';
import { readCustody } from './custody.js';
import type { AccessRow, ExpectedKind, FindingEvidence, ReportModel, Subject } from './model.js';

const EXPECT_KIND: Readonly<Record<string, ExpectedKind>> = {
  workflows: 'workflow', refs: 'ref', identities: 'identity', issuers: 'issuer', principals: 'principal',
};

/** The access kinds of the analyses, in the report's vocabulary (keyless identities are workflows). */
const ACCESS_KIND: Readonly<Record<string, AccessRow['kind']>> = {
  principal: 'principal', credential: 'principal', workflow: 'workflow', identity: 'workflow',
};

function subjects(v: Plain): Subject[] {
  if (!Array.isArray(v)) return [];
  return v.map((s) => {
    const o = (s && typeof s === 'object' && !Array.isArray(s) ? s : {}) as Record<string, Plain>;
    const name = typeof o.name === 'string' ? o.name : null;
    const d = o.digest;
    const digest = typeof d === 'string' ? d
      : d && typeof d === 'object' && !Array.isArray(d) && typeof d.sha256 === 'string' ? `sha256:${d.sha256}` : null;
    return { name, digest };
  });
}

function evidence(e: Evidence): FindingEvidence {
  const table = (e.table === 'signatures' || e.table === 'ci_runs' ? e.table : 'events');
  return { table, id: e.event_uid ?? e.entry_uuid ?? e.ci_uid ?? '', file: e.file, record_no: e.record_no };
}

export async function reportModel(store: Store, spec: CaseSpec, result: InvestigationResult, baselineDays: number): Promise<ReportModel> {
  const w = result.window;
  return {
    generated_at: new Date().toISOString(),
    case: {
      name: spec.name ?? w.name,
      keys: spec.keys.map((k) => k.text),
      aliases: w.aliases.map((a) => `${a.kind}:${a.value}`),
      expected: w.expected.map((e) => ({ kind: EXPECT_KIND[e.kind] ?? 'principal', value: e.value, inferred: e.inferred })),
      baseline_days: baselineDays,
    },
    window: {
      key: w.key,
      earliest_possible: w.earliest_possible,
      first_evidence: w.first_evidence,
      contained_at: w.contained_at,
      last_use: w.last_use,
      open: w.open,
      evidence: w.evidence.map((e) => ({ bound: e.bound, ts: e.ts, source: e.source, ref: e.ref, summary: e.summary, file: e.file, record_no: e.record_no })),
    },
    signed: result.signed.map((s) => ({
      log_index: s.log_index, entry_uuid: s.entry_uuid, integrated_time: s.integrated_time, artifact_digest: s.artifact_digest,
      subjects: subjects(s.subjects), signer: s.signer, key_fingerprint: s.key_fingerprint, run_id: s.run_id,
      verdict: s.verdict, reasons: s.reasons, file: s.file, record_no: s.record_no,
    })),
    findings: result.findings.map((f) => ({
      rule: f.rule, severity: f.severity, ts: f.ts, actor: f.actor, summary: f.summary,
      evidence: f.evidence.map(evidence), mitre: f.mitre, owasp_nhi: f.owasp_nhi,
    })),
    lateral: result.lateral.map((l) => ({
      pivot: l.pivot, pivot_kind: l.pivot_kind, ts: l.ts, source: l.source, action: l.action, target: l.target, actor: l.actor,
      file: l.file, record_no: l.record_no,
    })),
    access: result.access.map((a) => ({
      identity: a.who, kind: ACCESS_KIND[a.kind] ?? 'principal', access: a.actions, first_seen: a.first_seen, last_seen: a.last_seen,
      count: a.count, expected: a.expected, file: null, record_no: null,
    })),
    timeline: result.timeline.map((t) => ({
      ts: t.ts, source: t.source, action: t.action, actor: t.actor, target: t.target, summary: t.detail, file: t.file, record_no: t.record_no,
    })),
    distrust: { digests: result.distrust.digests },
    custody: await readCustody(store),
  };
}
