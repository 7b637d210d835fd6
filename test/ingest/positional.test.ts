import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/database.js';
import { fixtureDir, realdata, tempDir } from '../helpers/paths.js';

let store: Store | undefined;
afterEach(() => store?.close());

/** A CloudTrail record whose eventID says which line of the file it was written on. */
function record(line: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/build-agent/s', accessKeyId: 'ASIAEXAMPLE' },
    eventTime: new Date(Date.UTC(2025, 2, 1) + line * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName: 'Decrypt',
    awsRegion: 'us-east-1',
    sourceIPAddress: 'kms.amazonaws.com',
    userAgent: 'kms.amazonaws.com',
    // Padding to CloudTrail's usual ~1.3 KB, so the file spans several of DuckDB's read buffers.
    requestParameters: { encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::bucket/${'x'.repeat(1100)}` } },
    eventID: `line-${line}`,
    recipientAccountId: '111122223333',
    ...extra,
  };
}

describe('when a large NDJSON file is read in parallel and numbered afterwards', () => {
  it('gives every event and reject the record and line number it has in the file', async () => {
    // ~50 MB: more than one 32 MiB buffer, so DuckDB reads parts of the file on different threads.
    const lines: string[] = [];
    const badLines = new Map<number, string>();
    for (let line = 1; line <= 38_000; line++) {
      if (line % 10_000 === 0) lines.push(''); // blank: line and record numbers part ways
      else if (line === 23_456) {
        lines.push('{"eventName": "Sign", "eventTime": ');
        badLines.set(line, 'malformed JSON');
      } else if (line === 31_000) {
        lines.push(JSON.stringify(record(line, { eventTime: 'not a time' })));
        badLines.set(line, 'missing or unparseable eventTime');
      } else lines.push(JSON.stringify(record(line)));
    }
    const dir = tempDir();
    const file = path.join(dir, 'big.ndjson');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    expect(fs.statSync(file).size).toBeGreaterThan(40 * 2 ** 20);

    store = await Store.open(':memory:');
    const { files } = await ingest(store, [file]);
    expect(files[0]).toMatchObject({ status: 'loaded', records: 38_000 - 3, rejected: 2, duplicates: 0 });

    // record_no counts non-blank lines; the eventID names the line.
    const wrong = await store.one<{ n: number; total: number }>(`
      SELECT count(*) FILTER (WHERE line - line // 10000 <> record_no) AS n, count(*) AS total
      FROM (SELECT record_no, CAST(split_part(split_part(event_uid, ':', 2), '-', 2) AS BIGINT) AS line FROM events)`);
    expect(wrong).toEqual({ n: 0, total: 38_000 - 3 - 2 });
    const rejects = await store.all<{ line_no: number; reason: string }>('SELECT line_no, reason FROM rejects ORDER BY line_no');
    expect(rejects.map((r) => r.line_no)).toEqual([...badLines.keys()]);
    rejects.forEach((r) => expect(r.reason).toContain(badLines.get(r.line_no)!));
  }, 120_000);
});

describe('when the same events arrive twice', () => {
  it('stores an event once whether it comes in an S3 object or a spaced-out NDJSON export', async () => {
    const records = [record(1), record(2), record(3)];
    const dir = fixtureDir({
      'AWSLogs/a.json.gz': zlib.gzipSync(JSON.stringify({ Records: records })),
      // Python's json.dumps style: spaces after separators, so the text differs but the event does not.
      'export/b.ndjson': records.slice(1).map((r) => JSON.stringify(r).replace(/":/g, '": ').replace(/,"/g, ', "')).join('\n') + '\n' + JSON.stringify(record(4)) + '\n',
    });
    store = await Store.open(':memory:');
    const { files } = await ingest(store, [dir]);
    expect(files.map((f) => [f.inserted, f.duplicates])).toEqual([[3, 0], [1, 2]]);
    const n = await store.one<{ n: number }>('SELECT count(*) AS n FROM events');
    expect(n!.n).toBe(4);
  });

  it('adds nothing when the same file is ingested again, and only the new records of a grown copy', async () => {
    const p = realdata('aws', 'cloud_snitch_test_events.ndjson');
    const text = fs.readFileSync(p, 'utf8');
    const dir = fixtureDir({ 'grown.ndjson': text.trimEnd() + '\n' + JSON.stringify(record(99)) + '\n' });
    store = await Store.open(':memory:');
    const first = await ingest(store, [p]);
    const again = await ingest(store, [p]);
    expect(again.files[0].status).toBe('already-ingested');
    const grown = await ingest(store, [dir]);
    expect(grown.files[0]).toMatchObject({ inserted: 1, duplicates: first.files[0].records, rejected: 0 });
  });

  it('keeps the first of two identical records in one file, with its own record number', async () => {
    const dir = fixtureDir({ 'dup.ndjson': [record(1), record(2), record(1)].map((r) => JSON.stringify(r)).join('\n') });
    store = await Store.open(':memory:');
    const { files } = await ingest(store, [dir]);
    expect(files[0]).toMatchObject({ records: 3, inserted: 2, duplicates: 1 });
    const rows = await store.all<{ record_no: number }>('SELECT record_no FROM events ORDER BY record_no');
    expect(rows.map((r) => r.record_no)).toEqual([1, 2]);
  });
});
