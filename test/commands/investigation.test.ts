/** The investigation commands through the CLI, over the incident written to a database file. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLedgerIncident, CASE } from '../fixtures/incident.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

let db: string;
let caseFile: string;
const cli = (...args: string[]) => runCli(['--db', db, ...args]);

beforeAll(async () => {
  const dir = tempDir();
  db = path.join(dir, 'case.duckdb');
  caseFile = path.join(dir, 'case.json');
  fs.writeFileSync(caseFile, JSON.stringify(CASE, null, 2));
  const inc = await buildLedgerIncident(db);
  inc.store.close();
});

describe('--format json shapes (stable contract)', () => {
  it('window: {key, earliest_possible, first_evidence, contained_at, last_use, open, evidence[{bound, ts, source, ref, summary}]}', async () => {
    const r = await cli('--format', 'json', 'window', '--case', caseFile);
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(w)).toEqual(expect.arrayContaining(['key', 'earliest_possible', 'first_evidence', 'contained_at', 'last_use', 'open', 'evidence']));
    expect(w).toMatchObject({ key: CASE.keys, earliest_possible: '2024-02-04T10:00:00Z', contained_at: '2025-03-10T20:15:00Z', open: true });
    for (const e of w.evidence as Record<string, unknown>[]) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['bound', 'ts', 'source', 'ref', 'summary']));
    }
  });

  it('signed: an array of {log_index, entry_uuid, integrated_time, artifact_digest, subjects, signer, key_fingerprint, run_id, verdict, reasons}', async () => {
    const r = await cli('--format', 'json', 'signed', '--case', caseFile);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(26);
    for (const k of ['log_index', 'entry_uuid', 'integrated_time', 'artifact_digest', 'subjects', 'signer', 'key_fingerprint', 'run_id', 'verdict', 'reasons']) {
      expect(rows[0]).toHaveProperty(k);
    }
    expect(rows.filter((x) => x.verdict === 'anomalous')).toHaveLength(1);
    expect(rows.filter((x) => x.verdict === 'unattested')).toHaveLength(3);
  });

  it('signed --from/--to narrows the listing', async () => {
    const r = await cli('--format', 'json', 'signed', '--case', caseFile, '--from', '2025-03-10T00:00:00Z', '--to', '2025-03-10T15:00:00Z');
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(1);
  });

  it('anomalies: an array of {rule, severity, ts, actor, summary, evidence, mitre, owasp_nhi}', async () => {
    const r = await cli('--format', 'json', 'anomalies', '--case', caseFile);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(18);
    expect(Object.keys(rows[0])).toEqual(['rule', 'severity', 'ts', 'actor', 'summary', 'evidence', 'mitre', 'owasp_nhi', 'fingerprint']);
    expect((rows[0].evidence as Record<string, unknown>[])[0]).toMatchObject({ table: 'ci_runs', ci_uid: expect.any(String) as unknown, file: expect.any(String) as unknown, record_no: expect.any(Number) as unknown });
  });

  it('lateral: an array of {pivot, pivot_kind, ts, source, action, target, actor}', async () => {
    const rows = JSON.parse((await cli('--format', 'json', 'lateral', '--case', caseFile)).stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(8);
    for (const k of ['pivot', 'pivot_kind', 'ts', 'source', 'action', 'target', 'actor']) expect(rows[0]).toHaveProperty(k);
  });

  it('distrust: {digests: [...]} in JSON, one sha256: per line as text', async () => {
    const json = JSON.parse((await cli('--format', 'json', 'distrust', '--case', caseFile)).stdout) as { digests: string[] };
    expect(Object.keys(json)).toEqual(['digests']);
    expect(json.digests).toHaveLength(5);
    const text = await cli('distrust', '--case', caseFile);
    expect(text.stdout.trim().split('\n')).toEqual(json.digests);
    const all = JSON.parse((await cli('--format', 'json', 'distrust', '--case', caseFile, '--all-in-window')).stdout) as { digests: string[] };
    expect(all.digests.length).toBe(27);
  });

  it('access and timeline print through the same printer (csv, ndjson)', async () => {
    const csv = (await cli('--format', 'csv', 'access', '--case', caseFile)).stdout;
    expect(csv.split('\r\n')[0]).toBe('kind,who,expected,actions,first_seen,last_seen,count,failed,sources');
    const nd = (await cli('--format', 'ndjson', 'timeline', '--case', caseFile)).stdout.trim().split('\n');
    expect(JSON.parse(nd[0])).toMatchObject({ ts: '2024-02-04T10:00:00Z', source: 'aws.cloudtrail' });
  });
});

describe('tables for a person', () => {
  it('window prints the bounds and a one-line verdict on stderr', async () => {
    const r = await cli('--no-color', 'window', '--case', caseFile);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/first_evidence .* 2025-03-10T12:40:00Z/);
    expect(r.stderr).toMatch(/window 2024-02-04T10:00:00Z → OPEN/);
  });

  it('--key selectors and --expect flags work without a case file, and inferred expectations are listed', async () => {
    const r = await cli('anomalies', '--key', CASE.keys[0], '--key', 'secret:COSIGN_KEY');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/inferred from history/);
    expect(r.stderr).toMatch(/--expect-workflow acme\/ledger\/\.github\/workflows\/release\.yml +\(seen on 15 days, 15 uses\)/);
  });
});

describe('sigtrail query runs the case analyses by id', () => {
  it('with key= and expect_*= parameters', async () => {
    const r = await cli('--format', 'json', 'query', 'sign_denied', '--param', `case=${caseFile}`);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.map((x) => x.rule)).toEqual(['SIGN_DENIED', 'SIGN_DENIED']);
    const w = await cli('--format', 'json', 'query', 'access', '--param', 'key=secret:release/cosign-key', '--param', 'expect_principal=arn:aws:iam::111122223333:role/secret-sync');
    expect((JSON.parse(w.stdout) as Record<string, unknown>[]).find((x) => x.who === 'arn:aws:iam::111122223333:role/secret-sync')).toMatchObject({ expected: true });
  });

  it('refuses an unknown parameter', async () => {
    const r = await cli('query', 'window', '--param', 'keys=fp:x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown parameter "keys"/);
  });
});

describe('usage errors exit 2 with one line naming the field', () => {
  it.each([
    [['window'], /no key named/],
    [['window', '--key', 'COSIGN_KEY'], /--key "COSIGN_KEY" .* does not start with a selector kind/],
    [['signed', '--key', 'fp:abc'], /64 hex digits/],
    [['anomalies', '--key', 'secret:X', '--baseline-days', 'thirty'], /--baseline-days must be a whole number/],
    [['signed', '--key', 'secret:X', '--from', 'yesterday'], /--from "yesterday" is not an ISO-8601 time/],
  ])('%j', async (args, why) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad case file names the file and the field; --format json gives {error, code}', async () => {
    const bad = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ keys: ['fp:' + 'a'.repeat(64)], expected: { refs: [1] } }));
    const r = await cli('--format', 'json', 'window', '--case', bad);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: 'USAGE', error: expect.stringContaining('"expected.refs[0]" must be a string') as unknown });
  });

  it('a database that does not exist is a runtime error, not a crash', async () => {
    const r = await runCli(['--db', path.join(tempDir(), 'none.duckdb'), 'window', '--key', 'secret:X']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no database at/);
  });
});
