/**
 * Injection: hostile text in every field that an adapter maps (found per adapter from a real seed
 * record, helpers/mapping.ts), in certificates and in-toto statements, and in file names, goes
 * through `sigtrail ingest` and out through every output format and the HTML report.
 *
 * Unchanged in meaning: the database holds each value byte for byte; JSON output and CSV cells
 * give it back exactly (CSV with a leading quote where it would start a formula).
 * Inert in effect: no SQL text ever contains data (every statement DuckDB receives is captured),
 * no escape sequence or bidi control reaches a terminal, no CSV cell starts a formula, and the
 * HTML report runs no script, loads nothing and adds no element.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeReport } from '../../src/report/write.js';
import { readCustody } from '../../src/report/custody.js';
import type { ReportModel } from '../../src/report/model.js';
import { Store } from '../../src/store/database.js';
import { rawRecord } from '../../src/store/raw.js';
import { EVENT_COLUMNS } from '../../src/store/schema.js';
import type { Row } from '../../src/store/values.js';
import { incidentModel } from '../fixtures/report-model.js';
import { launch, openReport, type Browser } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { runCliBytes } from './helpers/cli-bytes.js';
import { tempDir } from '../helpers/paths.js';
import { STACK_LINE, expectStoreConsistent } from './helpers/accounting.js';
import { HOSTILE_STRINGS, SQL_TOKENS } from './helpers/hostile.js';
import { EXTENSION_COLUMNS, hostileSigstore } from './helpers/hostile-sigstore.js';
import { getAt, nodes, pathText, type Json, type JsonPath } from './helpers/json-tree.js';
import { discoverMapping, variantLines, type AdapterMapping, type FieldMapping } from './helpers/mapping.js';
import { seeds, type Seed } from './helpers/seeds.js';

/** Every SQL text handed to DuckDB while this file runs. */
const statements: string[] = [];
const SQL_METHODS = [
  'run', 'runAndRead', 'runAndReadAll', 'runAndReadUntil', 'stream', 'streamAndRead', 'streamAndReadAll', 'streamAndReadUntil',
  'start', 'startThenRead', 'startThenReadAll', 'startThenReadUntil', 'startStream', 'startStreamThenRead', 'startStreamThenReadAll',
  'startStreamThenReadUntil', 'prepare', 'extractStatements',
] as const;

// Any character that would act on a terminal, or change how the text around it is displayed.
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/** Columns that summarise their field rather than copy it. */
const DERIVED = new Set(['error_code']);

interface Planted {
  adapter: string;
  field: FieldMapping | { path: JsonPath; exact: string[]; within: string[] };
  hostile: string;
  recordNo: number;
}

const root = tempDir('sigtrail-inject-');
const db = path.join(tempDir(), 'inject.duckdb');
let store: Store;
let seedMap: Map<string, Seed>;
const mappings = new Map<string, AdapterMapping>();
const planted: Planted[] = [];
let sans: string[] = [];
let ingestRun: Awaited<ReturnType<typeof runCli>>;

/** A file name carrying hostile text (no `/` or NUL, which no file system allows; bounded length). */
function fileNameFor(h: string, i: number): string {
  // eslint-disable-next-line no-control-regex
  const safe = h.replace(/[/\u0000]/g, '_');
  return `${i}-${Buffer.from(safe).subarray(0, 150).toString('utf8').replace(/\uFFFD+$/, '')}.ndjson`;
}

