import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/pipeline.js';
import { sniff } from '../../src/ingest/sniff.js';
import { MAX_OBJECT_BYTES, MAX_RECORD_BYTES, objectBytesFor } from '../../src/ingest/stage.js';
import { DEFAULT_MEMORY_LIMIT, Store } from '../../src/store/database.js';
import { cloudTrailRecord } from '../fixtures/cloudtrail.js';
import { realdata, tempDir } from '../helpers/paths.js';

let store: Store | undefined;
afterEach(() => store?.close());

describe('ingest under the default memory limit', () => {
  it('is 1 GB, so that DuckDB, its memory outside the pool and Node stay under 2 GB', async () => {
    expect(DEFAULT_MEMORY_LIMIT).toBe('1GB');
    store = await Store.open(':memory:');
    const limit = await store.one<{ v: string }>("SELECT current_setting('memory_limit') AS v");
    expect(limit?.v).toBe('953.6 MiB');
  });

  it('loads small whole-file objects: read buffers are fitted to the file, not 2 x 256 MiB', async () => {
    // With maximum_object_size at 256 MiB DuckDB asked for two 512 MiB buffers for this 672-byte
    // S3 object and failed ("Out of Memory Error") under a 1 GB limit.
    const dir = realdata('aws', 'cloudtrail_s3_delivery');
    store = await Store.open(':memory:', { memoryLimit: '1GB' });
    const result = await ingest(store, [dir]);
    expect(result.files.map((f) => f.status)).toEqual(['loaded', 'loaded']);
    expect(result.files.reduce((n, f) => n + f.inserted, 0)).toBe(21);
  });

  it('sizes the object limit from the decoded file: plain size, gzip inflated, capped at 256 MiB', () => {
    const dir = tempDir();
    const doc = JSON.stringify({ Records: [cloudTrailRecord({ i: 1 }), cloudTrailRecord({ i: 2 })] });
    const plain = path.join(dir, 'a.json');
    const gz = path.join(dir, 'b.json.gz');
    fs.writeFileSync(plain, doc);
    fs.writeFileSync(gz, zlib.gzipSync(doc));
    expect(sniff(plain).decodedBytes).toBe(Buffer.byteLength(doc));
    expect(sniff(gz).decodedBytes).toBe(Buffer.byteLength(doc));
    expect(objectBytesFor(sniff(plain))).toBe(MAX_RECORD_BYTES);
    expect(objectBytesFor({ decodedBytes: 100 * 1024 * 1024 })).toBe(101 * 1024 * 1024);
    expect(objectBytesFor({ decodedBytes: 10 * 1024 ** 3 })).toBe(MAX_OBJECT_BYTES);
    expect(objectBytesFor({})).toBe(MAX_OBJECT_BYTES);
  });
});

describe('a large whole-file object under the default memory limit', () => {
  it('loads a 30 MB {"Records":[…]} object in 1 GB, numbering its records in order', async () => {
    // Parsed five times with a window over the elements, a 34 MB object did not fit in 1 GB.
    const records = Array.from({ length: 24_000 }, (_, i) => cloudTrailRecord({ i }));
    const doc = JSON.stringify({ Records: records });
    expect(doc.length).toBeGreaterThan(25_000_000);
    const file = path.join(tempDir(), 'object.json');
    fs.writeFileSync(file, doc);
    store = await Store.open(':memory:', { memoryLimit: '1GB' });
    const [outcome] = (await ingest(store, [file])).files;
    expect(outcome).toMatchObject({ status: 'loaded', records: 24_000, rejected: 0 });
    const order = await store.one<{ ok: boolean }>(
      // The fixture's eventID ends in the record's index.
      "SELECT count(*) = 24000 AND bool_and(record_no = CAST(right(split_part(event_uid, ':', 2), 12) AS BIGINT) + 1) AS ok FROM events",
    );
    expect(order?.ok).toBe(true);
  }, 60_000);
});
