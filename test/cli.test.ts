import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { realdata, tempDir } from './helpers/paths.js';

describe('the sigtrail program', () => {
  it('ingests, then answers SQL over the store', async () => {
    const db = path.join(tempDir(), 'case.duckdb');
    const ing = await runCli(['--db', db, 'ingest', realdata('aws', 'cloud_snitch_test_events.ndjson')]);
    expect(ing.code).toBe(0);
    expect(ing.stdout).toContain('aws-cloudtrail');
    const q = await runCli(['--db', db, '--format', 'json', 'sql', "SELECT count(*) AS n FROM events WHERE source = 'aws.cloudtrail'"]);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual([{ n: 3 }]);
  });

  it('honours SIGTRAIL_DB', async () => {
    const db = path.join(tempDir(), 'env.duckdb');
    expect((await runCli(['ingest', realdata('aws', 'cloud_snitch_test_events.ndjson')], { SIGTRAIL_DB: db })).code).toBe(0);
    const q = await runCli(['--format', 'csv', 'sql', 'SELECT count(*) AS n FROM files'], { SIGTRAIL_DB: db });
    expect(q.stdout).toBe('n\r\n1\r\n');
  });

  it('keeps the store read-only for ad-hoc SQL unless --write is given', async () => {
    const db = path.join(tempDir(), 'ro.duckdb');
    await runCli(['--db', db, 'ingest', realdata('aws', 'cloud_snitch_test_events.ndjson')]);
    const del = await runCli(['--db', db, 'sql', 'DELETE FROM events']);
    expect(del.code).toBe(1);
    expect(del.stderr).toMatch(/read-only/i);
    expect(del.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 with one clear line for a usage error', async () => {
    const r = await runCli(['ingest', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
    const f = await runCli(['--format', 'yaml', 'sources']);
    expect(f.code).toBe(2);
  });

  it('reports errors as {"error","code"} with --format json', async () => {
    const r = await runCli(['--format', 'json', '--db', path.join(tempDir(), 'x.duckdb'), 'query', 'no-such-analysis']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ code: 'USAGE' });
  });

  it('exits 1 under --strict when records were rejected', async () => {
    const db = path.join(tempDir(), 'strict.duckdb');
    const r = await runCli(['--db', db, 'ingest', '--strict', realdata('aws', 'awsdocs_AssumeRoleWithWebIdentity.MALFORMED.json.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--strict: 1 record\(s\) rejected/);
  });

  it('names a missing input path without a stack trace', async () => {
    const r = await runCli(['--db', path.join(tempDir(), 'm.duckdb'), 'ingest', '/no/such/place']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('sigtrail: no such file or folder: /no/such/place');
  });

  it('lists the adapters', async () => {
    const r = await runCli(['--format', 'json', 'sources']);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((x) => x.id);
    expect(ids).toContain('aws-cloudtrail');
  });

  it('runs the shell on piped statements with dot-commands', async () => {
    const db = path.join(tempDir(), 'shell.duckdb');
    await runCli(['--db', db, 'ingest', realdata('aws', 'cloud_snitch_test_events.ndjson')]);
    const { spawnSync } = await import('node:child_process');
    const { ROOT } = await import('./helpers/paths.js');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/cli-entry.ts'), '--db', db, '--format', 'csv', 'shell'], {
      cwd: ROOT,
      input: '.tables\nSELECT count(*) AS n\n  FROM events;\nSELECT * FROM nope;\n.quit\n',
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('events');
    expect(r.stdout).toContain('n\r\n3\r\n');
    expect(r.stderr).toMatch(/error: .*nope/);
  });
});
