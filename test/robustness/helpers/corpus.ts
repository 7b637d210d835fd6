/**
 * Broken and hostile variants of one real record, as files. Each case says how many
 * newline-delimited records it holds and which of its lines are good copies of the seed, so the
 * test can check that the input around the damage was still read.
 */
import zlib from 'node:zlib';
import { isObject, nodes, leaves, setAt, type Json, type JsonPath } from './json-tree.js';
import type { Prng } from './prng.js';

export interface BrokenCase {
  /** File name, also the case's name. */
  name: string;
  content: Buffer;
  /** What the pipeline should make of the file. */
  expect: 'loaded' | 'unrecognised' | 'either';
  /** Newline-delimited records in the file (when it is read line by line). */
  lines?: number;
  /** 1-based lines holding an unchanged seed: never rejected. */
  good?: number[];
  /** 1-based lines that must be rejected (with that line number). */
  bad?: number[];
  /** Exact number of rejects, when known. */
  rejected?: number;
  /** Some reject's reason (or the unrecognised message) must match. */
  reason?: RegExp;
}

const nl = (lines: readonly string[]): string => lines.join('\n') + '\n';
const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

/** `depth` nested arrays: `[[[…]]]`. */
export function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** `depth` nested objects: `{"a":{"a":…1…}}`. */
export function deepObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** The seed as JSON text with the node at `path` replaced by raw JSON text (e.g. a number literal JSON.stringify cannot write). */
export function withRaw(record: Json, path: JsonPath, raw: string): string {
  const marker = '\u0000RAW\u0000';
  return JSON.stringify(setAt(record, path, marker)).replace(JSON.stringify(marker), raw);
}

/** Inserts raw bytes at the start of the first string value after the first key. */
function withBytesInFirstString(text: string, bytes: readonly number[]): Buffer {
  const at = text.indexOf('":"');
  const b = buf(text);
  const i = at < 0 ? 1 : Buffer.byteLength(text.slice(0, at + 3));
  return Buffer.concat([b.subarray(0, i), Buffer.from(bytes), b.subarray(i)]);
}

/** Random bytes without line breaks, so they stay one line. */
function binaryLine(prng: Prng, n: number): Buffer {
  const b = prng.bytes(n);
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a || b[i] === 0x0d) b[i] = 0x00;
  b[0] = 0x00;
  return b;
}

const ODD_UTF8: readonly (readonly number[])[] = [
  [0xff, 0xfe], // never valid in UTF-8
  [0x80], // a lone continuation byte
  [0xc0, 0xaf], // an overlong encoding of '/'
  [0xe2, 0x82], // a truncated three-byte sequence
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded as UTF-8 (CESU-8)
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
];

/** Every odd number a JSON number or string field may hold. */
const HUGE_NUMBERS = ['1e400', '-1e400', '1234567890123456789012345678901234567890', '1e-400', '-0', '0.000000000000000000000000000001', '18446744073709551616', '-9223372036854775809'];

// Strings that look like JSON matter: a mapping that re-parses a field's text must not choke on them.
const WRONG_TYPES: readonly Json[] = [42, -1.5, true, null, [], ['x', 1], {}, { unexpected: 'object' }, 'a string', '', '{"not": json', '[1, 2', '{}'];

