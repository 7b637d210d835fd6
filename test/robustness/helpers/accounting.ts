/**
 * The bookkeeping every ingest must keep, whatever it was fed: each record is inserted, counted as a
 * duplicate, folded into another (Vault request/response), or rejected with its file and line —
 * and the counts in `files` agree with the rows in the tables.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'vitest';
import type { Store } from '../../../src/store/database.js';
import type { Row } from '../../../src/store/values.js';

export interface FileTally {
  path: string;
  adapter?: string | null;
  status: string;
  records: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  merged?: number;
  seconds?: number;
  message?: string;
}

export interface RejectRow extends Row {
  file_id: number | null;
  path: string;
  record_no: number | null;
  line_no: number | null;
  reason: string;
  snippet: string | null;
}

/** A stack trace line, as Node prints one. */
export const STACK_LINE = /\n\s+at [^\n]+(:\d+:\d+\)?|\(native\)|<anonymous>)/;

/** One file's tally adds up, and the database agrees with it. */
export async function expectFileAccounted(store: Store, f: FileTally): Promise<{ fileId: number; rejects: RejectRow[] }> {
  const label = `${f.path} (${f.status})`;
  expect(f.status, label).not.toBe('failed');
  expect(f.records, label).toBe(f.inserted + f.duplicates + f.rejected + (f.merged ?? 0));
  // Files are identified by content: a copy of an already-ingested file (or a later copy of an
  // unrecognised one, which replaces it) is found by its sha256.
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(f.path)).digest('hex');
  const rows = await store.all<{ file_id: number; path: string; records: number; rejected: number }>(
    'SELECT file_id, path, records, rejected FROM files WHERE path = $1 OR sha256 = $2 ORDER BY path = $1 DESC, file_id DESC LIMIT 1', [f.path, sha256],
  );
  expect(rows, label).toHaveLength(1);
  const { file_id: fileId } = rows[0];
  if (f.status === 'already-ingested' || rows[0].path !== f.path) return { fileId, rejects: [] };
  expect({ records: Number(rows[0].records), rejected: Number(rows[0].rejected) }, label).toEqual({ records: f.records, rejected: f.rejected });
  const rejects = await store.all<RejectRow>('SELECT * FROM rejects WHERE file_id = $1 ORDER BY record_no, line_no', [fileId]);
  expect(rejects.length, label).toBe(f.rejected);
  for (const r of rejects) expectCleanReject(r, f.path);
  return { fileId, rejects };
}

/** A reject names its file, says why on one line, and carries no stack trace. */
export function expectCleanReject(r: RejectRow, path: string): void {
  expect(r.path).toBe(path);
  expect(r.reason.length, `empty reason in ${path}`).toBeGreaterThan(0);
  expect(r.reason, `multi-line reason in ${path}`).not.toMatch(/[\r\n]/);
  expect(r.reason).not.toMatch(STACK_LINE);
  expect(r.reason.length, `long reason: ${r.reason.slice(0, 300)}`).toBeLessThan(2000);
  if (r.snippet !== null) expect(r.snippet.length).toBeLessThanOrEqual(200);
}

/** Store-wide: inserted rows and rejects match the sums over files; no event stored twice. */
export async function expectStoreConsistent(store: Store): Promise<void> {
  const c = await store.one<Record<string, number>>(`SELECT
      (SELECT count(*) FROM events) AS events,
      (SELECT count(DISTINCT event_uid) FROM events) AS event_uids,
      (SELECT count(*) FROM rejects) AS rejects,
      (SELECT COALESCE(sum(rejected), 0) FROM files) AS files_rejected,
      (SELECT count(*) FROM rejects WHERE file_id IS NULL OR file_id NOT IN (SELECT file_id FROM files)) AS orphan_rejects,
      (SELECT count(*) FROM events WHERE file_id NOT IN (SELECT file_id FROM files WHERE status = 'loaded')) AS orphan_events,
      (SELECT count(*) FROM signatures WHERE file_id NOT IN (SELECT file_id FROM files WHERE status = 'loaded')) AS orphan_signatures,
      (SELECT count(*) FROM (SELECT 1 FROM signatures GROUP BY log_id, entry_uuid, leaf_hash, tlog_verified = 'failed' HAVING count(*) > 1)) AS duplicate_signatures`);
  const n = (k: string): number => Number(c?.[k] ?? 0);
  expect(n('event_uids')).toBe(n('events'));
  expect(n('rejects')).toBe(n('files_rejected'));
  expect(n('orphan_rejects')).toBe(0);
  expect(n('orphan_events')).toBe(0);
  expect(n('orphan_signatures')).toBe(0);
  expect(n('duplicate_signatures')).toBe(0);
}

