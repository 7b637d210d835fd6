/**
 * Timestamps in every odd form, in the time field(s) of every adapter's real seed record: epoch
 * seconds / milliseconds / microseconds / nanoseconds (numbers and strings), 9-digit fractions,
 * offsets with and without a colon, no zone, other spellings, impossible dates and times out of
 * range. Each copy is loaded into an empty store on its own (a changed time can leave event_uid
 * unchanged, and would then count as a duplicate).
 *
 * A time is either read as the instant it denotes (UTC), with the raw text kept in ts_raw when the
 * database's microseconds lose precision, or the record is rejected with its line and a reason
 * that quotes it. A time is never read as a different instant.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/pipeline.js';
import { ADAPTERS } from '../../src/sources/registry.js';
import { Store } from '../../src/store/database.js';
import type { Row } from '../../src/store/values.js';
import { tempDir } from '../helpers/paths.js';
import { expectFileAccounted } from './helpers/accounting.js';
import { leaves, pathText, setAt, type Json, type JsonPath } from './helpers/json-tree.js';
import { discoverMapping } from './helpers/mapping.js';
import { seeds, type Seed } from './helpers/seeds.js';

/** A time as JSON text, the instant it denotes (null: must be rejected), and whether the instant may also be refused. */
interface OddTime {
  name: string;
  json: string;
  /** ISO instant (microsecond precision) it must read as; null when it must be rejected. */
  means: string | null;
  /** Formats that a strict reader may refuse: reading them is fine, refusing them too. */
  mayReject?: boolean;
  /** Sub-microsecond digits: the raw text must be kept in ts_raw. */
  precise?: boolean;
}

const T = '2024-03-05T06:07:08Z';
const ODD_TIMES: readonly OddTime[] = [
  { name: 'ISO-8601 UTC', json: '"2024-03-05T06:07:08Z"', means: T },
  { name: 'milliseconds fraction', json: '"2024-03-05T06:07:08.123Z"', means: '2024-03-05T06:07:08.123Z' },
  { name: '9-digit fraction', json: '"2024-03-05T06:07:08.123456789Z"', means: '2024-03-05T06:07:08.123456Z', precise: true },
  { name: '7-digit fraction (Azure)', json: '"2024-03-05T06:07:08.1234567Z"', means: '2024-03-05T06:07:08.123456Z', precise: true },
  { name: 'offset +05:30', json: '"2024-03-05T11:37:08+05:30"', means: T },
  { name: 'offset -0800 without a colon', json: '"2024-03-04T22:07:08-0800"', means: T },
  { name: 'offset with a 9-digit fraction', json: '"2024-03-05T07:07:08.000000001+01:00"', means: T, precise: true },
  { name: 'no zone (read as UTC)', json: '"2024-03-05T06:07:08"', means: T },
  { name: 'space separator, no zone (Panther)', json: '"2024-03-05 06:07:08.000"', means: T },
  { name: 'lower-case t and z (RFC 3339 allows)', json: '"2024-03-05t06:07:08z"', means: T, mayReject: true },
  { name: 'RFC 2822', json: '"Tue, 05 Mar 2024 06:07:08 GMT"', means: T, mayReject: true },
  { name: 'GitHub display form', json: '"Mar 05, 2024, 06:07:08 AM"', means: T, mayReject: true },
  { name: 'date only', json: '"2024-03-05"', means: '2024-03-05T00:00:00Z', mayReject: true },
  { name: 'epoch seconds', json: '1709618828', means: T },
  { name: 'epoch seconds as text', json: '"1709618828"', means: T },
  { name: 'epoch seconds with a fraction', json: '1709618828.5', means: '2024-03-05T06:07:08.500Z', mayReject: true },
  { name: 'epoch milliseconds', json: '1709618828123', means: '2024-03-05T06:07:08.123Z' },
  { name: 'epoch milliseconds as text', json: '"1709618828123"', means: '2024-03-05T06:07:08.123Z' },
  { name: 'epoch microseconds', json: '1709618828123456', means: '2024-03-05T06:07:08.123456Z' },
  { name: 'epoch nanoseconds', json: '1709618828123456789', means: '2024-03-05T06:07:08.123456Z', precise: true },
  { name: 'epoch nanoseconds as text', json: '"1709618828123456789"', means: '2024-03-05T06:07:08.123456Z', precise: true },
  { name: 'epoch 0', json: '0', means: null },
  { name: 'negative epoch', json: '-1', means: null },
  { name: 'year 1900', json: '"1900-01-01T00:00:00Z"', means: null },
  { name: 'year 2300', json: '"2300-01-01T00:00:00Z"', means: null },
  { name: 'year 0000', json: '"0000-01-01T00:00:00Z"', means: null },
  { name: 'year 9999', json: '"9999-12-31T23:59:59Z"', means: null },
  { name: 'year 294247 (past TIMESTAMP)', json: '"294247-01-10T04:00:54Z"', means: null },
  { name: 'huge epoch', json: '1e30', means: null },
  { name: '20-digit epoch', json: '99999999999999999999', means: null },
  { name: '40-digit epoch', json: '1234567890123456789012345678901234567890', means: null },
  { name: 'February 30th', json: '"2024-02-30T00:00:00Z"', means: null },
  { name: 'month 13', json: '"2024-13-01T00:00:00Z"', means: null },
  { name: 'hour 25', json: '"2024-03-05T25:00:00Z"', means: null },
  { name: 'leap second', json: '"2016-12-31T23:59:60Z"', means: '2017-01-01T00:00:00Z', mayReject: true },
  { name: 'words', json: '"yesterday"', means: null },
  { name: 'now', json: '"now"', means: null },
  { name: 'infinity', json: '"infinity"', means: null },
  { name: 'NaN text', json: '"NaN"', means: null },
  { name: 'empty', json: '""', means: null },
  { name: 'null', json: 'null', means: null },
  { name: 'boolean', json: 'true', means: null },
  { name: 'array', json: '["2024-03-05T06:07:08Z"]', means: null, mayReject: true },
  { name: 'object', json: '{"t":"2024-03-05T06:07:08Z"}', means: null },
];

