/**
 * Broken input, for every adapter in ADAPTERS: a real record of each (../shared/realdata) is
 * damaged in every way a log can arrive damaged — BOM, CRLF, empty and binary files, invalid
 * UTF-8, truncated and corrupt gzip, deep nesting, wrong types in every field, duplicate keys,
 * huge numbers — and the whole corpus goes through `sigtrail ingest` in one run.
 *
 * For each file: no crash (no file "failed"), no stack trace, a clear one-line message or a reject
 * with its file and line, the counts add up, and the good records around the damage are loaded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/sources/registry.js';
import { Store } from '../../src/store/database.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { STACK_LINE, expectFileAccounted, expectLinesCovered, expectStoreConsistent, type FileTally } from './helpers/accounting.js';
import { brokenCases, type BrokenCase } from './helpers/corpus.js';
import { Prng } from './helpers/prng.js';
import { seeds, type Seed } from './helpers/seeds.js';

const root = tempDir('sigtrail-broken-');
const db = path.join(tempDir(), 'broken.duckdb');
let seedMap: Map<string, Seed>;
const cases = new Map<string, BrokenCase[]>();
let cli: CliRun;
let outcomes: Map<string, FileTally>;
let store: Store;

beforeAll(async () => {
  seedMap = await seeds();
  const prng = new Prng(11);
  for (const [id, seed] of seedMap) {
    const list = brokenCases(seed.record, prng);
    cases.set(id, list);
    fs.mkdirSync(path.join(root, id));
    for (const c of list) fs.writeFileSync(path.join(root, id, c.name), c.content);
  }
  const started = Date.now();
  cli = await runCli(['--db', db, '--format', 'json', 'ingest', '--files', root]);
  // Generous: the corpus is ~100 small files; a hang on any of them would blow far past this.
  expect(Date.now() - started).toBeLessThan(150_000);
  const rows = JSON.parse(cli.stdout) as FileTally[];
  outcomes = new Map(rows.map((r) => [r.path, { ...r, merged: r.records - r.inserted - r.duplicates - r.rejected }]));
  store = await Store.open(db, { readOnly: true });
}, 240_000);

afterAll(() => store?.close());

describe('broken input through `sigtrail ingest`', () => {
  it('covers every adapter in the registry with a real seed record', () => {
    expect([...seedMap.keys()].sort()).toEqual(ADAPTERS.map((a) => a.id).sort());
  });

  it('finishes with exit 0, no stack trace, and one line per message', () => {
    expect(cli.code).toBe(0);
    expect(cli.stderr).not.toMatch(STACK_LINE);
    expect(cli.stdout).not.toMatch(STACK_LINE);
    for (const line of cli.stderr.split('\n').filter(Boolean)) {
      expect(line).toMatch(/^(unrecognised|skipped|\d+ record\(s\) rejected)/);
    }
  });

  it('keeps the store consistent: counts match the tables, no event stored twice', async () => {
    await expectStoreConsistent(store);
  });
});

describe.each(ADAPTERS.map((a) => a.id))('broken input for %s', (id) => {
  const list = (): BrokenCase[] => cases.get(id) ?? [];

  it.each(brokenCases({}, new Prng(1)).map((c) => c.name))('%s', async (name) => {
    const c = list().find((x) => x.name === name);
    expect(c, `no seed for ${id}`).toBeDefined();
    const file = path.join(root, id, name);
    const f = outcomes.get(file);
    expect(f, `${file} not in the ingest output`).toBeDefined();
    const { fileId, rejects } = await expectFileAccounted(store, f!);
    const messages = [...rejects.map((r) => r.reason), ...cli.stderr.split('\n').filter((l) => l.includes(file))];

    if (c!.expect !== 'either') expect(f!.status, name).toBe(c!.expect);
    if (c!.reason) expect(messages.some((m) => c!.reason!.test(m)), `${name}: ${JSON.stringify(messages)}`).toBe(true);
    if (f!.status === 'unrecognised') {
      expect(f!.records).toBe(1);
      expect(cli.stderr).toContain(`unrecognised: ${file}: `);
      return;
    }
    expect(f!.adapter, name).toBe(id);
    if (c!.rejected !== undefined) expect(f!.rejected, `${name}: ${JSON.stringify(rejects.map((r) => r.reason))}`).toBe(c!.rejected);
    if (c!.lines !== undefined) {
      expect(f!.records, name).toBeGreaterThanOrEqual(c!.lines);
      const covered = await expectLinesCovered(store, fileId, c!.lines, f!);
      const rejectedLines = new Set(rejects.map((r) => r.line_no));
      for (const g of c!.good ?? []) expect(rejectedLines.has(g), `${name}: good line ${g} rejected`).toBe(false);
      for (const b of c!.bad ?? []) {
        expect(rejectedLines.has(b), `${name}: line ${b} should be rejected: ${JSON.stringify(rejects)}`).toBe(true);
        expect(covered.has(b)).toBe(true);
      }
      // Newline-delimited rejects point at their line.
      for (const r of rejects) if (r.record_no !== null) expect(r.line_no, `${name}: reject without a line: ${r.reason}`).not.toBeNull();
    }
  });
});
