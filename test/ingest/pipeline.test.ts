import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { SigtrailError } from '../../src/errors.js';
import { ingest } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/database.js';
import { cloudTrailNdjson, cloudTrailRecord } from '../fixtures/cloudtrail.js';
import { REALDATA, ROOT, fixtureDir, tempDir } from '../helpers/paths.js';
import { expectStoreConsistent, perFileCounts, storeSnapshot } from '../robustness/helpers/accounting.js';
import { Prng, seedFromEnv } from '../robustness/helpers/prng.js';

let store: Store | undefined;
afterEach(() => store?.close());

async function count(sql: string): Promise<number> {
  return Number((await store!.one<{ n: number }>(sql))!.n);
}

describe('ingest pipeline', () => {
  it('records each file in the chain of custody with its sha256, size and counts', async () => {
    const text = cloudTrailNdjson(0, 10);
    const dir = fixtureDir({ 'a.ndjson': text });
    store = await Store.open(':memory:');
    await ingest(store, [dir]);
    const f = await store.one('SELECT sha256, bytes, adapter, records, rejected, status FROM files');
    const { createHash } = await import('node:crypto');
    expect(f).toEqual({
      sha256: createHash('sha256').update(text).digest('hex'),
      bytes: Buffer.byteLength(text),
      adapter: 'aws-cloudtrail',
      records: 10,
      rejected: 0,
      status: 'loaded',
    });
  });

  it('is a no-op when the same file is ingested again', async () => {
    const dir = fixtureDir({ 'a.ndjson': cloudTrailNdjson(0, 50) });
    store = await Store.open(':memory:');
    await ingest(store, [dir]);
    const again = await ingest(store, [dir]);
    expect(again.files[0]).toMatchObject({ status: 'already-ingested', inserted: 0 });
    expect(await count('SELECT count(*) AS n FROM events')).toBe(50);
    expect(await count('SELECT count(*) AS n FROM files')).toBe(1);
  });

  it('stores an event that arrives in two different files once', async () => {
    const records = [0, 1, 2, 3].map((i) => cloudTrailRecord({ i }));
    const dir = fixtureDir({
      'stream.ndjson': records.map((r) => JSON.stringify(r)).join('\n'),
      // The same events as CloudTrail's S3 delivery writes them: pretty-printed, gzipped, wrapped.
      's3/111122223333_CloudTrail_us-east-1_20250101T0000Z_abc.json.gz': zlib.gzipSync(JSON.stringify({ Records: records.slice(2).concat([cloudTrailRecord({ i: 9 })]) }, null, 2)),
    });
    store = await Store.open(':memory:');
    const r = await ingest(store, [dir]);
    // Folders are walked in name order: the S3 object (3 new) first, then the stream (2 new, 2 seen).
    expect(r.files.map((f) => [path.basename(f.path), f.inserted, f.duplicates])).toEqual([
      ['111122223333_CloudTrail_us-east-1_20250101T0000Z_abc.json.gz', 3, 0],
      ['stream.ndjson', 2, 2],
    ]);
    expect(await count('SELECT count(*) AS n FROM events')).toBe(5);
    expect(await count('SELECT count(DISTINCT event_uid) AS n FROM events')).toBe(5);
  });

  it('keeps one of 20,000 identical records, in linear time (a self-join on event_uid was quadratic)', async () => {
    const line = JSON.stringify(cloudTrailRecord({ i: 1 })) + '\n';
    const dir = fixtureDir({ 'same.ndjson': line.repeat(20_000) });
    store = await Store.open(':memory:');
    const started = Date.now();
    const r = await ingest(store, [dir]);
    // Quadratic, this took minutes (8,000 copies: 32 s and 2 GB); linear, a few seconds.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.files[0]).toMatchObject({ records: 20_000, inserted: 1, duplicates: 19_999, rejected: 0 });
    expect(await count('SELECT count(*) AS n FROM events')).toBe(1);
  });

  it('rejects malformed lines with their line numbers and loads the rest', async () => {
    const good = cloudTrailNdjson(0, 3).trim().split('\n');
    const text = [good[0], '', '{"eventName": "Sign", broken', good[1], '[1,2]', '"just a string"', good[2]].join('\r\n');
    const dir = fixtureDir({ 'mixed.ndjson': text });
    store = await Store.open(':memory:');
    const r = await ingest(store, [dir]);
    expect(r.files[0]).toMatchObject({ records: 6, inserted: 3, rejected: 3 });
    const rejects = await store.all('SELECT line_no, reason FROM rejects ORDER BY line_no');
    expect(rejects).toEqual([
      { line_no: 3, reason: 'malformed JSON' },
      { line_no: 5, reason: 'not a JSON object (array)' },
      { line_no: 6, reason: 'not a JSON object (varchar)' },
    ]);
  });

  it('reports files no adapter recognises by name, and keeps them in rejects', async () => {
    const dir = fixtureDir({
      'notes.txt': 'incident notes, not a log\n',
      'empty.json': '',
      'image.json': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3]),
      'other.ndjson': '{"hello": "world"}\n',
    });
    store = await Store.open(':memory:');
    const r = await ingest(store, [dir]);
    expect(r.files.map((f) => [path.basename(f.path), f.status, f.message])).toEqual([
      ['empty.json', 'unrecognised', 'empty file'],
      ['image.json', 'unrecognised', 'binary content, not a log'],
      ['notes.txt', 'unrecognised', 'no adapter recognises this content (use --source to force one)'],
      ['other.ndjson', 'unrecognised', 'no adapter recognises this content (use --source to force one)'],
    ]);
    expect(await count('SELECT count(*) AS n FROM rejects')).toBe(4);
  });

  it('lets --source force an adapter, and a forced retry replaces the unrecognised attempt', async () => {
    const rec = cloudTrailRecord({ i: 1 });
    delete rec.eventSource; // no longer looks like CloudTrail to the detector
    const dir = fixtureDir({ 'odd.ndjson': JSON.stringify(rec) + '\n' });
    store = await Store.open(':memory:');
    expect((await ingest(store, [dir])).files[0].status).toBe('unrecognised');
    const forced = await ingest(store, [dir], { source: 'aws-cloudtrail' });
    expect(forced.files[0]).toMatchObject({ status: 'loaded', inserted: 1 });
    expect(await count('SELECT count(*) AS n FROM files')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM rejects')).toBe(0);
  });

  it('refuses an unknown --source as a usage error', async () => {
    store = await Store.open(':memory:');
    const err = await ingest(store, ['.'], { source: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SigtrailError);
    expect((err as SigtrailError).code).toBe('USAGE');
  });

  it('walks folders recursively and survives a symlink loop', async () => {
    const dir = fixtureDir({ 'a/b/c.ndjson': cloudTrailNdjson(0, 2) });
    fs.symlinkSync(dir, path.join(dir, 'a', 'b', 'loop'));
    store = await Store.open(':memory:');
    const r = await ingest(store, [dir]);
    expect(r.files).toHaveLength(1);
    expect(r.skipped.some((s) => s.reason.includes('symlink loop'))).toBe(true);
  });
});

