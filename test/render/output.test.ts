import { PassThrough } from 'node:stream';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { Output, type Format } from '../../src/render/output.js';
import type { Row } from '../../src/store/values.js';

const COLUMNS = ['id', 'name', 'ts', 'tags', 'n'];
const ROWS: Row[] = [
  { id: 1, name: 'plain', ts: '2025-01-01T00:00:00Z', tags: ['a', 'b'], n: null },
  { id: 2, name: '=cmd|" /C calc"!A0', ts: '2025-01-02T00:00:00Z', tags: [], n: 2.5 },
  { id: 3, name: 'esc\u001b[2Jape\nnewline', ts: null, tags: ['x'], n: 9007199254740991 },
];

function render(format: Format, rows = ROWS): { out: string; bytes: Buffer } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer | string) => chunks.push(Buffer.from(c)));
  new Output({ format, color: false, stdout, stderr: new PassThrough() }).rows(COLUMNS, rows);
  const bytes = Buffer.concat(chunks);
  return { out: bytes.toString('utf8'), bytes };
}

describe('the output module', () => {
  it('json: an array of objects with exactly the columns', () => {
    const parsed = JSON.parse(render('json').out) as Row[];
    expect(parsed).toEqual(ROWS);
  });

  it('ndjson: one object per line, no line break inside a value', () => {
    const lines = render('ndjson').out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => JSON.parse(l) as Row)).toEqual(ROWS);
  });

  it('csv: round-trips through a CSV parser, formulas neutralised', () => {
    const records: Record<string, string>[] = parse(render('csv').out, { columns: true });
    expect(records).toHaveLength(3);
    expect(records[0]).toEqual({ id: '1', name: 'plain', ts: '2025-01-01T00:00:00Z', tags: 'a, b', n: '' });
    expect(records[1].name).toBe(`'=cmd|" /C calc"!A0`);
    expect(records[2].name).toBe('esc\u001b[2Jape\nnewline');
  });

  it('table: control sequences from data never reach the terminal', () => {
    const out = render('table').out;
    expect(out).not.toContain('\u001b');
    expect(out).toContain('esc');
    expect(out.split('\n').filter((l) => l.includes('newline'))).toHaveLength(1);
  });

  it('table: says so when there are no rows', () => {
    expect(render('table', []).out).toContain('(no rows)');
  });

  it('arrow: an IPC stream with the same rows', () => {
    const table = tableFromIPC(render('arrow').bytes);
    expect(table.numRows).toBe(3);
    expect(table.getChild('name')?.get(1)).toBe('=cmd|" /C calc"!A0');
    expect(table.getChild('tags')?.get(0)).toBe('["a","b"]');
  });
});
