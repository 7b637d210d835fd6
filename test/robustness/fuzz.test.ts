/**
 * Mutation fuzzing of the real records in ../shared/realdata, for every adapter.
 *
 * A fixed-seed PRNG mutates records (structure and bytes, helpers/mutate.ts) and whole files
 * (byte flips, cuts and insertions, gzip included). SIGTRAIL_FUZZ_CASES sets the number of cases
 * (default 3000, the CI run); SIGTRAIL_FUZZ_SEED replays or varies the sequence. Every file must
 * load without a crash ("failed"), every record must be in events/signatures or in rejects (or be
 * counted as a duplicate or merged line), and the counts in `files` must match the tables.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, type FileOutcome } from '../../src/ingest/pipeline.js';
import { ADAPTERS } from '../../src/sources/registry.js';
import { Store } from '../../src/store/database.js';
import { tempDir } from '../helpers/paths.js';
import { expectFileAccounted, expectLinesCovered, expectStoreConsistent } from './helpers/accounting.js';
import { mutateFile, mutateRecord } from './helpers/mutate.js';
import { Prng, seedFromEnv } from './helpers/prng.js';
import { realdataByAdapter, recordsOf, seeds } from './helpers/seeds.js';

const CASES = Number(process.env.SIGTRAIL_FUZZ_CASES) > 0 ? Number(process.env.SIGTRAIL_FUZZ_CASES) : 3000;
const SEED = seedFromEnv(20_251_106);
/** Mutated records per file; each file starts with its adapter's unmutated seed, so it is detected as usual. */
const PER_FILE = 80;
/** One case in this many mutates a whole realdata file instead of one record. */
const WHOLE_FILE_EVERY = 12;

interface FuzzFile {
  path: string;
  adapter: string;
  /** Lines written (records), for newline-delimited files. */
  lines?: number;
  cases: string[];
}

const dir = tempDir('sigtrail-fuzz-');
const files: FuzzFile[] = [];
let outcomes: Map<string, FileOutcome>;
let store: Store;
let started = 0;

beforeAll(async () => {
  const prng = new Prng(SEED);
  const seedMap = await seeds();
  const byAdapter = realdataByAdapter();
  const pools = new Map(ADAPTERS.map((a) => [a.id, (byAdapter.get(a.id) ?? []).flatMap((f) => recordsOf(f)).filter((r) => r !== null && typeof r === 'object')]));
  const adapters = ADAPTERS.map((a) => a.id).filter((id) => (pools.get(id)?.length ?? 0) > 0 && seedMap.has(id));

  const open = new Map<string, { lines: Buffer[]; cases: string[] }>();
  const flush = (id: string): void => {
    const f = open.get(id);
    if (!f || f.lines.length === 0) return;
    const p = path.join(dir, `${id}.${files.length}.ndjson`);
    fs.writeFileSync(p, Buffer.concat([Buffer.from(seedMap.get(id)!.text + '\n'), ...f.lines.flatMap((l) => [l, Buffer.from('\n')])]));
    files.push({ path: p, adapter: id, lines: f.lines.length + 1, cases: f.cases });
    open.set(id, { lines: [], cases: [] });
  };

  for (let i = 0; i < CASES; i++) {
    const id = adapters[i % adapters.length];
    if (i % WHOLE_FILE_EVERY === WHOLE_FILE_EVERY - 1) {
      const source = prng.pick(byAdapter.get(id)!);
      const m = mutateFile(prng, fs.readFileSync(source));
      const p = path.join(dir, `${id}.${files.length}.whole${path.extname(source)}`);
      fs.writeFileSync(p, m.line);
      files.push({ path: p, adapter: id, cases: [`case ${i}: ${path.basename(source)}: ${m.how.join('; ')}`] });
      continue;
    }
    const record = prng.pick(pools.get(id)!) as Parameters<typeof mutateRecord>[1];
    const m = mutateRecord(prng, record);
    const f = open.get(id) ?? { lines: [], cases: [] };
    open.set(id, f);
    f.lines.push(m.line);
    f.cases.push(`case ${i} (line ${f.lines.length + 1}): ${m.how.join('; ')}`);
    // Now and then the same mutated record twice: the second is a duplicate, not a loss.
    if (prng.int(10) === 0) {
      f.lines.push(m.line);
      f.cases.push(`case ${i} again (line ${f.lines.length + 1})`);
    }
    if (f.lines.length >= PER_FILE) flush(id);
  }
  for (const id of adapters) flush(id);

  store = await Store.open(':memory:');
  started = Date.now();
  const r = await ingest(store, [dir]);
  outcomes = new Map(r.files.map((f) => [f.path, f]));
}, 600_000);

afterAll(() => store?.close());

describe(`mutation fuzzing (${CASES} cases, seed ${SEED})`, () => {
  it('ingests every fuzz file without a crash, within the time budget', () => {
    expect(outcomes.size).toBe(files.length);
    const failed = [...outcomes.values()].filter((f) => f.status === 'failed');
    expect(failed.map((f) => `${f.path}: ${f.message} — ${files.find((x) => x.path === f.path)?.cases.join(' | ').slice(0, 2000)}`)).toEqual([]);
    // A few thousand small records: minutes would mean a hang or a pathological slowdown.
    expect(Date.now() - started).toBeLessThan(240_000);
  });

  it('accounts for every record of every file: stored, duplicate, merged or rejected with its line', async () => {
    let records = 0;
    const problems: string[] = [];
    for (const f of files) {
      const o = outcomes.get(f.path)!;
      records += o.records;
      try {
        const { fileId } = await expectFileAccounted(store, o);
        if (f.lines !== undefined && o.status === 'loaded') await expectLinesCovered(store, fileId, f.lines, o);
      } catch (e) {
        problems.push(`${path.basename(f.path)} (seed ${SEED}): ${String(e).split('\n')[0]}\n  ${f.cases.join('\n  ')}`);
      }
    }
    expect(problems).toEqual([]);
    expect(records).toBeGreaterThanOrEqual(CASES - Math.ceil(CASES / WHOLE_FILE_EVERY));
  });

  it('leaves the store consistent: table counts match the files, nothing stored twice', async () => {
    await expectStoreConsistent(store);
    const sums = [...outcomes.values()].reduce((s, f) => ({ inserted: s.inserted + f.inserted, rejected: s.rejected + f.rejected }), { inserted: 0, rejected: 0 });
    const t = await store.one<{ events: number; clean_signatures: number; rejects: number }>(`SELECT
      (SELECT count(*) FROM events) AS events,
      (SELECT count(*) FROM signatures WHERE decode_error IS NULL) AS clean_signatures,
      (SELECT count(*) FROM rejects) AS rejects`);
    expect(Number(t!.events) + Number(t!.clean_signatures)).toBe(sums.inserted);
    expect(Number(t!.rejects)).toBe(sums.rejected);
    console.log(`fuzz: ${CASES} cases (seed ${SEED}) in ${files.length} files: ${sums.inserted} stored, ${sums.rejected} rejected`);
  });
});
