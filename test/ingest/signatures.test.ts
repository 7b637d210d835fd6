import { afterEach, describe, expect, it } from 'vitest';
import { writeSignatures } from '../../src/ingest/signatures.js';
import { Store } from '../../src/store/database.js';
import { SIGNATURE_COLUMNS } from '../../src/store/schema.js';

let store: Store | undefined;
afterEach(() => store?.close());

async function open(): Promise<Store> {
  store = await Store.open(':memory:');
  await store.run("INSERT INTO files (file_id, path, sha256, bytes, status) VALUES (1, 'a.json', 'x', 1, 'loaded')");
  return store;
}

const file = { id: 1, path: 'a.json', sha256: 'x', gzip: false };
const base = { entry_uuid: 'aa'.repeat(32), leaf_hash: 'aa'.repeat(32), log_id: 'bb'.repeat(32), kind: 'hashedrekord', tlog_verified: 'unverified', tlog_reason: 'none' };

describe('writing signatures', () => {
  it('SIGNATURE_COLUMNS lists the signatures table columns in order', async () => {
    const s = await open();
    const cols = await s.all<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'signatures' ORDER BY ordinal_position");
    expect(cols.map((c) => c.column_name)).toEqual([...SIGNATURE_COLUMNS]);
  });

  it('casts text to the column types and keeps one row per entry within a batch, preferring the verified copy', async () => {
    const s = await open();
    const tally = { records: 0, inserted: 0, duplicates: 0, rejected: 0 };
    await writeSignatures(s, file, tally, [
      { ...base, record_no: 1, log_index: 9007199254740993n, integrated_time: '2024-05-01T12:00:00.000Z', subjects: '[{"name":"a"}]' },
      { ...base, record_no: 2, tlog_verified: 'verified', tlog_reason: 'SET' },
      { record_no: 3, reject_reason: 'not an entry', snippet: 'line\nbreak' },
    ]);
    expect(tally).toEqual({ records: 3, inserted: 1, duplicates: 1, rejected: 1 });
    const rows = await s.all('SELECT log_index, integrated_time, tlog_verified, record_no, json_extract_string(subjects, \'$[0].name\') AS subject FROM signatures');
    // The verified copy (record 2) wins; the subjects of the other copy are not lost on a later merge.
    expect(rows).toEqual([{ log_index: null, integrated_time: null, tlog_verified: 'verified', record_no: 2, subject: null }]);
    await writeSignatures(s, file, tally, [{ ...base, record_no: 4, log_index: 9007199254740993n, integrated_time: '2024-05-01T12:00:00Z', subjects: '[{"name":"a"}]' }]);
    expect(await s.all('SELECT log_index, integrated_time, json_extract_string(subjects, \'$[0].name\') AS subject FROM signatures')).toEqual([
      { log_index: '9007199254740993', integrated_time: '2024-05-01T12:00:00Z', subject: 'a' },
    ]);
    expect(await s.all('SELECT record_no, reason, snippet FROM rejects')).toEqual([{ record_no: 3, reason: 'not an entry', snippet: 'line break' }]);
  });

  it('stores a row with a decode_error and lists it in rejects, counted as rejected', async () => {
    const s = await open();
    const tally = { records: 0, inserted: 0, duplicates: 0, rejected: 0 };
    await writeSignatures(s, file, tally, [{ ...base, record_no: 1, kind: 'jar', decode_error: 'kind jar not decoded' }]);
    expect(tally).toEqual({ records: 1, inserted: 0, duplicates: 0, rejected: 1 });
    expect(await s.all('SELECT kind, decode_error FROM signatures')).toEqual([{ kind: 'jar', decode_error: 'kind jar not decoded' }]);
    expect(await s.all('SELECT reason FROM rejects')).toEqual([{ reason: 'kept in signatures, not fully decoded: kind jar not decoded' }]);
  });
});