/**
 * For a newline-delimited file of `lines` records: every line is in events/signatures or rejects
 * by its record number, or is one of the duplicates / merged lines the tally counted.
 */
export async function expectLinesCovered(store: Store, fileId: number, lines: number, f: FileTally): Promise<Set<number>> {
  const covered = new Set(
    (await store.all<{ n: number }>(
      `SELECT record_no AS n FROM events WHERE file_id = $1 UNION SELECT record_no FROM signatures WHERE file_id = $1
       UNION SELECT record_no FROM rejects WHERE file_id = $1 AND record_no IS NOT NULL`,
      [fileId],
    )).map((r) => Number(r.n)),
  );
  let uncovered = 0;
  for (let i = 1; i <= lines; i++) if (!covered.has(i)) uncovered++;
  expect(uncovered, `${f.path}: lines neither stored nor rejected`).toBeLessThanOrEqual(f.duplicates + (f.merged ?? 0));
  return covered;
}

/** A fingerprint of everything an ingest writes, by path rather than file_id (killed runs may use up sequence values). */
export async function storeSnapshot(s: Store): Promise<Record<string, unknown>> {
  const one = async (sql: string): Promise<unknown> => (await s.one(sql))!;
  return {
    files: await s.all('SELECT path, sha256, bytes, adapter, container, status, records, rejected FROM files ORDER BY path'),
    events: await one(`SELECT count(*) AS n, count(DISTINCT event_uid) AS uids,
      md5(string_agg(e.event_uid || '|' || f.path || '|' || e.record_no || '|' || e.action || '|' || CAST(e.ts AS VARCHAR), ',' ORDER BY e.event_uid)) AS h
      FROM events e JOIN files f USING (file_id)`),
    signatures: await one(`SELECT count(*) AS n,
      md5(string_agg(s.entry_uuid || '|' || f.path || '|' || s.record_no || '|' || s.tlog_verified, ',' ORDER BY s.entry_uuid, f.path)) AS h
      FROM signatures s JOIN files f USING (file_id)`),
    rejects: await one(`SELECT count(*) AS n,
      md5(string_agg(r.path || '|' || COALESCE(CAST(r.record_no AS VARCHAR), '') || '|' || COALESCE(CAST(r.line_no AS VARCHAR), '') || '|' || r.reason, ',' ORDER BY r.path, r.record_no, r.line_no, r.reason)) AS h
      FROM rejects r`),
    ci_runs: await one(`SELECT count(*) AS n, md5(string_agg(ci_uid || '|' || COALESCE(CAST(attempt AS VARCHAR), '') || '|' || COALESCE(conclusion, ''), ',' ORDER BY ci_uid)) AS h FROM ci_runs`),
  };
}

/** Per loaded file: how many events, signatures and rejects it holds. */
export async function perFileCounts(s: Store): Promise<Map<string, string>> {
  const rows = await s.all<{ path: string; n: string }>(`SELECT f.path,
      (SELECT count(*) FROM events e WHERE e.file_id = f.file_id) || '/' || (SELECT count(*) FROM signatures x WHERE x.file_id = f.file_id)
        || '/' || (SELECT count(*) FROM rejects r WHERE r.file_id = f.file_id) AS n
    FROM files f WHERE f.status = 'loaded'`);
  return new Map(rows.map((r) => [r.path, String(r.n)]));
}
