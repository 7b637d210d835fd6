/**
 * The scan's bookkeeping in the `scans` table: where the last scan of the same scope stopped
 * (its watermark), which rows are new to this one, and the life cycle of a scan row:
 *
 *   running ──(findings stored, watermark advanced: one transaction)──▶ committed ──(output written)──▶ done
 *      └──(process killed)──▶ interrupted (marked by the next scan)      └──(killed before output)──▶ re-delivered by the next scan
 *
 * The watermark is the highest `files.file_id` judged, not a time: log files arrive late and out
 * of order (a CloudTrail object delivered hours after its events, an audit-log export re-run), and
 * every row ingested after the last scan is judged whatever its timestamp. Rows whose time falls
 * in the trailing `--since` window are judged again as well, so evidence that arrives a little
 * late (the CI record of a build that explains last night's signature) is still taken into account;
 * findings already reported are not reported twice.
 */
import type { Store } from '../store/database.js';

export type PreviousScan = {
  scan_id: number;
  file_watermark: number | null;
  watermark: string | null;
  finished_at: string | null;
};

/** What this scan judges. */
export interface ScanRange {
  /** Rows of files after this file_id are new (null on the first scan of a scope). */
  fileWatermark: number | null;
  /** Rows timed at or after this are judged too (newest record − --since). */
  judgedFrom: string | null;
  /** The newest record time in the store (bounded by the clock: a future-dated record cannot move it). */
  newest: string | null;
  /** The highest file_id now in the store: the next scan's watermark. */
  maxFileId: number | null;
  first: boolean;
}

/** The last scan of `scope` whose findings were stored. */
export async function previousScan(store: Store, scope: string): Promise<PreviousScan | undefined> {
  return store.one<PreviousScan>(
    `SELECT scan_id, file_watermark, watermark, finished_at FROM scans
     WHERE scope = $1 AND status IN ('committed', 'done') ORDER BY scan_id DESC LIMIT 1`,
    [scope],
  );
}

/**
 * Starts a scan: earlier rows still `running` belong to processes that died (this one holds the
 * database's write lock) and become `interrupted`; a new `running` row is committed.
 * @returns the new scan id
 */
export async function beginScan(store: Store, scope: string): Promise<number> {
  return store.transaction(async () => {
    await store.run("UPDATE scans SET status = 'interrupted' WHERE status = 'running'");
    const row = await store.one<{ scan_id: number }>(
      "INSERT INTO scans (started_at, status, scope) VALUES (now(), 'running', $1) RETURNING scan_id",
      [scope],
    );
    return row!.scan_id;
  });
}

/** Scans of `scope` that stored findings but were killed before their output was written. */
export async function undeliveredScans(store: Store, scope: string, except: number): Promise<number[]> {
  const rows = await store.all<{ scan_id: number }>(
    "SELECT scan_id FROM scans WHERE scope = $1 AND status = 'committed' AND scan_id <> $2 ORDER BY scan_id",
    [scope, except],
  );
  return rows.map((r) => r.scan_id);
}

/** The range this scan judges, from the previous scan's watermark and the --since window. */
export async function scanRange(store: Store, previous: PreviousScan | undefined, sinceSeconds: number): Promise<ScanRange> {
  const row = await store.one<{ newest: string | null; max_file: number | null }>(
    `SELECT LEAST(now(), GREATEST((SELECT max(ts) FROM events), (SELECT max(integrated_time) FROM signatures),
                                  (SELECT max(COALESCE(completed_at, started_at)) FROM ci_runs))) AS newest,
            (SELECT max(file_id) FROM files) AS max_file`,
  );
  const newest = row?.newest ?? null;
  return {
    fileWatermark: previous?.file_watermark ?? null,
    judgedFrom: newest === null ? null : new Date(Date.parse(newest) - sinceSeconds * 1000).toISOString(),
    newest,
    maxFileId: row?.max_file ?? null,
    first: previous === undefined,
  };
}

/** Records the scan's result; runs inside the transaction that stores its findings. */
export async function commitScan(
  store: Store,
  scanId: number,
  range: ScanRange,
  counts: { newFindings: number; ingestedFiles: number },
): Promise<void> {
  await store.run(
    `UPDATE scans SET status = 'committed', finished_at = now(), watermark = CAST($newest AS TIMESTAMPTZ),
       file_watermark = $max_file, judged_from = CAST($judged_from AS TIMESTAMPTZ), new_findings = $new_findings,
       ingested_files = $ingested
     WHERE scan_id = $scan_id`,
    {
      newest: range.newest, max_file: range.maxFileId, judged_from: range.judgedFrom, new_findings: counts.newFindings,
      ingested: counts.ingestedFiles, scan_id: scanId,
    },
  );
}

/** Marks scans whose output has been written. */
export async function markDelivered(store: Store, scanIds: readonly number[]): Promise<void> {
  if (scanIds.length === 0) return;
  await store.run("UPDATE scans SET status = 'done' WHERE list_contains(CAST($1 AS INTEGER[]), scan_id) AND status = 'committed'", [scanIds.map(String)]);
}

/** Best effort: a scan that failed with an error (not a kill) says so. */
export async function markFailed(store: Store, scanId: number): Promise<void> {
  try {
    await store.run("UPDATE scans SET status = 'failed', finished_at = now() WHERE scan_id = $1 AND status = 'running'", [scanId]);
  } catch {
    /* the original error is what the user needs */
  }
}