beforeAll(async () => {
  for (const m of SQL_METHODS) {
    const proto = DuckDBConnection.prototype as unknown as Record<string, (this: DuckDBConnection, sql: string, ...rest: unknown[]) => unknown>;
    const original = proto[m];
    vi.spyOn(DuckDBConnection.prototype, m).mockImplementation(function (this: DuckDBConnection, sql: string, ...rest: unknown[]) {
      statements.push(sql);
      return original.call(this, sql, ...rest);
    } as never);
  }

  seedMap = await seeds();
  for (const [id, seed] of seedMap) {
    if (seed.table !== 'events') continue;
    const m = await discoverMapping(seed);
    mappings.set(id, m);
    // Every field mapped to a column of its own, every field whose change rejects the record, and
    // a few that only reach raw/details.
    const fields = [...m.mapped.filter((f) => f.exact.length > 0), ...m.rejecting.map((p) => ({ path: p, exact: [], within: [] })), ...m.mapped.filter((f) => f.exact.length === 0).slice(0, 6)];
    const lines = [seed.text];
    HOSTILE_STRINGS.forEach((h, j) => {
      const copies = variantLines(seed, m, fields.map((f) => f.path), () => h, `h${j}`).slice(1);
      copies.forEach((line, k) => {
        lines.push(line);
        planted.push({ adapter: id, field: fields[k], hostile: h, recordNo: lines.length });
      });
    });
    fs.mkdirSync(path.join(root, id), { recursive: true });
    fs.writeFileSync(path.join(root, id, 'hostile.ndjson'), lines.join('\n') + '\n');
  }

  const sig = await hostileSigstore(HOSTILE_STRINGS);
  sans = sig.sans;
  fs.mkdirSync(path.join(root, 'sigstore'));
  fs.writeFileSync(path.join(root, 'sigstore', 'rekor.ndjson'), sig.rekorLines.join('\n') + '\n');
  fs.writeFileSync(path.join(root, 'sigstore', 'bundles.ndjson'), sig.bundleLines.join('\n') + '\n');
  const roots = sig.trustedRoots.map((r, i) => {
    const p = path.join(tempDir(), `trusted_root.${i}.json`);
    fs.writeFileSync(p, JSON.stringify(r));
    return p;
  });
  // Records the adapters reject, carrying hostile text into rejects.reason / snippet.
  fs.writeFileSync(
    path.join(root, 'sigstore', 'not-bundles.ndjson'),
    HOSTILE_STRINGS.map((h) => JSON.stringify({ mediaType: `application/vnd.dev.sigstore.bundle.v0.3+json${h}`, verificationMaterial: { x: h } })).join('\n') + '\n',
  );
  // Hostile file names, each holding a real record.
  const names = path.join(root, 'names');
  fs.mkdirSync(names);
  const ct = seedMap.get('aws-cloudtrail')!;
  HOSTILE_STRINGS.forEach((h, i) => fs.writeFileSync(path.join(names, fileNameFor(h, i)), ct.text.replace('"eventVersion"', `"zz${i}":1,"eventVersion"`) + '\n'));

  ingestRun = await runCli(['--db', db, 'ingest', ...roots.flatMap((r) => ['--trusted-root', r]), root]);
  store = await Store.open(db, { readOnly: true });
}, 300_000);

afterAll(() => {
  store?.close();
  vi.restoreAllMocks();
});

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

