import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { isoFromMicros, normaliseValue, type Plain } from '../../src/store/values.js';
import { Store } from '../../src/store/database.js';

describe('normaliseValue (the one boundary between DuckDB and JavaScript)', () => {
  const cases: [string, DuckDBValue, Plain][] = [
    ['null', null, null],
    ['a small BIGINT becomes a number', 42n, 42],
    ['2^53 - 1 is still exact as a number', 9007199254740991n, 9007199254740991],
    ['a BIGINT past 2^53 becomes a decimal string', 9007199254740993n, '9007199254740993'],
    ['a negative BIGINT past -2^53 becomes a string', -9007199254740993n, '-9007199254740993'],
    ['TIMESTAMPTZ becomes ISO-8601 UTC', new DuckDBTimestampTZValue(1_700_000_000_000_000n), '2023-11-14T22:13:20Z'],
    ['milliseconds are kept', new DuckDBTimestampTZValue(1_700_000_000_123_000n), '2023-11-14T22:13:20.123Z'],
    ['microseconds are kept', new DuckDBTimestampValue(1_700_000_000_123_456n), '2023-11-14T22:13:20.123456Z'],
    ['times before 1970 are exact', new DuckDBTimestampTZValue(-1_500_000n), '1969-12-31T23:59:58.500Z'],
    ['DATE becomes YYYY-MM-DD', new DuckDBDateValue(19675), '2023-11-14'],
    ['DECIMAL becomes a number', new DuckDBDecimalValue(12345n, 10, 2), 123.45],
    ['LIST becomes an array, recursively', new DuckDBListValue(['a', 2n, null]), ['a', 2, null]],
    ['STRUCT becomes an object', new DuckDBStructValue({ a: 1n, b: 'x' }), { a: 1, b: 'x' }],
    ['NaN becomes a string, not invalid JSON', Number.NaN, 'NaN'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(normaliseValue(input)).toEqual(expected);
  });

  it('formats microseconds without drifting through floating point', () => {
    expect(isoFromMicros(1_700_000_000_000_001n)).toBe('2023-11-14T22:13:20.000001Z');
  });

  it('applies to real query results', async () => {
    const store = await Store.open(':memory:');
    try {
      const row = await store.one(
        "SELECT 12345678901234567890::HUGEINT AS big, TIMESTAMPTZ '2024-02-29 12:00:00.5+02' AS t, [1, 2]::BIGINT[] AS l, {'k': 'v'} AS s",
      );
      expect(row).toEqual({ big: '12345678901234567890', t: '2024-02-29T10:00:00.500Z', l: [1, 2], s: { k: 'v' } });
    } finally {
      store.close();
    }
  });
});