describe('an interrupted ingest', () => {
  it('killed at random points, leaves every file complete or absent, and a re-run ends exactly as an uninterrupted run', async () => {
    // Volume to be killed in (three 40k-record files), and every adapter's real files beside it,
    // with broken lines and a damaged .gz, so rejects, signatures and ci_runs are interrupted too.
    const dir = tempDir();
    const perFileRecords = 40_000;
    for (let f = 0; f < 3; f++) fs.writeFileSync(path.join(dir, `part-${f}.ndjson`), cloudTrailNdjson(f * perFileRecords, (f + 1) * perFileRecords));
    const good = cloudTrailNdjson(200_000, 200_003).trim().split('\n');
    fs.writeFileSync(path.join(dir, 'mixed.ndjson'), [good[0], '{"broken', good[1], '[1]', good[2]].join('\n') + '\n');
    const gz = zlib.gzipSync(cloudTrailNdjson(300_000, 302_000));
    fs.writeFileSync(path.join(dir, 'cut.ndjson.gz'), gz.subarray(0, gz.length >> 1));
    const inputs = [dir, REALDATA];

    const reference = await Store.open(':memory:');
    await ingest(reference, inputs);
    const want = await storeSnapshot(reference);
    const wantPerFile = await perFileCounts(reference);
    reference.close();

    const db = path.join(tempDir(), 'case.duckdb');
    const run = (killAfterMs?: number): Promise<number | null> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/cli-entry.ts'), '--db', db, 'ingest', ...inputs], {
          cwd: ROOT,
          stdio: 'ignore',
        });
        const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        child.on('exit', (code) => {
          if (timer) clearTimeout(timer);
          resolve(code);
        });
      });
    // Kill points from a fixed seed (replayable), spread over start-up, the big files and the small ones.
    const prng = new Prng(seedFromEnv(7));
    const kills = Array.from({ length: 5 }, () => 700 + prng.int(6_500)).sort((a, b) => a - b);
    const progress: string[] = [];
    for (const ms of kills) {
      await run(ms);
      if (!fs.existsSync(db)) continue;
      store = await Store.open(db);
      progress.push(`${ms} ms: ${await count("SELECT count(*) AS n FROM files WHERE status = 'loaded'")} files`);
      // Consistent after every kill: counts match the tables, and each loaded file holds exactly
      // what it holds after an uninterrupted run (nothing partial, nothing twice).
      await expectStoreConsistent(store);
      for (const [p, n] of await perFileCounts(store)) expect(n, `${p} after a kill at ${ms} ms`).toBe(wantPerFile.get(p));
      store.close();
      store = undefined;
    }
    console.log(`interrupted ingest, killed at: ${progress.join(', ')}`);
    expect(await run()).toBe(0);
    store = await Store.open(db);
    await expectStoreConsistent(store);
    expect(await storeSnapshot(store)).toEqual(want);
    expect(await count('SELECT count(*) AS n FROM events')).toBeGreaterThan(3 * perFileRecords);
  }, 300_000);
});