describe('hostile values through ingest', () => {
  it('ingests everything without a stack trace, and the store stays consistent', async () => {
    expect(ingestRun.code).toBe(0);
    expect(ingestRun.stderr).not.toMatch(STACK_LINE);
    expect(ingestRun.stdout).not.toMatch(TERMINAL_UNSAFE);
    expect(ingestRun.stderr).not.toMatch(TERMINAL_UNSAFE);
    await expectStoreConsistent(store);
  });

  it('found mapped fields for every events adapter', () => {
    for (const [id, m] of mappings) expect(m.mapped.filter((f) => f.exact.length > 0).length, id).toBeGreaterThan(0);
  });

  it('stores each hostile value byte for byte in the columns its field maps to, and in raw', async () => {
    const problems: string[] = [];
    for (const [id] of mappings) {
      const rows = new Map(
        (await store.all(
          `SELECT e.*, CAST(e.raw AS VARCHAR) AS raw_text FROM events e JOIN files f USING (file_id) WHERE f.path = $1`,
          [path.join(root, id, 'hostile.ndjson')],
        )).map((r) => [Number(r.record_no), r]),
      );
      const rejected = new Map(
        (await store.all<{ record_no: number; reason: string }>(
          'SELECT record_no, reason FROM rejects WHERE path = $1', [path.join(root, id, 'hostile.ndjson')],
        )).map((r) => [Number(r.record_no), r.reason]),
      );
      let rereads = 0;
      for (const p of planted.filter((x) => x.adapter === id)) {
        const where = `${id} ${pathText(p.field.path)} ← ${JSON.stringify(p.hostile.slice(0, 40))}`;
        const row = rows.get(p.recordNo);
        if (!row) {
          if (p.field.exact.length > 0 || !rejected.has(p.recordNo)) problems.push(`${where}: ${rejected.get(p.recordNo) ?? 'neither stored nor rejected'}`);
          continue;
        }
        // The value is kept verbatim somewhere in the row (a column, or details/raw); an uncited
        // event keeps no raw, only its pointer, and is re-read from its verified file (a sample of them).
        const values = [...EVENT_COLUMNS.map((c) => row[c]), ...['details', 'raw'].flatMap((c) => (row[c] === null ? [] : nodes(JSON.parse(text(row[c])) as Json).map((n) => n.value)))];
        if (!values.includes(p.hostile) && row.raw === null && rereads++ < 5) {
          const again = await rawRecord(store, text(row.event_uid));
          if (getAt(again.record, p.field.path) !== p.hostile) problems.push(`${where}: re-read record differs`);
        } else if (!values.includes(p.hostile) && row.raw !== null) problems.push(`${where}: not kept verbatim anywhere`);
        // …and each column the field maps to holds it as it is, or lower-cased where the adapter
        // normalises an identifier (Azure UPNs); error_code is by design a summary parsed out of the error text.
        for (const c of p.field.exact) {
          if (row[c] !== p.hostile && row[c] !== p.hostile.toLowerCase() && !DERIVED.has(c)) problems.push(`${where}: ${c} = ${JSON.stringify(text(row[c]).slice(0, 60))}`);
        }
        if (row.raw_text !== null) {
          // raw is the record as read, or (Vault) the request and response lines it joins: the field is
          // at the same path, or under one more key.
          const raw = JSON.parse(text(row.raw_text)) as Json;
          const want = pathText(p.field.path);
          const found = getAt(raw, p.field.path) === p.hostile || nodes(raw).some((n) => n.path.length === p.field.path.length + 1 && pathText(n.path).endsWith(want) && n.value === p.hostile);
          if (!found) problems.push(`${where}: raw differs`);
        }
      }
    }
    if (problems.length) console.log(problems.slice(0, 400).join("\n"));
    expect(problems).toEqual([]);
  });

  it('stores hostile certificate and in-toto text unchanged in signatures, through both adapters', async () => {
    for (const file of ['rekor.ndjson', 'bundles.ndjson']) {
      const rows = await store.all(
        'SELECT s.* FROM signatures s JOIN files f USING (file_id) WHERE f.path = $1 ORDER BY s.record_no', [path.join(root, 'sigstore', file)],
      );
      expect(rows.map((r) => Number(r.record_no))).toEqual(HOSTILE_STRINGS.map((_, i) => i + 1));
      rows.forEach((r, i) => {
        const h = HOSTILE_STRINGS[i];
        expect(r.tlog_verified, file).toBe('verified');
        expect(r.san, file).toBe(sans[i]);
        for (const c of EXTENSION_COLUMNS) expect(r[c], `${file} ${c} #${i}`).toBe(h);
        // A dsse body in the log holds hashes only; the statement itself comes with a bundle.
        if (file === 'bundles.ndjson') {
          expect(r.predicate_type).toBe(h);
          expect((JSON.parse(text(r.subjects)) as { name: string }[]).map((s) => s.name)).toEqual([h]);
        }
      });
    }
  });

  it('keeps hostile file names exactly, each with its own record', async () => {
    const files = await store.all<{ path: string; records: number }>("SELECT path, records FROM files WHERE path LIKE $1 ORDER BY file_id", [`${path.join(root, 'names')}/%`]);
    expect(files.map((f) => path.basename(f.path)).sort()).toEqual(HOSTILE_STRINGS.map(fileNameFor).sort());
    expect(files.every((f) => Number(f.records) === 1)).toBe(true);
  });

});

const QUERIES = {
  events: 'SELECT * FROM events ORDER BY file_id, record_no',
  signatures: 'SELECT * FROM signatures ORDER BY file_id, record_no',
  rejects: 'SELECT * FROM rejects ORDER BY file_id, record_no',
  files: 'SELECT * FROM files ORDER BY file_id',
};

