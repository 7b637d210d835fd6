import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { lineFactsFor } from '../../src/ingest/lines.js';
import { tempDir } from '../helpers/paths.js';

/** The definition: lines with a byte other than space, tab, CR, VT or FF are records (as DuckDB reads NDJSON), numbered from 1. */
function expected(text: string): Map<number, number> {
  const out = new Map<number, number>();
  let record = 0;
  text.split('\n').forEach((l, i) => {
    if (!/^[ \t\r\v\f]*$/.test(l)) out.set(++record, i + 1);
  });
  return out;
}

async function lines(file: string, gzip: boolean, records: number[]): Promise<[number, number | undefined][]> {
  const facts = await lineFactsFor(file, gzip, records);
  return records.map((r) => [r, facts.get(r)?.line]);
}

describe('lineFactsFor', () => {
  const text = [
    '{"a":1}', '', '   ', '\t\r', '{"b":2}\r', '\uFEFF', '\u00A0 ', '\u00A0{"c":3}', 'not json', '', '  {"d":4}', '{"e":"é"}',
  ].join('\n');

  it.each([['plain', false], ['gzip', true]] as const)('maps every record to its line (%s), blank lines skipped', async (_name, gzip) => {
    const file = path.join(tempDir(), gzip ? 'x.ndjson.gz' : 'x.ndjson');
    fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
    const want = expected(text);
    expect(await lines(file, gzip, [...want.keys()])).toEqual([...want]);
  });

  it('finds records across read chunks and stops at the last one asked for', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => (i % 7 === 3 ? '' : `{"n":${i},"pad":"${'x'.repeat(40)}"}`));
    const file = path.join(tempDir(), 'big.ndjson');
    fs.writeFileSync(file, rows.join('\n'));
    const want = expected(rows.join('\n'));
    const ask = [1, 2, 12_345, 40_000, want.size];
    expect(await lines(file, false, ask)).toEqual(ask.map((r) => [r, want.get(r)]));
  });
});
