/**
 * The one boundary where DuckDB values become plain JavaScript values.
 *
 * Rules: BIGINT/HUGEINT → number when it fits in 2^53, else a decimal string (log indexes and
 * epoch nanoseconds can exceed it); TIMESTAMP/TIMESTAMPTZ → ISO-8601 UTC with `Z`; DATE → `YYYY-MM-DD`;
 * DECIMAL → number; LIST/STRUCT/MAP → arrays/objects, recursively; BLOB → base64; UUID → string.
 */
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBUUIDValue,
  type DuckDBValue,
} from '@duckdb/node-api';

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };
export type Row = Record<string, Plain>;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** A bigint as a number when exact, otherwise as its decimal string. */
export function normaliseBigint(v: bigint): number | string {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v.toString();
}

/** Microseconds since the epoch → ISO-8601 UTC, keeping microseconds when present. */
export function isoFromMicros(micros: bigint): string | null {
  const ms = micros / 1000n;
  const sub = Number(((micros % 1000n) + 1000n) % 1000n);
  const d = new Date(Number(micros < 0n && sub !== 0 ? ms - 1n : ms));
  if (Number.isNaN(d.getTime())) return null;
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (sub === 0) return iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso;
  return `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
}

export function normaliseValue(v: DuckDBValue): Plain {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return normaliseBigint(v);
    default:
      break;
  }
  if (v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimestampValue) {
    return v.isFinite ? isoFromMicros(v.micros) : String(v);
  }
  if (v instanceof DuckDBTimestampMillisecondsValue) return isoFromMicros(v.millis * 1000n);
  if (v instanceof DuckDBTimestampSecondsValue) return isoFromMicros(v.seconds * 1_000_000n);
  if (v instanceof DuckDBTimestampNanosecondsValue) return isoFromMicros(v.nanos / 1000n);
  if (v instanceof DuckDBDateValue) return v.toString();
  if (v instanceof DuckDBDecimalValue) return v.toDouble();
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(normaliseValue);
  if (v instanceof DuckDBStructValue) {
    const out: Record<string, Plain> = {};
    for (const [k, item] of Object.entries(v.entries)) out[k] = normaliseValue(item);
    return out;
  }
  if (v instanceof DuckDBMapValue) {
    const out: Record<string, Plain> = {};
    for (const { key, value } of v.entries) {
      const k = normaliseValue(key);
      out[typeof k === 'string' ? k : JSON.stringify(k)] = normaliseValue(value);
    }
    return out;
  }
  if (v instanceof DuckDBBlobValue) return Buffer.from(v.bytes).toString('base64');
  if (v instanceof DuckDBUUIDValue || v instanceof DuckDBIntervalValue) return v.toString();
  return String(v);
}

export function normaliseRow(row: Record<string, DuckDBValue>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = normaliseValue(v);
  return out;
}
