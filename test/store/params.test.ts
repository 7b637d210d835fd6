import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/database.js';

let store: Store;
beforeAll(async () => {
  store = await Store.open(':memory:');
});
afterAll(() => store.close());

describe('list parameters', () => {
  it('bind as VARCHAR[] positionally and by name', async () => {
    expect(await store.one('SELECT list_has_any([\'a\', \'b\'], $1) AS m', [['b', 'z']])).toEqual({ m: true });
    expect(await store.one('SELECT len($xs) AS n', { xs: ['a', 'b', 'c'] })).toEqual({ n: 3 });
  });

  it('bind an empty list', async () => {
    expect(await store.one('SELECT len($1) AS n', [[]])).toEqual({ n: 0 });
  });

  it('keep hostile values as data', async () => {
    const evil = ["x'); DROP TABLE events; --", '%_\\'];
    expect(await store.one('SELECT $1 AS v', [evil])).toEqual({ v: evil });
    expect(await store.one("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'events'")).toEqual({ n: 1 });
  });
});
