import { tableFromJSON, tableToIPC } from 'apache-arrow';
import type { Row } from '../store/values.js';

/** Arrow IPC stream (for pandas/polars/DuckDB consumers). Nested values are carried as JSON text. */
export function renderArrow(columns: readonly string[], rows: readonly Row[]): Uint8Array {
  const flat = rows.map((r) => {
    const o: Record<string, string | number | boolean | null> = {};
    for (const c of columns) {
      const v = r[c];
      o[c] = v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : v;
    }
    return o;
  });
  return tableToIPC(tableFromJSON(flat), 'stream');
}