describe.each(Object.entries(QUERIES))('hostile %s through every output format', (_table, sql) => {
  let expected: Row[];
  beforeAll(async () => {
    expected = await store.all(sql);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('table: no control or bidi character reaches the terminal', async () => {
    // Every 7th row still holds every hostile string in every field (they cycle with a different
    // period); all rows would spend ~20 s in cli-table3 alone, whatever the text.
    const r = await runCli(['--db', db, 'sql', `SELECT * FROM (${sql}) QUALIFY row_number() OVER () % 7 = 0 OR count(*) OVER () < 400`]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(TERMINAL_UNSAFE);
    expect(r.stderr).not.toMatch(TERMINAL_UNSAFE);
  });

  it('json and ndjson: parse back to exactly the stored values, with controls escaped', async () => {
    const json = await runCli(['--db', db, '--format', 'json', 'sql', sql]);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(TERMINAL_UNSAFE);
    expect(JSON.parse(json.stdout)).toEqual(expected);
    const nd = await runCli(['--db', db, '--format', 'ndjson', 'sql', sql]);
    expect(nd.stdout).not.toMatch(TERMINAL_UNSAFE);
    const lines = nd.stdout.split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l) as Row)).toEqual(expected);
  });

  it('csv: no cell starts a formula, and every cell reads back as the stored text', async () => {
    const r = await runCli(['--db', db, '--format', 'csv', 'sql', sql]);
    const rows: string[][] = parse(r.stdout, { relax_column_count: false });
    const [head, ...body] = rows;
    expect(body).toHaveLength(expected.length);
    body.forEach((cells, i) => {
      cells.forEach((cell, j) => {
        expect(FORMULA_START.test(cell), `formula in ${head[j]}: ${cell.slice(0, 40)}`).toBe(false);
        const v = expected[i][head[j]];
        const want = v === null ? '' : typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x !== 'object') ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
        expect(cell.startsWith("'") && FORMULA_START.test(want) ? cell.slice(1) : cell).toBe(want);
      });
    });
  });

  it('arrow: the IPC stream reads back to the same rows', async () => {
    const r = await runCliBytes(['--db', db, '--format', 'arrow', 'sql', sql]);
    expect(r.code).toBe(0);
    const t = tableFromIPC(r.stdout);
    expect(t.numRows).toBe(expected.length);
    // String columns carry the stored text exactly.
    for (const name of t.schema.fields.map((f) => f.name)) {
      const strings = expected.filter((row) => typeof row[name] === 'string');
      if (strings.length !== expected.length) continue;
      expect(t.getChild(name)!.toArray() as string[], name).toEqual(expected.map((row) => row[name]));
    }
  });
});

// Selectors and expectations are user input, and match hostile store values: SANs that are
// hostile text themselves, and those that carry it in their extensions.
const KEYS = [
  '--key', 'identity:hostile-*@example.com', '--key', 'identity:javascript:*', '--key', 'identity:*<script>*', '--key', "identity:x'OR'1'='1",
  '--key', "secret:';DROP/**/TABLE/**/events;--", '--key', 'kms:<script>alert(1)</script>', '--key', 'vault:../../sys/raw',
  '--expect-workflow', '=HYPERLINK("http://evil.example")', '--expect-identity', '<img/src/onerror=alert(1)>',
];

