/**
 * The report's CSV files: one per analysis (plus the window's evidence, the chain of custody and
 * the checklist), written with render/csv so every cell is formula-safe.
 *
 * Mapping from the JSON rows (documented in docs/report.md): a column per top-level field, in the
 * order of the `--format json` shape; null → empty cell; numbers and booleans as JSON writes them;
 * arrays and objects (subjects, reasons, evidence, mitre, …) as compact JSON text, so a reader can
 * JSON.parse them back. A cell that would start a formula gets a leading `'` (render/sanitize).
 */
import { renderCsv } from '../render/csv.js';
import type { Plain, Row } from '../store/values.js';
import type { CheckItem } from './checklist.js';
import type { ReportModel } from './model.js';

export interface CsvTable {
  /** File name without `.csv`. */
  name: string;
  columns: readonly string[];
  rows: Row[];
}

/**
 * One JSON value as the CSV carries it: nested values become JSON text; a non-finite number is
 * empty, as JSON writes it null.
 */
export function csvValue(v: unknown): Plain {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return JSON.stringify(v);
}

function table<T extends object>(name: string, columns: readonly (keyof T & string)[], rows: readonly T[]): CsvTable {
  return {
    name,
    columns,
    rows: rows.map((r) => {
      const out: Row = {};
      for (const c of columns) out[c] = csvValue(r[c]);
      return out;
    }),
  };
}

/** Every CSV table of a report, in a stable order. */
export function reportTables(model: ReportModel, checklist: readonly CheckItem[]): CsvTable[] {
  const w = model.window;
  return [
    table('window', ['key', 'earliest_possible', 'first_evidence', 'contained_at', 'last_use', 'open'], [w]),
    table('window-evidence', ['bound', 'ts', 'source', 'ref', 'summary', 'file', 'record_no'], w.evidence),
    table('signed', ['log_index', 'entry_uuid', 'integrated_time', 'artifact_digest', 'subjects', 'signer', 'key_fingerprint', 'run_id', 'verdict', 'reasons', 'file', 'record_no'], model.signed),
    table('anomalies', ['rule', 'severity', 'ts', 'actor', 'summary', 'evidence', 'mitre', 'owasp_nhi'], model.findings),
    table('lateral', ['pivot', 'pivot_kind', 'ts', 'source', 'action', 'target', 'actor', 'file', 'record_no'], model.lateral),
    table('access', ['identity', 'kind', 'access', 'first_seen', 'last_seen', 'count', 'expected', 'file', 'record_no'], model.access),
    table('timeline', ['ts', 'source', 'action', 'actor', 'target', 'summary', 'file', 'record_no'], model.timeline),
    table('distrust', ['digest'], model.distrust.digests.map((digest) => ({ digest }))),
    table('custody', ['path', 'sha256', 'bytes', 'adapter', 'records', 'rejected'], model.custody.files),
    table('custody-tlog', ['status', 'count'], model.custody.tlog),
    table('checklist', ['id', 'title', 'status', 'detail', 'rule', 'evidence'], checklist),
  ];
}

/** A table as CSV text (RFC 4180, CRLF, header row, formula-safe cells). */
export function tableCsv(t: CsvTable): string {
  return renderCsv(t.columns, t.rows);
}
