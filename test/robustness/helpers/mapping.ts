/**
 * Finding, for a seed record, which of its fields an adapter maps into which `events` columns —
 * by loading copies that carry a unique marker in one field at a time — so hostile values can be
 * put into every mapped field of every adapter without a per-adapter list.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ingest } from '../../../src/ingest/pipeline.js';
import { Store } from '../../../src/store/database.js';
import { EVENT_COLUMNS } from '../../../src/store/schema.js';
import type { Row } from '../../../src/store/values.js';
import { tempDir } from '../../helpers/paths.js';
import { leaves, pathText, setAt, type Json, type JsonPath, type Node } from './json-tree.js';
import type { Seed } from './seeds.js';

export interface FieldMapping {
  path: JsonPath;
  /** Columns whose whole value was the marker. */
  exact: string[];
  /** Columns that contained the marker inside a larger value (event_uid, details, raw, …). */
  within: string[];
}

export interface AdapterMapping {
  /** Fields copied into at least one column. */
  mapped: FieldMapping[];
  /** Fields whose marker made the record a reject (times, required names). */
  rejecting: JsonPath[];
  /** Fields that make up event_uid: varied per copy so that copies are not folded as duplicates. */
  identity: Node[];
  /** Fields holding the event time (kept as they are). */
  time: JsonPath[];
}

const MAX_FIELDS = 400;

function sameInstant(v: Json, iso: string): boolean {
  const want = Date.parse(iso);
  if (typeof v === 'number') return [1, 1e3, 1e6, 1e9].some((d) => Math.abs((v / d) * 1000 - want) < 1000);
  if (typeof v !== 'string' || !/\d{4}|^\d{9,}$/.test(v)) return false;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v.replace(' ', 'T'));
  return Number.isFinite(t) && (/^\d+$/.test(v) ? sameInstant(Number(v), iso) : Math.abs(t - want) < 1000);
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Copies of `record` with field `i` set to `value(i)`, every identity field varied per copy; the
 * first line is the seed itself so that detection sees a normal file.
 */
let serial = 0;

export function variantLines(seed: Seed, m: Pick<AdapterMapping, 'identity'>, fields: readonly JsonPath[], value: (i: number) => Json, salt: string): string[] {
  const lines = [seed.text];
  fields.forEach((p, i) => {
    let r: Json = seed.record;
    for (const id of m.identity) {
      if (pathText(id.path) === pathText(p)) continue;
      // Unique across every call, so copies made for different purposes never collide either.
      serial++;
      r = setAt(r, id.path, typeof id.value === 'number' ? 7_000_000 + serial : `${salt}-${serial}-${text(id.value)}`);
    }
    lines.push(JSON.stringify(setAt(r, p, value(i))));
  });
  return lines;
}

async function load(lines: readonly string[], adapter: string): Promise<{ rows: Map<number, Row>; rejected: Set<number> }> {
  const file = path.join(tempDir('sigtrail-map-'), `${adapter}.ndjson`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const store = await Store.open(':memory:');
  try {
    await ingest(store, [file]);
    const rows = await store.all(`SELECT ${EVENT_COLUMNS.map((c) => (c === 'details' || c === 'raw' ? `CAST(${c} AS VARCHAR) AS ${c}` : c)).join(', ')} FROM events`);
    const rejected = await store.all<{ n: number }>('SELECT record_no AS n FROM rejects WHERE record_no IS NOT NULL');
    return { rows: new Map(rows.map((r) => [Number(r.record_no), r])), rejected: new Set(rejected.map((r) => Number(r.n))) };
  } finally {
    store.close();
  }
}

/** Discovers the mapping of an events adapter's seed. */
export async function discoverMapping(seed: Seed): Promise<AdapterMapping> {
  const all = leaves(seed.record).slice(0, MAX_FIELDS);
  const time = all.filter((n) => sameInstant(n.value, text(seed.row.ts))).map((n) => n.path);
  const isTime = (p: JsonPath): boolean => time.some((t) => pathText(t) === pathText(p));
  const candidates = all.filter((n) => !isTime(n.path) && (typeof n.value === 'string' || Number.isInteger(n.value)));
  const marker = (i: number): Json => (typeof candidates[i].value === 'number' ? 8_100_000 + i : `mk${i}x${seed.adapter.length}q`);

  // Pass 1, nothing varied: a copy whose changed field leaves event_uid as it was is folded into
  // the seed (line 1) as a duplicate; the fields that do change it can tell copies apart.
  const first = await load(variantLines(seed, { identity: [] }, candidates.map((n) => n.path), marker, 'id'), seed.adapter);
  const uid0 = first.rows.get(1)?.event_uid;
  const changesUid = candidates.filter((_, i) => {
    const r = first.rows.get(i + 2);
    return r !== undefined && r.event_uid !== uid0;
  });
  // Prefer an id-like field that no other column shows.
  const rank = (n: Node): number => {
    const i = candidates.indexOf(n);
    const row = first.rows.get(i + 2)!;
    const shown = EVENT_COLUMNS.filter((c) => c !== 'event_uid' && c !== 'raw' && c !== 'details' && text(row[c]).includes(text(marker(i)))).length;
    return shown * 10 + (/id$|uuid/i.test(pathText(n.path)) ? 0 : 1);
  };
  const identity = changesUid.length ? [changesUid.sort((a, b) => rank(a) - rank(b))[0]] : [];

  // Pass 2: one marker per field, the identity field varied in every copy.
  const fields = candidates.map((n) => n.path);
  const res = await load(variantLines(seed, { identity }, fields, marker, 'map'), seed.adapter);
  const mapped: FieldMapping[] = [];
  const rejecting: JsonPath[] = [];
  fields.forEach((p, i) => {
    const recordNo = i + 2;
    if (res.rejected.has(recordNo)) {
      rejecting.push(p);
      return;
    }
    const row = res.rows.get(recordNo);
    if (!row) return;
    const m = text(marker(i));
    const exact = EVENT_COLUMNS.filter((c) => text(row[c]) === m);
    const within = EVENT_COLUMNS.filter((c) => !exact.includes(c) && text(row[c]).includes(m));
    if (exact.length + within.length > 0) mapped.push({ path: p, exact, within });
  });
  return { mapped, rejecting, identity, time };
}
