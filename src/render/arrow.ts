import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';
import type { Row } from '../store/values.js';

// apache-arrow takes ~0.2 s to load: only `--format arrow` pays for it, not every command's start-up.
const require = createRequire(import.meta.url);

/** Arrow IPC stream (for pandas/polars/DuckDB consumers). Nested values are carried as JSON text. */
export function renderArrow(columns: readonly string[], rows: readonly Row[]): Uint8Array {
  const { tableFromJSON, tableToIPC } = require('apache-arrow') as typeof Arrow;
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
