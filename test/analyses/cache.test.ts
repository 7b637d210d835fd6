/**
 * The case cache: an investigation restored from `<db>.cache` answers exactly as one computed from
 * the store, whichever steps the first one ran; any change of data, case, tunables or a damaged
 * entry means computing afresh; the CLI keeps it, `--no-cache` does not, and writes drop it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Investigation, type InvestigateOptions } from '../../src/analyses/investigate.js';
import type { InvestigationResult } from '../../src/analyses/types.js';
import { parseCaseDocument } from '../../src/case/spec.js';
import type { Store } from '../../src/store/database.js';
import { CaseBuilder } from '../fixtures/case-builder.js';
import { buildLedgerIncident, CASE } from '../fixtures/incident.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

let dir: string;
let db: string;
let store: Store;
let fresh: InvestigationResult;
const spec = parseCaseDocument(CASE);

const entries = (cacheDir: string): string[] => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((n) => n.endsWith('.duckdb')) : []);

async function run(cacheDir: string, options: InvestigateOptions = {}, steps: (inv: Investigation) => Promise<unknown> = (inv) => inv.all()): Promise<Investigation> {
  const inv = new Investigation(store, spec, { ...options, cacheDir });
  await steps(inv);
  await inv.saveCache();
  return inv;
}

beforeAll(async () => {
  dir = tempDir('sigtrail-cache-');
  db = path.join(dir, 'case.duckdb');
  ({ store } = await buildLedgerIncident(db));
  fresh = await new Investigation(store, spec).all();
});
afterAll(() => store.close());

describe('an investigation restored from the case cache', () => {
  it('answers exactly as one computed from the store, without deriving the case again', async () => {
    const cacheDir = path.join(dir, 'c1');
    const first = await run(cacheDir);
    expect(first.timings.resolve).toBeGreaterThan(0);
    expect(entries(cacheDir)).toHaveLength(1);
    const second = new Investigation(store, spec, { cacheDir });
    expect(await second.all()).toEqual(fresh);
    expect(second.timings.resolve).toBeUndefined();
    expect(second.timings.cache).toBeGreaterThan(0);
    // Nothing new was computed, so nothing is written again.
    expect(await second.saveCache()).toBe(false);
  });

  it('continues from the steps the first command ran (window only) to the whole investigation', async () => {
    const cacheDir = path.join(dir, 'c2');
    await run(cacheDir, {}, (inv) => inv.window());
    const next = new Investigation(store, spec, { cacheDir });
    expect(await next.all()).toEqual(fresh);
    expect(next.timings.resolve).toBeUndefined();
    expect(next.timings.lateral).toBeGreaterThan(0);
    expect(await next.saveCache()).toBe(true);
    const third = new Investigation(store, spec, { cacheDir });
    expect(await third.all()).toEqual(fresh);
    expect(third.timings.lateral).toBeUndefined();
  });

  it('answers `query <rule>` from the cached findings, running nothing', async () => {
    const cacheDir = path.join(dir, 'c6');
    await run(cacheDir);
    const inv = new Investigation(store, spec, { cacheDir });
    const { rows } = await inv.query('sign_denied');
    expect(rows.map((r) => r.fingerprint)).toEqual(fresh.findings.filter((f) => f.rule === 'SIGN_DENIED').map((f) => f.fingerprint));
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(inv.timings)).toEqual(['cache']);
  });

  it('is not used for other tunables or another case', async () => {
    const cacheDir = path.join(dir, 'c3');
    await run(cacheDir);
    const other = await run(cacheDir, { baselineDays: 7 });
    expect(other.timings.resolve).toBeGreaterThan(0);
    const narrower = new Investigation(store, parseCaseDocument({ ...CASE, keys: CASE.keys.slice(0, 2) }), { cacheDir });
    await narrower.window();
    expect(narrower.timings.resolve).toBeGreaterThan(0);
    expect(entries(cacheDir)).toHaveLength(2);
  });

  it('recomputes over a damaged entry and replaces it', async () => {
    const cacheDir = path.join(dir, 'c4');
    await run(cacheDir);
    const [entry] = entries(cacheDir);
    fs.writeFileSync(path.join(cacheDir, entry), 'not a database');
    const inv = new Investigation(store, spec, { cacheDir });
    expect(await inv.all()).toEqual(fresh);
    expect(inv.timings.resolve).toBeGreaterThan(0);
    expect(await inv.saveCache()).toBe(true);
    expect(entries(cacheDir)).toEqual([entry]);
  });

  it('is not used once the data changed: a new record of the key is in the answer', async () => {
    const cacheDir = path.join(dir, 'c5');
    await run(cacheDir);
    const b = new CaseBuilder(store);
    await b.event({
      source: 'aws.cloudtrail', ts: '2025-03-10T22:00:00Z', action: 'secret.read', native_action: 'secretsmanager:GetSecretValue', outcome: 'success',
      principal: 'arn:aws:iam::111122223333:user/late-reader', actor: 'arn:aws:iam::111122223333:user/late-reader', source_ip: '203.0.113.99',
      target: 'release/cosign-key',
    });
    const inv = new Investigation(store, spec, { cacheDir });
    const r = await inv.all();
    expect(inv.timings.resolve).toBeGreaterThan(0);
    expect(r.access.map((a) => a.who)).toContain('arn:aws:iam::111122223333:user/late-reader');
    expect(fresh.access.map((a) => a.who)).not.toContain('arn:aws:iam::111122223333:user/late-reader');
  });
});

describe('the CLI and the case cache', () => {
  it('keeps one entry per case beside the database, gives the same answers from it, skips it with --no-cache, and drops it on a write', async () => {
    const d = tempDir('sigtrail-cache-cli-');
    const file = path.join(d, 'case.duckdb');
    const caseFile = path.join(d, 'case.json');
    fs.writeFileSync(caseFile, JSON.stringify(CASE));
    (await buildLedgerIncident(file)).store.close();
    const cacheDir = `${file}.cache`;
    const cli = (...args: string[]) => runCli(['--db', file, '--format', 'json', ...args]);

    const off = await cli('--no-cache', 'signed', '--case', caseFile);
    expect(off.code).toBe(0);
    expect(fs.existsSync(cacheDir)).toBe(false);

    const cold = await cli('signed', '--case', caseFile);
    expect(entries(cacheDir)).toHaveLength(1);
    const warm = await cli('signed', '--case', caseFile);
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.stdout).toBe(off.stdout);
    const lateral = await cli('lateral', '--case', caseFile);
    expect(JSON.parse(lateral.stdout)).toEqual(JSON.parse((await cli('--no-cache', 'lateral', '--case', caseFile)).stdout));

    expect((await cli('sql', '--write', "UPDATE events SET outcome = 'denied' WHERE event_uid = (SELECT min(event_uid) FROM events)")).code).toBe(0);
    expect(fs.existsSync(cacheDir)).toBe(false);
  });
});
