import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRows } from '../../src/analyses/fetch.js';
import { Store } from '../../src/store/database.js';

let store: Store;
beforeAll(async () => {
  store = await Store.open(':memory:');
});
afterAll(() => store.close());

describe('fetchRows reads results with the same value rules as Store.all', () => {
  it.each([
    ["TIMESTAMPTZ '2025-03-10 14:00:00+00'", '2025-03-10T14:00:00Z'],
    ["TIMESTAMPTZ '2025-03-10 14:00:00.25+00'", '2025-03-10T14:00:00.250Z'],
    ["TIMESTAMPTZ '2025-03-10 14:00:00.123456+00'", '2025-03-10T14:00:00.123456Z'],
    ["TIMESTAMP '2025-03-10 14:00:00'", '2025-03-10T14:00:00Z'],
    ['CAST(9007199254740993 AS BIGINT)', '9007199254740993'],
    ['CAST(42 AS BIGINT)', 42],
    ['CAST(1.5 AS DECIMAL(4,2))', 1.5],
    ["DATE '2025-03-10'", '2025-03-10'],
    ["['a', NULL]", ['a', null]],
    ["struct_pack(tbl := 'events', id := 'x', n := 1)", { tbl: 'events', id: 'x', n: 1 }],
    ['CAST(\'[{"name":"a","digest":{"sha256":"ff"}}]\' AS JSON)', [{ name: 'a', digest: { sha256: 'ff' } }]],
    ['NULL::VARCHAR', null],
    ['true', true],
  ])('%s', async (expr, want) => {
    const { rows } = await fetchRows(store, `SELECT ${expr} AS v`);
    expect(rows[0].v).toEqual(want);
    const plain = await store.all(`SELECT ${expr} AS v`);
    if (!expr.includes('JSON')) expect(rows[0].v).toEqual(plain[0].v);
  });

  it('keeps the order of an ORDER BY and the column order', async () => {
    const { columns, rows } = await fetchRows(store, 'SELECT i AS b, -i AS a FROM range(5000) t(i) ORDER BY i DESC');
    expect(columns).toEqual(['b', 'a']);
    expect(rows.map((r) => r.b)).toEqual(Array.from({ length: 5000 }, (_, i) => 4999 - i));
  });

  it('binds parameters and returns no rows as an empty list', async () => {
    const { rows } = await fetchRows(store, 'SELECT $1::VARCHAR AS s WHERE false', ['x']);
    expect(rows).toEqual([]);
  });

  it('carries hostile text through unchanged (rendering is the printer\'s job)', async () => {
    const text = '"\\\u001b[31m\u202e=cmd|\' /C calc\'!A0\n';
    const { rows } = await fetchRows(store, 'SELECT $1::VARCHAR AS s', [text]);
    expect(rows[0].s).toBe(text);
  });
});
