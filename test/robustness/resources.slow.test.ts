/**
 * Resource limits (slow: hundreds of MB of input; CI runs it with the rest).
 *
 * - A 50 MB single line, in a file of every adapter: rejected in place with its line and size
 *   (it once failed the whole file: DuckDB's reader gives up past twice its per-object limit,
 *   and ran out of memory mapping a 24 MB record), while the records around it load.
 * - A decompression bomb (a ~20 MB .gz that inflates to 20 GiB) is stopped at the configured cap
 *   with one clear line, quickly and in bounded memory, and the files beside it still load.
 * - Memory stays bounded: the peak RSS of a whole `sigtrail ingest` of pathological files (a 50 MB
 *   line, a 15 MB record, 4 MB of nesting, 100,000 copies of one record), measured in a child
 *   process (DuckDB's native memory included), stays under a generous bound.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_INFLATED, maxInflatedBytes } from '../../src/ingest/inflate.js';
import { ingest, type FileOutcome } from '../../src/ingest/pipeline.js';
import { MAX_RECORD_BYTES } from '../../src/ingest/stage.js';
import { ADAPTERS } from '../../src/sources/registry.js';
import { Store } from '../../src/store/database.js';
import { tempDir } from '../helpers/paths.js';
import { STACK_LINE, expectFileAccounted, expectLinesCovered } from './helpers/accounting.js';
import { runChild } from './helpers/child.js';
import { seeds, type Seed } from './helpers/seeds.js';

const MB = 1024 * 1024;
const GIB = 1024 * MB;

/** The seed, a copy carrying `size` bytes more in a new field, and the seed again. */
function bigRecordFile(seed: Seed, size: number): string {
  const big = `${seed.text.slice(0, -1)},"zz_big":"${'A'.repeat(size)}"}`;
  return `${seed.text}\n${big}\n${seed.text}\n`;
}

describe('a 50 MB single line, for every adapter', () => {
  const dir = tempDir('sigtrail-bigline-');
  let store: Store;
  let outcomes: Map<string, FileOutcome>;

  beforeAll(async () => {
    const seedMap = await seeds();
    for (const [id, seed] of seedMap) fs.writeFileSync(path.join(dir, `${id}.ndjson`), bigRecordFile(seed, 50 * MB));
    // Not JSON at all, and a record just under the limit, which must load.
    const ct = seedMap.get('aws-cloudtrail')!;
    fs.writeFileSync(path.join(dir, 'junk.ndjson'), `${ct.text}\n${'x'.repeat(50 * MB)}\n${ct.text}\n`);
    fs.writeFileSync(path.join(dir, 'under-the-limit.ndjson'), bigRecordFile({ ...ct, text: ct.text.replace('"eventVersion"', '"zz_under":1,"eventVersion"') }, 15 * MB));
    store = await Store.open(':memory:');
    outcomes = new Map((await ingest(store, [dir])).files.map((f) => [path.basename(f.path), f]));
  }, 300_000);

  afterAll(() => store?.close());

  it.each([...ADAPTERS.map((a) => `${a.id}.ndjson`), 'junk.ndjson'])('%s: the long line is rejected with its line and size, the rest loads', async (name) => {
    const f = outcomes.get(name)!;
    expect(f.status).toBe('loaded');
    expect(f.seconds).toBeLessThan(60);
    const { fileId, rejects } = await expectFileAccounted(store, f);
    await expectLinesCovered(store, fileId, 3, f);
    expect(rejects.map((r) => [r.line_no, r.reason])).toEqual([[2, expect.stringMatching(new RegExp(`^record of \\d{8} bytes is past the ${MAX_RECORD_BYTES}-byte limit per line$`))]]);
    expect(rejects[0].snippet!.length).toBeGreaterThan(20);
  });

  it('a 15 MB record, under the limit, loads like any other', async () => {
    const f = outcomes.get('under-the-limit.ndjson')!;
    expect(f).toMatchObject({ status: 'loaded', rejected: 0, records: 3 });
    await expectFileAccounted(store, f);
  });
});

