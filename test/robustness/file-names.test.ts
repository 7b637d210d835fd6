/**
 * Hostile file names and folder shapes. Whoever filled the evidence folder chose its names: a name
 * must never change which bytes are read (DuckDB expands glob patterns in paths), what the terminal
 * shows, or whether ingest finishes (symlink loops, FIFOs, devices).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/database.js';
import { rawRecord } from '../../src/store/raw.js';
import { cloudTrailRecord } from '../fixtures/cloudtrail.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { STACK_LINE, expectStoreConsistent } from './helpers/accounting.js';

let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

/** Names that mean something to a glob, a shell, SQL, HTML or a terminal. */
const NAMES = [
  '*.ndjson', '?.ndjson', 'a[1].ndjson', 'a1.ndjson', '[!a]*.ndjson', '{a,b}.ndjson', '**', '~', '~root.json', '-rf.json',
  "it's \"quoted\".json", "'; DROP TABLE events; --.ndjson", '<script>alert(1)<\\script>.json', 'back\\slash.json',
  'new\nline.json', 'esc\u001b[31mred\u001b]8;;x\u0007.json', 'rlo\u202egnp.json', 'tab\there.json', 's3:', 'x'.repeat(250),
];

function writeCase(dir: string): Map<string, string> {
  // Each file holds one distinct record: a GetObject, which is not kept in `raw`, so it is re-read from the file.
  const ids = new Map<string, string>();
  NAMES.forEach((name, i) => {
    const rec = cloudTrailRecord({ i: i + 1, eventSource: 's3.amazonaws.com', eventName: 'GetObject' });
    fs.writeFileSync(path.join(dir, name), JSON.stringify(rec) + '\n');
    ids.set(path.join(dir, name), rec.eventID as string);
  });
  return ids;
}

describe('hostile file names', () => {
  it('read exactly their own bytes: one record each, under their own name, and re-readable', async () => {
    const dir = tempDir();
    const ids = writeCase(dir);
    store = await Store.open(':memory:');
    const r = await ingest(store, [dir]);
    expect(r.files).toHaveLength(NAMES.length);
    for (const f of r.files) {
      expect(f, f.path).toMatchObject({ status: 'loaded', records: 1, inserted: 1, duplicates: 0, rejected: 0 });
      const rows = await store.all<{ event_uid: string; path: string }>(
        'SELECT e.event_uid, f.path FROM events e JOIN files f USING (file_id) WHERE f.path = $1', [f.path],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].event_uid).toContain(ids.get(f.path));
      const raw = await rawRecord(store, rows[0].event_uid);
      expect(raw).toMatchObject({ source: 'file', path: f.path, record_no: 1 });
      expect((raw.record as { eventID: string }).eventID).toBe(ids.get(f.path));
    }
    await expectStoreConsistent(store);
  });

  it('reach the terminal as visible text, never as escape sequences', async () => {
    const dir = tempDir();
    writeCase(dir);
    const db = path.join(tempDir(), 'names.duckdb');
    const run = await runCli(['--db', db, 'ingest', '--files', dir]);
    expect(run.code).toBe(0);
    for (const out of [run.stdout, run.stderr]) {
      // eslint-disable-next-line no-control-regex
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(out).not.toMatch(STACK_LINE);
    }
    expect(run.stdout).toContain('esc\\x1b[31mred\\x1b]8;;x\\x07.json');
    expect(run.stdout).toContain('rlo\\u202egnp');
    expect(run.stdout).toContain('new\\nline');
  });
});

describe('folder shapes', () => {
  it('end: a symlink loop, a link to itself, a dangling link, a FIFO, a device and a folder named .json are skipped with a reason', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 'b', 'good.ndjson'), JSON.stringify(cloudTrailRecord({ i: 1 })) + '\n');
    fs.symlinkSync(dir, path.join(dir, 'a', 'b', 'loop'));
    fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'a', 'b', 'up'));
    fs.symlinkSync(path.join(dir, 'self.json'), path.join(dir, 'self.json'));
    fs.symlinkSync(path.join(dir, 'missing.json'), path.join(dir, 'dangling.json'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.json'));
    fs.mkdirSync(path.join(dir, 'folder.json'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.ndjson')]);
    const db = path.join(tempDir(), 'shapes.duckdb');
    const started = Date.now();
    const run = await runCli(['--db', db, 'ingest', dir]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(STACK_LINE);
    const skipped = run.stderr.split('\n').filter((l) => l.startsWith('skipped '));
    expect(skipped.some((l) => l.includes('symlink loop'))).toBe(true);
    expect(skipped.filter((l) => /self\.json|dangling\.json/.test(l)).every((l) => l.endsWith('unreadable or dangling link'))).toBe(true);
    expect(skipped.filter((l) => /pipe\.ndjson|zero\.json/.test(l)).every((l) => l.endsWith('not a regular file'))).toBe(true);
    expect(skipped).toHaveLength(6);
    store = await Store.open(db, { readOnly: true });
    expect(await store.all('SELECT path, status, records FROM files')).toEqual([{ path: path.join(dir, 'a', 'b', 'good.ndjson'), status: 'loaded', records: 1 }]);
  });
});
