/**
 * The chain-of-custody part of the report, read straight from the store: every input file with
 * its sha256, size, adapter, records and rejects, and how many transparency-log entries have each
 * proof-verification status.
 */
import type { Store } from '../store/database.js';
import type { Custody, CustodyFile, TlogStatusCount } from './model.js';

/** Reads `files` (in ingest order) and the `signatures.tlog_verified` counts. */
export async function readCustody(store: Store): Promise<Custody> {
  const files = await store.all<{ path: string; sha256: string; bytes: number; adapter: string | null; records: number; rejected: number }>(
    `SELECT path, sha256, bytes, adapter, records, rejected
       FROM files
      ORDER BY file_id`,
  );
  const tlog = await store.all<{ status: string; count: number }>(
    `SELECT tlog_verified AS status, count(*) AS count
       FROM signatures
      GROUP BY tlog_verified
      ORDER BY count DESC, status`,
  );
  return {
    files: files.map((f): CustodyFile => ({ ...f, bytes: Number(f.bytes), records: Number(f.records), rejected: Number(f.rejected) })),
    tlog: tlog.map((t): TlogStatusCount => ({ status: t.status, count: Number(t.count) })),
  };
}
