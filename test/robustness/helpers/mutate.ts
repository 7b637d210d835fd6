/**
 * Mutations of real records for the fuzzer: structural ones on the parsed record (delete a field,
 * swap a type, duplicate a key, nest deeply, put in a huge number or hostile text) and byte-level
 * ones on its text (flip, truncate, insert, delete, invalid UTF-8). A mutated record stays one
 * non-blank line, so every line of a fuzz file is one record whose fate can be checked.
 */
import { HOSTILE_STRINGS } from './hostile.js';
import { isObject, leaves, nodes, setAt, type Json } from './json-tree.js';
import type { Prng } from './prng.js';

const TYPES: readonly Json[] = [0, -1, 1.5, 1e21, true, false, null, '', 'x', '{"a":', [], [1, 'a', null], {}, { k: [] }];
const NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '1e-400', '-0', '9223372036854775808', '0.1e1'];
const BAD_UTF8 = [[0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];

export interface Mutation {
  line: Buffer;
  /** What was done, for a failure message. */
  how: string[];
}

const MARK = '\u0000MUT\u0000';

function structural(prng: Prng, record: Json, how: string[]): { record: Json; raw?: [string, string] } {
  const all = nodes(record, 2000);
  if (all.length === 0) return { record };
  const n = prng.pick(all);
  const where = n.path.join('.');
  switch (prng.int(7)) {
    case 0:
      how.push(`delete ${where}`);
      return { record: setAt(record, n.path, undefined) };
    case 1: {
      const v = prng.pick(TYPES);
      how.push(`type ${where} := ${JSON.stringify(v)}`);
      return { record: setAt(record, n.path, v) };
    }
    case 2: {
      const depth = 1 + prng.int(5000);
      how.push(`nest ${where} ${depth} deep`);
      return { record: setAt(record, n.path, MARK), raw: [MARK, prng.int(2) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '0' + '}'.repeat(depth)] };
    }
    case 3: {
      const num = leaves(record).filter((l) => typeof l.value === 'number');
      const target = num.length ? prng.pick(num) : n;
      const v = prng.pick(NUMBERS);
      how.push(`number ${target.path.join('.')} := ${v}`);
      return { record: setAt(record, target.path, MARK), raw: [MARK, v] };
    }
    case 4: {
      const str = leaves(record).filter((l) => typeof l.value === 'string');
      const target = str.length ? prng.pick(str) : n;
      const h = prng.pick(HOSTILE_STRINGS);
      how.push(`hostile ${target.path.join('.')} := ${JSON.stringify(h.slice(0, 30))}`);
      return { record: setAt(record, target.path, h) };
    }
    case 5: {
      // A duplicate key, as text (the parsed form cannot hold one).
      if (!isObject(record)) return { record };
      const keys = Object.keys(record);
      if (keys.length === 0) return { record };
      const k = prng.pick(keys);
      const v = JSON.stringify(prng.pick(TYPES));
      how.push(`duplicate key ${k} := ${v}`);
      return { record: { ...record, [MARK]: null }, raw: [`${JSON.stringify(MARK)}:null`, `${JSON.stringify(k)}:${v}`] };
    }
    default: {
      // Copy a subtree onto another field: plausible values in implausible places.
      const from = prng.pick(all);
      how.push(`copy ${from.path.join('.')} → ${where}`);
      return { record: setAt(record, n.path, from.value) };
    }
  }
}

function bytewise(prng: Prng, b: Buffer, how: string[]): Buffer {
  if (b.length === 0) return b;
  const at = prng.int(b.length);
  switch (prng.int(5)) {
    case 0: {
      const c = Buffer.from(b);
      let v = prng.int(256);
      if (v === 0x0a || v === 0x0d) v = 0x00;
      how.push(`flip byte ${at} ${c[at]} → ${v}`);
      c[at] = v;
      return c;
    }
    case 1:
      how.push(`truncate at ${at}`);
      return b.subarray(0, at);
    case 2: {
      const ins = prng.bytes(1 + prng.int(16)).map((x) => (x === 0x0a || x === 0x0d ? 0x20 : x));
      how.push(`insert ${ins.length} bytes at ${at}`);
      return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
    }
    case 3: {
      const len = 1 + prng.int(Math.min(64, b.length - at));
      how.push(`delete ${len} bytes at ${at}`);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + len)]);
    }
    default: {
      const bad = Buffer.from(prng.pick(BAD_UTF8));
      how.push(`invalid UTF-8 ${bad.toString('hex')} at ${at}`);
      return Buffer.concat([b.subarray(0, at), bad, b.subarray(at)]);
    }
  }
}

/** One to three mutations of `record`, as one line (without its newline). */
export function mutateRecord(prng: Prng, record: Json): Mutation {
  const how: string[] = [];
  let current = record;
  const raws: [string, string][] = [];
  let bytes: Buffer | undefined;
  const count = 1 + prng.int(3);
  for (let i = 0; i < count; i++) {
    if (bytes === undefined && prng.int(3) > 0) {
      const r = structural(prng, current, how);
      current = r.record;
      if (r.raw) raws.push(r.raw);
    } else {
      if (bytes === undefined) bytes = Buffer.from(applyRaw(JSON.stringify(current), raws), 'utf8');
      bytes = bytewise(prng, bytes, how);
    }
  }
  let line = bytes ?? Buffer.from(applyRaw(JSON.stringify(current), raws), 'utf8');
  // One non-blank line: DuckDB skips blank lines, which would shift record numbers.
  if (/^[\s]*$/.test(line.toString('latin1'))) line = Buffer.from('x');
  return { line, how };
}

function applyRaw(text: string, raws: readonly [string, string][]): string {
  let t = text;
  for (const [from, to] of raws) t = t.replace(from.startsWith('"') ? from : JSON.stringify(from), to);
  return t;
}

/** A byte-level mutation of a whole file (a realdata file, maybe gzip). */
export function mutateFile(prng: Prng, file: Buffer): Mutation {
  const how: string[] = [];
  let b = file;
  const count = 1 + prng.int(2);
  for (let i = 0; i < count; i++) b = bytewise(prng, b, how);
  return { line: b, how };
}
