/**
 * `scan --key … / --case …`: the investigation's own rules (queries/*.sql, the same findings and
 * fingerprints as `sigtrail anomalies`) over one case, so a nightly job watching a known key
 * judges it with its expectations (sanctioned workflows, refs, principals) instead of the
 * baseline alone.
 *
 * The investigation reads the whole history of the key; what makes a finding new is that the
 * findings table has not seen its fingerprint (see dedupe.ts). On the first scan of a case, the
 * findings that no row of the --since window supports are recorded as the baseline, unreported.
 */
import { Investigation, type InvestigateOptions } from '../analyses/investigate.js';
import { evidenceId } from '../analyses/evidence.js';
import type { CaseSpec } from '../case/spec.js';
import type { Store } from '../store/database.js';
import type { ScanRange } from './watermark.js';
import type { ScanFinding } from './types.js';

/** The scope of a case: its selectors, sorted (its own watermark and the findings' `key`). */
export function caseScope(spec: CaseSpec): string {
  return [...new Set(spec.keys.map((k) => k.text))].sort().join(' ');
}

/** Every finding of the case's investigation, as scan findings. */
export async function runCaseRules(store: Store, spec: CaseSpec, options: InvestigateOptions, timings: Record<string, number> = {}): Promise<ScanFinding[]> {
  const inv = new Investigation(store, spec, options);
  const findings = await inv.findings();
  Object.assign(timings, inv.timings);
  const key = caseScope(spec);
  return findings.map((f) => ({
    fingerprint: f.fingerprint, rule: f.rule, severity: f.severity, ts: f.ts, key, actor: f.actor, summary: f.summary,
    evidence: f.evidence, title: f.title, mitre: f.mitre, owasp_nhi: f.owasp_nhi, scan_id: null,
  }));
}

/**
 * Which findings rest on rows this scan judges (rows of new files, or timed inside the --since
 * window): on a first scan only those are reported.
 */
export async function touchesJudgedRows(store: Store, findings: readonly ScanFinding[], range: ScanRange): Promise<Set<string>> {
  const refs = findings.flatMap((f) => f.evidence.map((e) => ({ fp: f.fingerprint, table: e.table, id: evidenceId(e) })));
  const out = new Set<string>();
  for (const f of findings) if (f.ts !== null && range.judgedFrom !== null && f.ts >= range.judgedFrom) out.add(f.fingerprint);
  if (refs.length === 0) return out;
  const rows = await store.all<{ fp: string }>(
    `WITH ref AS (SELECT unnest(CAST($fps AS VARCHAR[])) AS fp, unnest(CAST($tables AS VARCHAR[])) AS tbl, unnest(CAST($ids AS VARCHAR[])) AS id),
     judged AS (
       SELECT 'events' AS tbl, event_uid AS id FROM events
       WHERE event_uid IN (SELECT id FROM ref WHERE tbl = 'events') AND (file_id > CAST($wm AS INTEGER) OR ts >= CAST($from AS TIMESTAMPTZ)) IS TRUE
       UNION ALL
       SELECT 'signatures', entry_uuid FROM signatures
       WHERE entry_uuid IN (SELECT id FROM ref WHERE tbl = 'signatures') AND (file_id > CAST($wm AS INTEGER) OR integrated_time >= CAST($from AS TIMESTAMPTZ)) IS TRUE
       UNION ALL
       SELECT 'ci_runs', ci_uid FROM ci_runs
       WHERE ci_uid IN (SELECT id FROM ref WHERE tbl = 'ci_runs')
         AND (file_id > CAST($wm AS INTEGER) OR COALESCE(started_at, completed_at) >= CAST($from AS TIMESTAMPTZ)) IS TRUE
     )
     SELECT DISTINCT ref.fp FROM ref JOIN judged USING (tbl, id)`,
    { fps: refs.map((r) => r.fp), tables: refs.map((r) => r.table), ids: refs.map((r) => r.id), wm: range.fileWatermark, from: range.judgedFrom },
  );
  for (const r of rows) out.add(r.fp);
  return out;
}
