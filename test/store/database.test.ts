import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SigtrailError } from '../../src/errors.js';
import { Store } from '../../src/store/database.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { tempDir } from '../helpers/paths.js';

const HOSTILE = [
  "'; DROP TABLE events; --",
  'Robert"); DELETE FROM files; --',
  '$1',
  '\\x00\u0000nul',
  '\u202eevil\u202c',
  '=HYPERLINK("http://x")',
  'a'.repeat(100_000),
];

let store: Store | undefined;
afterEach(() => store?.close());

describe('Store', () => {
  it('creates the canonical tables with a schema version', async () => {
    store = await Store.open(':memory:');
    const tables = await store.all<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['ci_runs', 'events', 'files', 'findings', 'meta', 'rejects', 'scans', 'signatures']),
    );
    expect(await store.one("SELECT value FROM meta WHERE key = 'schema_version'")).toEqual({ value: String(SCHEMA_VERSION) });
  });

  it('reopens an existing case database without migrating it again', async () => {
    const db = path.join(tempDir(), 'case.duckdb');
    store = await Store.open(db);
    await store.run("INSERT INTO files (path, sha256, bytes, status) VALUES ('a', 'b', 1, 'loaded')");
    store.close();
    store = await Store.open(db);
    expect(await store.one('SELECT count(*) AS n FROM files')).toEqual({ n: 1 });
  });

  it('refuses a database written by a newer sigtrail, with a typed error', async () => {
    const db = path.join(tempDir(), 'future.duckdb');
    store = await Store.open(db);
    await store.run("UPDATE meta SET value = '999' WHERE key = 'schema_version'");
    store.close();
    store = undefined;
    const err = await Store.open(db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SigtrailError);
    expect((err as SigtrailError).code).toBe('SCHEMA');
  });

  it('says the database is in use when another process holds it', async () => {
    const db = path.join(tempDir(), 'locked.duckdb');
    const { spawn } = await import('node:child_process');
    // A second process holds the write lock while this one tries to open the file.
    const holder = spawn(process.execPath, [
      '-e',
      `import('@duckdb/node-api').then(async ({DuckDBInstance}) => { const i = await DuckDBInstance.create(${JSON.stringify(db)}); await i.connect(); console.log('ready'); setTimeout(() => {}, 20000); })`,
    ], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const err = await Store.open(db).catch((e: unknown) => e);
      expect((err as SigtrailError).code).toBe('DATABASE_LOCKED');
    } finally {
      holder.kill();
    }
  });

  it.each(HOSTILE)('binds hostile values as data, never as SQL: %#', async (value) => {
    store = await Store.open(':memory:');
    await store.run(
      "INSERT INTO files (path, sha256, bytes, status) VALUES ($1, $2, 0, 'loaded')",
      [value, value],
    );
    const named = await store.all<{ path: string }>('SELECT path FROM files WHERE sha256 = $v', { v: value });
    expect(named).toEqual([{ path: value }]);
    expect(await store.one('SELECT count(*) AS n FROM events')).toEqual({ n: 0 });
  });

  it('binds lists and NULLs', async () => {
    store = await Store.open(':memory:');
    const row = await store.one<{ l: string[]; n: null }>('SELECT $1 AS l, $2 AS n', [['a', "b'c"], null]);
    expect(row).toEqual({ l: ['a', "b'c"], n: null });
  });

  it('rolls a failed transaction back completely', async () => {
    store = await Store.open(':memory:');
    await expect(
      store.transaction(async () => {
        await store!.run("INSERT INTO files (path, sha256, bytes, status) VALUES ('x', 'y', 1, 'loaded')");
        await store!.run('SELECT * FROM no_such_table');
      }),
    ).rejects.toThrow();
    expect(await store.one('SELECT count(*) AS n FROM files')).toEqual({ n: 0 });
  });

  it('opens read-only only when the file exists', async () => {
    const err = await Store.open(path.join(tempDir(), 'none.duckdb'), { readOnly: true }).catch((e: unknown) => e);
    expect((err as SigtrailError).code).toBe('NOT_FOUND');
    expect(fs.existsSync(path.join(tempDir(), 'none.duckdb'))).toBe(false);
  });
});
