/**
 * One real record per adapter, taken from ../shared/realdata, so that the robustness suite covers
 * every adapter in ADAPTERS — including ones added after it was written — without naming them.
 *
 * For each adapter: every realdata file that the real detection assigns to it contributes its
 * records (NDJSON lines, or the elements of a document / wrapper). The candidates are loaded in one
 * file with the adapter forced; the seed is the candidate that loads cleanly on its own line, is
 * detected as that adapter when it is a file's first line, and fills the most canonical columns.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chooseAdapter, ingest } from '../../../src/ingest/pipeline.js';
import { sniff } from '../../../src/ingest/sniff.js';
import { ADAPTERS } from '../../../src/sources/registry.js';
import { Store } from '../../../src/store/database.js';
import { EVENT_COLUMNS, SIGNATURE_COLUMNS } from '../../../src/store/schema.js';
import type { Row } from '../../../src/store/values.js';
import { REALDATA, tempDir } from '../../helpers/paths.js';
import { isObject, type Json } from './json-tree.js';

export interface Seed {
  adapter: string;
  /** Where the record came from, relative to realdata. */
  from: string;
  record: { [k: string]: Json };
  /** The record as one line of JSON. */
  text: string;
  /** The table its records land in. */
  table: 'events' | 'signatures';
  /** The row it produced when loaded alone. */
  row: Row;
}

const WRAPPERS = ['Records', 'records', 'Events', 'entries', 'items', 'workflow_runs', 'jobs', 'value'];
const MAX_CANDIDATES = 150;

/** Every regular file under realdata, except its documentation. */
function realdataFiles(): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isDirectory()) visit(p);
      else if (!name.endsWith('.md')) out.push(p);
    }
  };
  visit(REALDATA);
  return out;
}

function textOf(p: string): string {
  let buf = fs.readFileSync(p);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}

function unwrap(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) for (const k of WRAPPERS) if (Array.isArray(v[k]) && v[k].length > 0) return v[k];
  return [v];
}

/** The records of a realdata file, parsed: a whole document first, else one per line. */
export function recordsOf(p: string): unknown[] {
  const text = textOf(p);
  try {
    return unwrap(JSON.parse(text));
  } catch {
    return text.split('\n').filter((l) => l.trim() !== '').flatMap((l) => {
      try {
        return unwrap(JSON.parse(l));
      } catch {
        return [];
      }
    });
  }
}

/** Realdata files grouped by the adapter that detection picks for them. */
export function realdataByAdapter(): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const p of realdataFiles()) {
    const adapter = chooseAdapter(sniff(p));
    if (!adapter) continue;
    by.set(adapter.id, [...(by.get(adapter.id) ?? []), p]);
  }
  return by;
}

function tableOf(adapterEmits: readonly string[]): 'events' | 'signatures' {
  return adapterEmits.includes('signatures') ? 'signatures' : 'events';
}

function score(row: Row, table: 'events' | 'signatures'): number {
  const cols: readonly string[] = table === 'events' ? EVENT_COLUMNS : SIGNATURE_COLUMNS;
  let n = cols.filter((c) => row[c] !== null && row[c] !== undefined).length;
  if (table === 'events' && row.action !== 'other') n += 10;
  if (table === 'signatures' && row.tlog_verified === 'verified') n += 10;
  return n;
}

let cached: Promise<Map<string, Seed>> | undefined;

/** The seed of every adapter in ADAPTERS that realdata has records for (computed once per test file). */
export function seeds(): Promise<Map<string, Seed>> {
  cached ??= computeSeeds();
  return cached;
}

async function computeSeeds(): Promise<Map<string, Seed>> {
  const byAdapter = realdataByAdapter();
  const dir = tempDir('sigtrail-seeds-');
  const out = new Map<string, Seed>();
  for (const adapter of ADAPTERS) {
    const files = byAdapter.get(adapter.id) ?? [];
    const candidates: { from: string; record: { [k: string]: Json } }[] = [];
    for (const f of files) {
      for (const r of recordsOf(f)) if (isObject(r) && candidates.length < MAX_CANDIDATES) candidates.push({ from: path.relative(REALDATA, f), record: r });
    }
    if (candidates.length === 0) continue;
    const table = tableOf(adapter.emits);
    const file = path.join(dir, `${adapter.id}.candidates.ndjson`);
    fs.writeFileSync(file, candidates.map((c) => JSON.stringify(c.record)).join('\n') + '\n');
    const store = await Store.open(':memory:');
    try {
      await ingest(store, [file], { source: adapter.id });
      const rows = await store.all(`SELECT * FROM ${table} ORDER BY record_no`);
      const rejected = new Set((await store.all<{ record_no: number }>('SELECT DISTINCT record_no FROM rejects WHERE record_no IS NOT NULL')).map((r) => r.record_no));
      const ranked = rows
        .filter((r) => !rejected.has(Number(r.record_no)))
        .map((r) => ({ r, s: score(r, table) }))
        .sort((a, b) => b.s - a.s || Number(a.r.record_no) - Number(b.r.record_no));
      for (const { r } of ranked) {
        const c = candidates[Number(r.record_no) - 1];
        const text = JSON.stringify(c.record);
        const alone = path.join(dir, `${adapter.id}.probe.ndjson`);
        fs.writeFileSync(alone, text + '\n');
        if (chooseAdapter(sniff(alone))?.id !== adapter.id) continue;
        out.set(adapter.id, { adapter: adapter.id, from: c.from, record: c.record, text, table, row: r });
        break;
      }
    } finally {
      store.close();
    }
  }
  return out;
}