/**
 * The fields of a seed that hold its time: within seconds of the instant its row was given, since
 * an adapter may fall back to a neighbouring time (GCP: receiveTimestamp) when the first is unreadable.
 */
function timeFields(seed: Seed): JsonPath[] {
  const at = seed.table === 'events' ? seed.row.ts : seed.row.integrated_time;
  const want = Date.parse(typeof at === 'string' ? at : '');
  return leaves(seed.record)
    .filter((n) => {
      const v = n.value;
      if (typeof v === 'number' || (typeof v === 'string' && /^\d{9,}$/.test(v))) return [1, 1e3, 1e6, 1e9].some((d) => Math.abs((Number(v) / d) * 1000 - want) < 5000);
      return typeof v === 'string' && /\d{4}/.test(v) && Math.abs(Date.parse(v.replace(' ', 'T')) - want) < 5000;
    })
    .map((n) => n.path);
}

/** Instants (ms) of every field of the seed that reads as a time. */
function otherTimes(seed: Seed): Set<number> {
  return new Set(leaves(seed.record).flatMap((n) => (typeof n.value === 'string' && /^\d{4}-\d\d-\d\d/.test(n.value) ? [Date.parse(n.value.replace(' ', 'T'))] : [])));
}

function withTime(seed: Seed, fields: readonly JsonPath[], json: string): string {
  // Markers first, raw text last: re-parsing in between would round a long number through a double.
  let record: Json = seed.record;
  fields.forEach((p, i) => (record = setAt(record, p, `\u0000TIME${i}\u0000`)));
  let text = JSON.stringify(record);
  fields.forEach((_, i) => (text = text.replace(JSON.stringify(`\u0000TIME${i}\u0000`), json)));
  return text;
}

/** Microseconds since the epoch of an ISO instant (Date.parse keeps milliseconds only). */
function micros(iso: string): number {
  const frac = /\.(\d+)Z$/.exec(iso)?.[1] ?? '';
  return Math.floor(Date.parse(iso.replace(/\.\d+Z$/, 'Z')) / 1000) * 1e6 + Number(frac.padEnd(6, '0').slice(0, 6));
}

let seedMap: Map<string, Seed>;
let store: Store;
const dir = tempDir('sigtrail-times-');
const results = new Map<string, { time: OddTime; row?: Row; reasons: string[] }[]>();