describe('a decompression bomb', () => {
  it('is stopped at SIGTRAIL_MAX_INFLATED_BYTES with one clear line, fast and in bounded memory; the rest loads', async () => {
    const seed = (await seeds()).get('aws-cloudtrail')!;
    const dir = tempDir('sigtrail-bomb-');
    // gzip members concatenate: one real record, then 320 members of 64 MiB of spaces (~64 KB each).
    const filler = zlib.gzipSync(Buffer.alloc(64 * MB, 0x20), { level: 9 });
    const parts = [zlib.gzipSync(Buffer.from(seed.text + '\n')), ...Array.from({ length: 320 }, () => filler)];
    const bomb = path.join(dir, 'CloudTrail_bomb.json.gz');
    fs.writeFileSync(bomb, Buffer.concat(parts));
    expect(fs.statSync(bomb).size).toBeLessThan(30 * MB); // 20 GiB inflated
    fs.writeFileSync(path.join(dir, 'good.ndjson'), seed.text + '\n');
    const db = path.join(tempDir(), 'bomb.duckdb');
    const r = await runChild(['--db', db, 'ingest', dir], { SIGTRAIL_MAX_INFLATED_BYTES: String(256 * MB) }, 120_000);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(STACK_LINE);
    const lines = r.stderr.split('\n').filter((l) => l.includes('CloudTrail_bomb'));
    expect(lines).toEqual([
      `failed: ${bomb}: ${bomb} decompresses to more than ${256 * MB} bytes (a decompression bomb?) (raise SIGTRAIL_MAX_INFLATED_BYTES if this file is genuine)`,
    ]);
    expect(r.ms).toBeLessThan(60_000);
    expect(r.peakRss).toBeLessThan(512 * MB);
    const store = await Store.open(db, { readOnly: true });
    try {
      expect(await store.all('SELECT status, records, rejected FROM files ORDER BY path')).toEqual([
        { status: 'failed', records: 1, rejected: 1 },
        { status: 'loaded', records: 1, rejected: 0 },
      ]);
    } finally {
      store.close();
    }
    console.log(`decompression bomb: ${(fs.statSync(bomb).size / MB).toFixed(1)} MB of gzip (20 GiB inflated) stopped in ${r.ms} ms, peak RSS ${(r.peakRss / MB).toFixed(0)} MB`);
  }, 180_000);

  it('has a 16 GiB default cap, and the variable sets it', () => {
    const saved = process.env.SIGTRAIL_MAX_INFLATED_BYTES;
    try {
      delete process.env.SIGTRAIL_MAX_INFLATED_BYTES;
      expect(maxInflatedBytes()).toBe(DEFAULT_MAX_INFLATED);
      expect(DEFAULT_MAX_INFLATED).toBe(16 * GIB);
      process.env.SIGTRAIL_MAX_INFLATED_BYTES = '1000';
      expect(maxInflatedBytes()).toBe(1000);
      process.env.SIGTRAIL_MAX_INFLATED_BYTES = 'lots';
      expect(maxInflatedBytes()).toBe(DEFAULT_MAX_INFLATED);
    } finally {
      if (saved === undefined) delete process.env.SIGTRAIL_MAX_INFLATED_BYTES;
      else process.env.SIGTRAIL_MAX_INFLATED_BYTES = saved;
    }
  });
});

describe('memory stays bounded', () => {
  // DuckDB may use up to its memory limit (2 GB by default) for buffers and caches; alone, the 50 MB
  // line peaks near 200 MB, a 4 MB nesting line near 650 MB, 100,000 records near 700 MB.
  it('a whole ingest of pathological files peaks under 1.5 GiB of RSS', async () => {
    const seed = (await seeds()).get('aws-cloudtrail')!;
    const dir = tempDir('sigtrail-rss-');
    fs.writeFileSync(path.join(dir, 'a-50mb-line.ndjson'), bigRecordFile(seed, 50 * MB));
    fs.writeFileSync(path.join(dir, 'b-15mb-record.ndjson'), bigRecordFile(seed, 15 * MB));
    fs.writeFileSync(path.join(dir, 'c-deep.ndjson'), `${seed.text}\n${'['.repeat(2 * MB)}${']'.repeat(2 * MB)}\n${seed.text}\n`);
    fs.writeFileSync(path.join(dir, 'd-many.ndjson.gz'), zlib.gzipSync(Buffer.from(`${seed.text}\n`.repeat(100_000))));
    const db = path.join(tempDir(), 'rss.duckdb');
    const r = await runChild(['--db', db, 'ingest', dir], {}, 180_000);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(STACK_LINE);
    console.log(`peak RSS of an ingest of pathological files: ${(r.peakRss / MB).toFixed(0)} MB in ${r.ms} ms`);
    expect(r.peakRss).toBeLessThan(1.5 * GIB);
  }, 240_000);
});