describe('gzip inputs', () => {
  it('loads the records before the damage in a truncated .gz, and rejects the rest with a reason', async () => {
    const gz = zlib.gzipSync(cloudTrailNdjson(0, 2000));
    const dir = fixtureDir({ 'cut.ndjson.gz': gz.subarray(0, Math.floor(gz.length / 2)) });
    store = await Store.open(':memory:');
    const r = await ingest(store, [dir]);
    const f = r.files[0];
    expect(f.status).toBe('loaded');
    expect(f.inserted).toBeGreaterThan(100);
    expect(f.inserted).toBeLessThan(2000);
    const reasons = await store.all<{ reason: string }>('SELECT reason FROM rejects ORDER BY reason');
    expect(reasons.some((x) => /corrupt gzip stream/.test(x.reason))).toBe(true);
    // The line cut in half by the damage is rejected, not half-loaded.
    expect(reasons.some((x) => x.reason === 'malformed JSON')).toBe(true);
  });

  it('stops a decompression bomb at the configured cap with a clear reason', async () => {
    // ~10 KB of gzip that inflates to 10 MB of valid-looking records.
    const gz = zlib.gzipSync(Buffer.from(cloudTrailNdjson(0, 1).repeat(8000)), { level: 9 });
    const dir = fixtureDir({ 'bomb.json.gz': gz });
    const saved = process.env.SIGTRAIL_MAX_INFLATED_BYTES;
    process.env.SIGTRAIL_MAX_INFLATED_BYTES = String(1024 * 1024);
    try {
      store = await Store.open(':memory:');
      const r = await ingest(store, [dir]);
      expect(r.files[0]).toMatchObject({ status: 'failed', inserted: 0 });
      expect(r.files[0].message).toMatch(/decompresses to more than 1048576 bytes/);
      expect(await count('SELECT count(*) AS n FROM events')).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.SIGTRAIL_MAX_INFLATED_BYTES;
      else process.env.SIGTRAIL_MAX_INFLATED_BYTES = saved;
    }
  });
});