/** Cases for one adapter's seed record. */
export function brokenCases(record: { [k: string]: Json }, prng: Prng): BrokenCase[] {
  const good = JSON.stringify(record);
  const pretty = JSON.stringify(record, null, 2);
  const gz = zlib.gzipSync(buf(nl(Array.from({ length: 300 }, () => good))));
  const flip = (b: Buffer, at: number): Buffer => {
    const c = Buffer.from(b);
    c[at] ^= 0xff;
    return c;
  };

  // Wrong types: every node (bounded) replaced by every other kind of value.
  const typeLines: string[] = [];
  for (const n of nodes(record, 200)) {
    for (const v of WRONG_TYPES) {
      if (JSON.stringify(v) === JSON.stringify(n.value)) continue;
      typeLines.push(JSON.stringify(setAt(record, n.path, v)));
    }
  }
  const allNull = Object.fromEntries(Object.keys(record).map((k) => [k, null]));
  const toArrays = (v: Json): Json => (isObject(v) ? Object.values(v).map(toArrays) : Array.isArray(v) ? v.map(toArrays) : v);
  const objectsAsArrays = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, toArrays(v)]));
  let everyLeafNull: Json = record;
  for (const n of leaves(record)) everyLeafNull = setAt(everyLeafNull, n.path, null);
  typeLines.push(JSON.stringify(allNull), JSON.stringify(objectsAsArrays), JSON.stringify(everyLeafNull));

  // Duplicate keys, written as text (JSON.stringify cannot): the copy after, then before, the original.
  const dupLines: string[] = [];
  for (const k of Object.keys(record)) {
    for (const alt of ['null', '12', '"duplicate"', '{"x":[1]}']) {
      dupLines.push(`${good.slice(0, -1)},${JSON.stringify(k)}:${alt}}`);
      dupLines.push(`{${JSON.stringify(k)}:${alt},${good.slice(1)}`);
    }
  }

  // Huge numbers in every number field, and as a bare number in every string field.
  const hugeLines: string[] = [];
  for (const n of leaves(record).slice(0, 150)) {
    if (typeof n.value !== 'number' && typeof n.value !== 'string') continue;
    for (const h of typeof n.value === 'number' ? HUGE_NUMBERS : HUGE_NUMBERS.slice(0, 3)) hugeLines.push(withRaw(record, n.path, h));
  }

  const firstObject = nodes(record).find((n) => isObject(n.value));
  const nestedLines = [
    JSON.stringify({ ...record, zz_deep_array: null }).replace('"zz_deep_array":null', `"zz_deep_array":${deepArray(100_000)}`),
    JSON.stringify({ ...record, zz_deep_object: null }).replace('"zz_deep_object":null', `"zz_deep_object":${deepObject(20_000)}`),
    deepArray(100_000),
    ...(firstObject ? [withRaw(record, firstObject.path, deepObject(20_000))] : []),
  ];

  const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const sandwich = (name: string, middle: readonly string[], extra: Partial<BrokenCase> = {}): BrokenCase => ({
    name,
    content: buf(nl([good, ...middle, good])),
    expect: 'loaded',
    lines: middle.length + 2,
    good: [1, middle.length + 2],
    ...extra,
  });

  return [
    { name: 'bom.ndjson', content: buf('\uFEFF' + nl([good, good])), expect: 'loaded', lines: 2, good: [1, 2], rejected: 0 },
    { name: 'bom-document.json', content: buf('\uFEFF' + pretty + '\n'), expect: 'loaded', rejected: 0 },
    { name: 'crlf.ndjson', content: buf(`${good}\r\n${good}\r\n`), expect: 'loaded', lines: 2, good: [1, 2], rejected: 0 },
    { name: 'crlf-document.json', content: buf(pretty.replace(/\n/g, '\r\n') + '\r\n'), expect: 'loaded', rejected: 0 },
    { name: 'empty.json', content: Buffer.alloc(0), expect: 'unrecognised', reason: /empty file$/ },
    { name: 'blank.ndjson', content: buf('\n  \r\n\t\n'), expect: 'unrecognised', reason: /empty file$/ },
    { name: 'binary.json', content: prng.bytes(4096), expect: 'unrecognised', reason: /binary content/ },
    {
      name: 'binary-line.ndjson',
      content: Buffer.concat([buf(good + '\n'), binaryLine(prng, 2048), buf('\n' + good + '\n')]),
      expect: 'loaded', lines: 3, good: [1, 3], bad: [2], rejected: 1,
    },
    {
      name: 'invalid-utf8.ndjson',
      content: Buffer.concat([buf(good + '\n'), ...ODD_UTF8.map((b) => Buffer.concat([withBytesInFirstString(good, b), buf('\n')])), buf(good + '\n')]),
      expect: 'loaded', lines: ODD_UTF8.length + 2, good: [1, ODD_UTF8.length + 2], bad: range(2, ODD_UTF8.length + 1),
      rejected: ODD_UTF8.length, reason: /invalid UTF-8/,
    },
    { name: 'truncated.ndjson.gz', content: gz.subarray(0, Math.floor(gz.length / 2)), expect: 'loaded', reason: /corrupt gzip/ },
    { name: 'corrupt-middle.ndjson.gz', content: flip(gz, Math.floor(gz.length / 2)), expect: 'loaded', reason: /corrupt gzip/ },
    // zlib reports a bad checksum with the last block's output; that line is rejected as cut.
    { name: 'bad-crc.ndjson.gz', content: flip(gz, gz.length - 6), expect: 'loaded', reason: /corrupt gzip/ },
    { name: 'gzip-header-only.json.gz', content: gz.subarray(0, 10), expect: 'either', reason: /gzip/ },
    { name: 'gzip-garbage.json.gz', content: Buffer.concat([gz.subarray(0, 10), prng.bytes(2048)]), expect: 'either', reason: /gzip|binary/ },
    sandwich('nested.ndjson', nestedLines, { bad: [4], reason: /not a JSON object \(array\)/ }),
    sandwich('wrong-types.ndjson', typeLines),
    sandwich('duplicate-keys.ndjson', dupLines),
    sandwich('huge-numbers.ndjson', hugeLines),
    // A damaged first line (a partial write, a rotated file's cut head) must not hide the rest.
    {
      name: 'first-line-broken.ndjson', content: buf(nl(['{"broken": ', good, good, good])), expect: 'loaded',
      lines: 4, good: [2, 3, 4], bad: [1], rejected: 1, reason: /malformed JSON/,
    },
  ];
}
