/**
 * Evidence pointers: every finding, window bound and timeline row cites the canonical row it
 * rests on — its table, its id (event_uid, entry_uuid or ci_uid), and the file and record number
 * it was ingested from, so an analyst can go back to the original log line.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/database.js';
import type { Plain } from '../store/values.js';

export interface Evidence {
  table: string;
  event_uid?: string;
  entry_uuid?: string;
  ci_uid?: string;
  file: string | null;
  record_no: number | null;
}

/** The `(tbl, id, file_id, record_no)` structs the SQL produces. */
export interface RawEvidence {
  tbl: string | null;
  id: string | null;
  file_id: number | null;
  record_no: number | null;
}

const ID_FIELD: Record<string, 'event_uid' | 'entry_uuid' | 'ci_uid'> = {
  events: 'event_uid',
  signatures: 'entry_uuid',
  ci_runs: 'ci_uid',
};

/** file_id → path, loaded once per investigation (the files table is small: one row per input file). */
export class FileIndex {
  private constructor(private readonly paths: Map<number, string>) {}

  static async load(store: Store): Promise<FileIndex> {
    const rows = await store.all<{ file_id: number; path: string }>('SELECT file_id, path FROM files');
    return new FileIndex(new Map(rows.map((r) => [r.file_id, r.path])));
  }

  path(fileId: number | null | undefined): string | null {
    return fileId === null || fileId === undefined ? null : (this.paths.get(fileId) ?? null);
  }

  /** One SQL evidence struct → the public pointer. */
  evidence(raw: RawEvidence): Evidence {
    const table = raw.tbl ?? 'unknown';
    const e: Evidence = { table, file: this.path(raw.file_id), record_no: raw.record_no };
    const field = ID_FIELD[table];
    if (field && raw.id !== null) e[field] = raw.id;
    return e;
  }
}

/** The id inside an evidence pointer. */
export function evidenceId(e: Evidence): string {
  return e.event_uid ?? e.entry_uuid ?? e.ci_uid ?? '';
}

/** `table:id`, the compact form used in the window's `ref`. */
export function evidenceRef(e: Evidence): string {
  return `${e.table}:${evidenceId(e)}`;
}

/** Reads a list of evidence structs from a normalised row value. */
export function rawEvidenceList(v: Plain | undefined): RawEvidence[] {
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is Record<string, Plain> => typeof x === 'object' && x !== null && !Array.isArray(x)).map((x) => ({
    tbl: typeof x.tbl === 'string' ? x.tbl : null,
    id: typeof x.id === 'string' ? x.id : null,
    file_id: typeof x.file_id === 'number' ? x.file_id : null,
    record_no: typeof x.record_no === 'number' ? x.record_no : null,
  }));
}

/**
 * A finding's stable identity across runs (for the nightly scan's de-duplication): the rule, the
 * key scope (the case's selectors, sorted) and the ids of the evidence rows, sorted. Times,
 * summaries and file paths are left out: re-ingesting the same records elsewhere keeps it.
 */
export function findingFingerprint(rule: string, scope: readonly string[], evidence: readonly Evidence[]): string {
  const ids = [...new Set(evidence.map((e) => `${e.table}:${evidenceId(e)}`))].sort();
  return createHash('sha256')
    .update(JSON.stringify([rule, [...scope].sort(), ids]))
    .digest('hex');
}