describe('hostile values in the HTML report', () => {
  let browser: Browser | undefined;
  let lastText = '';
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens report.html in Chromium: nothing runs, loads or is added; no CSV cell is a formula. */
  async function expectInertReport(out: string): Promise<void> {
    for (const csv of fs.readdirSync(out).filter((f) => f.endsWith('.csv'))) {
      const rows: string[][] = parse(fs.readFileSync(path.join(out, csv), 'utf8'));
      for (const row of rows) {
        for (const cell of row) expect(FORMULA_START.test(cell), `${csv}: ${cell.slice(0, 40)}`).toBe(false);
      }
    }
    browser ??= await launch();
    const { page, watch, url } = await openReport(browser.context, path.join(out, 'report.html'));
    for (const select of await page.locator('.pager select').all()) await select.selectOption('0');
    await page.mouse.move(300, 300);
    await page.waitForTimeout(300);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(watch.dialogs).toEqual([]);
    expect(watch.requests).toEqual([url]);
    expect(watch.pageErrors).toEqual([]);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('iframe, img, object, embed, form, link, base, foreignObject').count()).toBe(0);
    const handlers = await page.evaluate<string[]>(
      "[...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on'))",
    );
    expect(handlers).toEqual([]);
    lastText = await page.locator('body').innerText();
    await page.close();
  }

  it('`sigtrail report` over the hostile store, with hostile selectors, writes an inert report that shows the text', async () => {
    const out = tempDir('sigtrail-inject-cli-report-');
    const r = await runCli(['--db', db, 'report', ...KEYS, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(TERMINAL_UNSAFE);
    await expectInertReport(out);
    // Hostile in-toto subject names and file names (chain of custody) are shown as text.
    expect(lastText).toContain('<script>window.__pwned');
    expect(lastText).toContain('DROP TABLE events');
  }, 180_000);

  it('runs no script, loads nothing and adds no element, with every table built from the hostile store', async () => {
    const base = incidentModel();
    const events = await store.all<Row>('SELECT e.*, f.path AS file FROM events e JOIN files f USING (file_id) ORDER BY e.file_id, e.record_no LIMIT 3000');
    const sigs = await store.all<Row>('SELECT s.*, f.path AS file FROM signatures s JOIN files f USING (file_id) ORDER BY s.file_id, s.record_no');
    const rejects = await store.all<Row>('SELECT * FROM rejects ORDER BY file_id, record_no LIMIT 2000');
    const str = (v: unknown): string | null => (v === null || v === undefined ? null : text(v));
    const model: ReportModel = {
      ...base,
      timeline: [
        ...events.map((e) => ({ ts: str(e.ts), source: text(e.source), action: text(e.action), actor: str(e.actor), target: str(e.target), summary: str(e.user_agent ?? e.native_action), file: str(e.file), record_no: Number(e.record_no) })),
        ...rejects.map((r) => ({ ts: null, source: 'rejects', action: 'reject', actor: null, target: str(r.path), summary: `${text(r.reason)} ${text(r.snippet)}`, file: str(r.path), record_no: r.record_no === null ? null : Number(r.record_no) })),
      ],
      signed: sigs.map((s) => ({
        log_index: (s.log_index as number) ?? null, entry_uuid: text(s.entry_uuid), integrated_time: str(s.integrated_time), artifact_digest: str(s.artifact_digest),
        subjects: (JSON.parse(text(s.subjects) || '[]') as { name: string; digest: string }[]).map((x) => ({ name: x.name, digest: text(x.digest) })),
        signer: str(s.san), key_fingerprint: str(s.key_fingerprint), run_id: str(s.run_invocation_uri), verdict: 'anomalous' as const,
        reasons: EXTENSION_COLUMNS.map((c) => text(s[c])), file: str(s.file), record_no: Number(s.record_no),
      })),
      custody: await readCustody(store),
    };
    const out = tempDir('sigtrail-inject-report-');
    await writeReport(out, model);
    await expectInertReport(out);
    // The text is there, shown: the report is not inert by dropping it.
    expect(lastText).toContain("'; DROP TABLE events; --");
  }, 180_000);
});

describe('hostile values and selectors through the analyses', () => {
  const commands = ['window', 'signed', 'anomalies', 'lateral', 'access', 'timeline', 'distrust'];

  it.each(commands)('%s: runs, and its table, JSON and CSV output stay inert', async (command) => {
    const table = await runCli(['--db', db, command, ...KEYS]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout + table.stderr).not.toMatch(TERMINAL_UNSAFE);
    expect(table.stderr).not.toMatch(STACK_LINE);
    const json = await runCli(['--db', db, '--format', 'json', command, ...KEYS]);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(TERMINAL_UNSAFE);
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
    const csv = await runCli(['--db', db, '--format', 'csv', command, ...KEYS]);
    expect(csv.code).toBe(0);
    const rows: string[][] = parse(csv.stdout, { relax_column_count: true });
    for (const cell of rows.flat()) expect(FORMULA_START.test(cell), cell.slice(0, 40)).toBe(false);
  });

  it('refuses a selector with control characters as a one-line usage error', async () => {
    const r = await runCli(['--db', db, 'window', '--key', 'vault:\u001b]0;x\u0007']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sigtrail: --key "vault:\\x1b\]0;x\\x07" contains control characters\n$/);
  });

  it('signed shows the hostile entries, their hostile subjects included, unchanged in JSON', async () => {
    const r = await runCli(['--db', db, '--format', 'json', 'signed', ...KEYS]);
    const rows = JSON.parse(r.stdout) as { subjects: { name: string }[] }[];
    expect(rows.length).toBeGreaterThan(10);
    const names = new Set(rows.flatMap((x) => x.subjects.map((s) => s.name)));
    for (const h of HOSTILE_STRINGS.filter((x) => !/^[\x20-\x7e]*$/.test(x))) expect(names.has(h), JSON.stringify(h.slice(0, 30))).toBe(true);
  });

  it('every canned query runs with hostile parameters', async () => {
    const list = JSON.parse((await runCli(['--db', db, '--format', 'json', 'queries'])).stdout) as { id: string; params: string }[];
    expect(list.length).toBeGreaterThan(5);
    for (const q of list) {
      const args = q.params.includes('key:') ? ['--param', 'key=identity:hostile-*@example.com'] : [];
      const r = await runCli(['--db', db, '--format', 'json', 'query', q.id, ...args]);
      expect([0, 2], `${q.id}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr, q.id).not.toMatch(STACK_LINE);
      expect(r.stdout, q.id).not.toMatch(TERMINAL_UNSAFE);
    }
  });
});

describe('afterwards', () => {
  it('builds no SQL from data: no statement DuckDB received contains hostile text', () => {
    expect(statements.length).toBeGreaterThan(100);
    const leaked = statements.filter((s) => SQL_TOKENS.some((t) => s.includes(t)) || /mk\d+x\d+q/.test(s));
    if (leaked.length) console.log([...new Set(leaked.map((s) => s.slice(0, 300)))].slice(0, 20).join("\n-----\n"));
    expect(leaked.map((s) => s.slice(0, 200))).toEqual([]);
  });
});
