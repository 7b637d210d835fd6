/**
 * De-duplication across scans: the `findings` table, keyed by each finding's stable fingerprint.
 * A fingerprint seen before only has its `last_seen` (and `last_scan_id`) moved; a new one is
 * inserted, reported or — on the first scan of a case, for findings older than the --since
 * window — recorded as part of the baseline. Runs inside the scan's bookkeeping transaction.
 */
import type { Evidence } from '../analyses/evidence.js';
import type { Severity } from '../analyses/registry.js';
import type { RuleId } from '../analyses/types.js';
import type { Store } from '../store/database.js';
import { ruleMeta } from './store-rules.js';
import type { ScanFinding } from './types.js';

export interface RecordOutcome {
  /** Findings no earlier scan stored, reported by this one. */
  fresh: ScanFinding[];
  /** Findings an earlier scan stored (reported or baseline): last_seen updated. */
  seen: number;
  /** New findings stored as the baseline, not reported. */
  baselined: number;
}

const ROW_SHAPE = JSON.stringify([{
  fingerprint: 'VARCHAR', rule: 'VARCHAR', severity: 'VARCHAR', ts: 'VARCHAR', actor: 'VARCHAR', summary: 'VARCHAR',
  scope: 'VARCHAR', evidence: 'JSON', reported: 'BOOLEAN',
}]);

/**
 * Upserts this scan's findings.
 * @param report decides whether a new finding is reported (false: recorded as baseline)
 */
export async function recordFindings(
  store: Store,
  scanId: number,
  findings: readonly ScanFinding[],
  report: (f: ScanFinding) => boolean = () => true,
): Promise<RecordOutcome> {
  const unique = [...new Map(findings.map((f) => [f.fingerprint, f])).values()];
  if (unique.length === 0) return { fresh: [], seen: 0, baselined: 0 };
  const fps = unique.map((f) => f.fingerprint);
  const known = new Set(
    (await store.all<{ fingerprint: string }>(
      'SELECT fingerprint FROM findings WHERE fingerprint IN (SELECT unnest(CAST($1 AS VARCHAR[])))', [fps],
    )).map((r) => r.fingerprint),
  );
  if (known.size > 0) {
    await store.run(
      'UPDATE findings SET last_seen = now(), last_scan_id = $2 WHERE fingerprint IN (SELECT unnest(CAST($1 AS VARCHAR[])))',
      [[...known], scanId],
    );
  }
  const added = unique.filter((f) => !known.has(f.fingerprint)).map((f) => ({ f, reported: report(f) }));
  if (added.length > 0) {
    // One statement for all rows: the values travel as one bound JSON document.
    const rows = JSON.stringify(added.map(({ f, reported }) => ({
      fingerprint: f.fingerprint, rule: f.rule, severity: f.severity, ts: f.ts, actor: f.actor, summary: f.summary, scope: f.key,
      evidence: f.evidence, reported,
    })));
    await store.run(
      `INSERT INTO findings (fingerprint, rule, severity, ts, actor, summary, scope, evidence, first_seen, last_seen, scan_id, reported, last_scan_id)
       SELECT fingerprint, rule, severity, CAST(ts AS TIMESTAMPTZ), actor, summary, scope, evidence, now(), now(), $scan, reported, $scan
       FROM (SELECT unnest(from_json($rows, $shape), recursive := true))`,
      { rows, shape: ROW_SHAPE, scan: scanId },
    );
  }
  const fresh = added.filter((a) => a.reported).map(({ f }) => ({ ...f, scan_id: scanId }));
  return { fresh, seen: known.size, baselined: added.length - fresh.length };
}

/** The reported findings first stored by the given scans (to re-deliver the output of a scan killed after it committed). */
export async function findingsOfScans(store: Store, scanIds: readonly number[]): Promise<ScanFinding[]> {
  if (scanIds.length === 0) return [];
  const rows = await store.all<{
    fingerprint: string; rule: string; severity: string; ts: string | null; scope: string; actor: string | null; summary: string | null;
    evidence: string | null; scan_id: number;
  }>(
    `SELECT fingerprint, rule, severity, ts, scope, actor, summary, CAST(evidence AS VARCHAR) AS evidence, scan_id FROM findings
     WHERE reported AND scan_id IN (SELECT unnest(CAST($1 AS INTEGER[]))) ORDER BY ts, rule, fingerprint`,
    [scanIds.map(String)],
  );
  return rows.map((r) => ({
    fingerprint: r.fingerprint, rule: r.rule as RuleId, severity: r.severity as Severity, ts: r.ts, key: r.scope, actor: r.actor,
    summary: r.summary ?? '', evidence: r.evidence ? (JSON.parse(r.evidence) as Evidence[]) : [], ...ruleMeta(r.rule), scan_id: r.scan_id,
  }));
}
