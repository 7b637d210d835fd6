import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { lineNumbersFor } from '../../src/ingest/lines.js';
import { tempDir } from '../helpers/paths.js';

/** The definition: lines whose trimmed text is not empty are records, numbered from 1. */
function expected(text: string): Map<number, number> {
  const out = new Map<number, number>();
  let record = 0;
  text.split('\n').forEach((l, i) => {
    if (l.trim() !== '') out.set(++record, i + 1);
  });
  return out;
}

describe('lineNumbersFor', () => {
  const text = [
    '{"a":1}', '', '   ', '\t\r', '{"b":2}\r', '\uFEFF', '\u00A0 ', '\u00A0{"c":3}', 'not json', '', '  {"d":4}', '{"e":"é"}',
  ].join('\n');

  it.each([['plain', false], ['gzip', true]] as const)('maps every record to its line (%s), blank and whitespace-only lines skipped', async (_name, gzip) => {
    const file = path.join(tempDir(), gzip ? 'x.ndjson.gz' : 'x.ndjson');
    fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
    const want = expected(text);
    const got = await lineNumbersFor(file, gzip, [...want.keys()]);
    expect([...got]).toEqual([...want]);
  });

  it('finds records across read chunks and stops at the last one asked for', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => (i % 7 === 3 ? '' : `{"n":${i},"pad":"${'x'.repeat(40)}"}`));
    const file = path.join(tempDir(), 'big.ndjson');
    fs.writeFileSync(file, lines.join('\n'));
    const want = expected(lines.join('\n'));
    const ask = [1, 2, 12_345, 40_000, want.size];
    const got = await lineNumbersFor(file, false, ask);
    expect([...got]).toEqual(ask.map((r) => [r, want.get(r)]));
  });
});