beforeAll(async () => {
  seedMap = await seeds();
  store = await Store.open(':memory:');
  for (const [id, seed] of seedMap) {
    const fields = timeFields(seed);
    // A time is not always part of event_uid: copies that differ only in time would be folded as
    // duplicates. Events adapters get one file whose copies differ in an identity field too; a log
    // entry's identity cannot be changed without breaking it, so each Rekor / bundle copy is loaded alone.
    const identity = seed.table === 'events' ? (await discoverMapping(seed)).identity : undefined;
    const batches = identity ? [ODD_TIMES.map((_, i) => i)] : ODD_TIMES.map((_, i) => [i]);
    const out: { time: OddTime; row?: Row; reasons: string[] }[] = [];
    for (const batch of batches) {
      const file = path.join(dir, `${id}.${batch[0]}.ndjson`);
      const lines = batch.map((i) => {
        let base: Seed = seed;
        for (const n of identity ?? []) base = { ...base, record: setAt(base.record, n.path, typeof n.value === 'number' ? 6_000_000 + i : `odd-time-${i}`) as Seed['record'] };
        return withTime(base, fields, ODD_TIMES[i].json);
      });
      fs.writeFileSync(file, lines.join('\n') + '\n');
      // Read by its adapter: this is about mapping times, not detection.
      const r = await ingest(store, [file], { source: id });
      await expectFileAccounted(store, r.files[0]);
      for (const [k, i] of batch.entries()) {
        const row = await store.one(`SELECT * FROM ${seed.table} WHERE record_no = $1`, [k + 1]);
        const reasons = (await store.all<{ reason: string; line_no: number | null }>('SELECT reason, line_no FROM rejects WHERE record_no = $1', [k + 1]))
          .map((x) => `${x.line_no === k + 1 ? 'line' : x.line_no}: ${x.reason}`);
        out.push({ time: ODD_TIMES[i], row, reasons });
      }
      await store.exec('DELETE FROM events; DELETE FROM signatures; DELETE FROM ci_runs; DELETE FROM rejects; DELETE FROM files;');
    }
    results.set(id, out);
  }
}, 240_000);

afterAll(() => store?.close());

describe.each(ADAPTERS.map((a) => a.id))('odd timestamps for %s', (id) => {
  it('has a time field in its seed', () => {
    expect(timeFields(seedMap.get(id)!).length).toBeGreaterThan(0);
  });

  it.each(ODD_TIMES.map((t) => t.name))('%s', (name) => {
    const r = results.get(id)!.find((x) => x.time.name === name)!;
    const { time } = r;
    const table = seedMap.get(id)!.table;
    const v = JSON.parse(time.json) as unknown;
    // A log's integratedTime is whole seconds by definition; anything else is refused.
    const seconds = (typeof v === 'number' || typeof v === 'string') && /^\d+$/.test(String(v)) && Number(v) > 0 && Number(v) <= 253402300799;
    const mustRead = table === 'events' ? time.means !== null && !time.mayReject : seconds;
    if (!r.row) {
      // Rejected: its line, a reason; allowed only where the form may be refused.
      expect(mustRead, `${name} rejected: ${r.reasons.join(' | ')}`).toBe(false);
      expect(r.reasons.some((x) => x.startsWith('line: ')), r.reasons.join(' | ')).toBe(true);
      return;
    }
    if (table === 'signatures') {
      // Stored as given (0, empty or null: absent, as protobuf-JSON writes it).
      const stored = r.row.integrated_time === null ? null : Date.parse(r.row.integrated_time as string) / 1000;
      expect(stored, name).toBe(v === 0 || v === '' || v === null ? null : Number(v));
      return;
    }
    const stored = r.row.ts as string;
    if (time.means === null) {
      // Not read as the odd value: an absent time may make the adapter use the record's next time field.
      expect(otherTimes(seedMap.get(id)!).has(Date.parse(stored)), `${name} should be rejected, was read as ${stored}`).toBe(true);
      return;
    }
    // To the microsecond (an epoch in nanoseconds goes through a double, which may round the last digit).
    expect(Math.abs(micros(stored) - micros(time.means)), `${name}: read as ${stored}, means ${time.means}`).toBeLessThanOrEqual(1);
    if (time.precise) expect(r.row.ts_raw, `${name}: raw text kept where microseconds lose precision`).toBe(time.json.replace(/^"|"$/g, ''));
  });
});

describe('time fields found', () => {
  it('for every adapter (so the table above tests a real field)', () => {
    for (const [id, seed] of seedMap) expect(timeFields(seed).map(pathText).length, id).toBeGreaterThan(0);
  });
});
