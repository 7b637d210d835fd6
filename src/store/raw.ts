/**
 * Re-reading a record from its source file. To keep ingest fast, `events.raw` holds the whole
 * record only for the actions an investigation cites (key, secret, credential, CI); for the rest
 * the (file, record number) pointer is enough, and the record is read again on demand — after
 * checking that the file still has the sha256 recorded at ingest, so the evidence is the same.
 */
import fs from 'node:fs';
import { SigtrailError } from '../errors.js';
import { sha256File } from '../ingest/hash.js';
import { prepareInput } from '../ingest/prepare.js';
import { planStaging } from '../ingest/stage.js';
import { adapterById } from '../sources/registry.js';
import type { Store } from './database.js';
import type { Plain } from './values.js';

export interface RawRecord {
  source: 'stored' | 'file';
  path: string;
  record_no: number;
  record: Plain;
}

/** The raw record behind an event (by event_uid) or a signature (by entry_uuid). */
export async function rawRecord(store: Store, id: string): Promise<RawRecord> {
  const row =
    (await store.one<{ raw: string | null; file_id: number; record_no: number }>(
      'SELECT CAST(raw AS VARCHAR) AS raw, file_id, record_no FROM events WHERE event_uid = $1 LIMIT 1', [id],
    )) ??
    (await store.one<{ raw: string | null; file_id: number; record_no: number }>(
      'SELECT CAST(raw AS VARCHAR) AS raw, file_id, record_no FROM signatures WHERE entry_uuid = $1 LIMIT 1', [id],
    ));
  if (!row) throw new SigtrailError('NOT_FOUND', `no event or signature with id ${id}`);
  const file = await store.one<{ path: string; sha256: string; adapter: string | null }>(
    'SELECT path, sha256, adapter FROM files WHERE file_id = $1', [row.file_id],
  );
  if (!file) throw new SigtrailError('NOT_FOUND', `file ${row.file_id} is not in the chain of custody`);
  if (row.raw !== null) return { source: 'stored', path: file.path, record_no: row.record_no, record: JSON.parse(row.raw) as Plain };
  return { source: 'file', path: file.path, record_no: row.record_no, record: await rereadRecord(store, file, row.record_no) };
}

async function rereadRecord(store: Store, file: { path: string; sha256: string; adapter: string | null }, recordNo: number): Promise<Plain> {
  if (!fs.existsSync(file.path)) {
    throw new SigtrailError('NOT_FOUND', `source file ${file.path} is no longer there`, { hint: 'the record was not kept in the database; restore the file' });
  }
  const { sha256, longestLine } = await sha256File(file.path);
  if (sha256 !== file.sha256) {
    throw new SigtrailError('VERIFICATION', `source file ${file.path} changed since it was ingested (sha256 ${sha256} ≠ ${file.sha256})`);
  }
  const adapter = file.adapter ? adapterById(file.adapter) : undefined;
  // Read exactly as ingest read it: the same literal path, BOM handling and gzip salvage, so record numbers agree.
  const prepared = await prepareInput(file.path, { longestLine });
  const plan = planStaging(prepared.sample, adapter?.stageOptions?.unwrap ?? []);
  try {
    if (plan.explode) await store.run(plan.explode, plan.staging.params);
    const r = await store.one<{ rec: string | null }>(
      `WITH staged AS (${plan.staging.sql}) SELECT CAST(rec AS VARCHAR) AS rec FROM staged WHERE record_no = $record_no`,
      { ...plan.staging.params, record_no: recordNo },
    );
    if (!r || r.rec === null) throw new SigtrailError('NOT_FOUND', `record ${recordNo} not found in ${file.path}`);
    return JSON.parse(r.rec) as Plain;
  } finally {
    for (const t of plan.staging.temp) await store.exec(`DROP TABLE IF EXISTS ${t}`);
    prepared.release();
  }
}
