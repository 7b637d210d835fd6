/**
 * Writing transparency-log rows into `signatures`, for adapters whose mapping needs JavaScript
 * (X.509, signature checks) after DuckDB has read the file.
 *
 * Rows go through a DuckDB appender into a TEMP table shaped like `signatures` (values arrive as
 * text and DuckDB casts them to the column types), then one INSERT … SELECT with an anti-join:
 * no value is ever spliced into SQL text.
 *
 * One log entry is stored once, whichever file brought it (a bundle and a v1 API response of the
 * same entry): the key is (log_id, entry_uuid, leaf_hash). Two refinements keep evidence visible:
 * - a copy whose log evidence `failed` is never folded into a copy that did not fail (a tampered
 *   proof next to a genuine one must show), and
 * - a duplicate that carries more than the stored row upgrades it: `unverified` → `verified`, and
 *   empty subjects / digests / predicate type are filled (a bundle's DSSE payload adds the
 *   in-toto subjects that a v1 API response lacks).
 */
import type { Store } from '../store/database.js';
import { SIGNATURE_COLUMNS, type SignatureColumn } from '../store/schema.js';
import type { FileRef, Tally } from '../sources/types.js';

export type SignatureValue = string | number | bigint | boolean | null | undefined;

/** One mapped entry. `file_id` is filled in here. */
export type SignatureInput = {
  record_no: number;
  /** Set: the record is not a log entry; it goes to `rejects` only. */
  reject_reason?: string | null;
  /** Short excerpt of the record for `rejects.snippet`. */
  snippet?: string | null;
} & Partial<Record<Exclude<SignatureColumn, 'file_id' | 'record_no'>, SignatureValue>>;

const EXTRA = ['ord', 'reject_reason', 'snippet'] as const;
const DATA_COLUMNS = SIGNATURE_COLUMNS.filter((c) => c !== 'file_id');
/** Filled from the duplicate when the stored row lacks them. */
const ENRICH = ['subjects', 'artifact_digest', 'predicate_type', 'payload_digest', 'integrated_time', 'log_index', 'tree_log_index', 'tree_id'] as const;

/** Plain equalities (NULL-safe through COALESCE) so that DuckDB plans a hash join, not a nested loop. */
const SAME_ENTRY = `s.entry_uuid = m.entry_uuid AND COALESCE(s.log_id, '') = COALESCE(m.log_id, '')
  AND COALESCE(s.leaf_hash, '') = COALESCE(m.leaf_hash, '') AND (s.tlog_verified = 'failed') = (m.tlog_verified = 'failed')`;

function text(v: SignatureValue): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

/**
 * Stores `rows` for `file`, updating `tally`: rows with a reject_reason become rejects; rows with
 * a decode_error are stored *and* listed in rejects (counted as rejected); the rest are inserted
 * or counted as duplicates.
 */
export async function writeSignatures(store: Store, file: FileRef, tally: Tally, rows: readonly SignatureInput[]): Promise<void> {
  if (rows.length === 0) return;
  await store.exec(`CREATE OR REPLACE TEMP TABLE sig_in AS
    SELECT 0::INTEGER AS ord, NULL::VARCHAR AS reject_reason, NULL::VARCHAR AS snippet, * EXCLUDE (file_id)
    FROM signatures WITH NO DATA`);
  const appender = await store.connection.createAppender('sig_in', 'main', 'temp');
  try {
    rows.forEach((row, ord) => {
      const values: Record<string, SignatureValue> = { ...row, ord };
      for (const col of [...EXTRA, ...DATA_COLUMNS]) {
        const v = text(values[col]);
        if (v === null) appender.appendNull();
        else appender.appendVarchar(v);
      }
      appender.endRow();
    });
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const params = { file_id: file.id, path: file.path };
  await store.run(
    `INSERT INTO rejects (file_id, path, record_no, line_no, reason, snippet)
     SELECT $file_id, $path, record_no, NULL,
            regexp_replace(COALESCE(reject_reason, 'kept in signatures, not fully decoded: ' || decode_error), '[\\r\\n\\t]+', ' ', 'g'),
            left(regexp_replace(snippet, '[\\r\\n\\t]+', ' ', 'g'), 200)
     FROM sig_in WHERE reject_reason IS NOT NULL OR decode_error IS NOT NULL ORDER BY ord`,
    params,
  );
  await store.run(
    `UPDATE signatures s SET
       tlog_verified = CASE WHEN s.tlog_verified = 'unverified' AND m.tlog_verified = 'verified' THEN m.tlog_verified ELSE s.tlog_verified END,
       tlog_reason = CASE WHEN s.tlog_verified = 'unverified' AND m.tlog_verified = 'verified' THEN m.tlog_reason ELSE s.tlog_reason END,
       ${ENRICH.map((c) => `${c} = COALESCE(s.${c}, m.${c})`).join(',\n       ')}
     FROM (SELECT * FROM sig_in WHERE reject_reason IS NULL
           QUALIFY row_number() OVER (PARTITION BY log_id, entry_uuid, leaf_hash, tlog_verified = 'failed'
                                      ORDER BY tlog_verified = 'verified' DESC, ord) = 1) m
     WHERE ${SAME_ENTRY}`,
  );
  // Only the positions of the new rows: the bodies and raw records are copied once, by the INSERT.
  await store.exec(`CREATE OR REPLACE TEMP TABLE sig_new AS
    SELECT ord, decode_error FROM sig_in m
    WHERE m.reject_reason IS NULL AND NOT EXISTS (SELECT 1 FROM signatures s WHERE ${SAME_ENTRY})
    QUALIFY row_number() OVER (PARTITION BY log_id, entry_uuid, leaf_hash, tlog_verified = 'failed'
                               ORDER BY tlog_verified = 'verified' DESC, ord) = 1`);
  await store.run(
    `INSERT INTO signatures (${SIGNATURE_COLUMNS.join(', ')})
     SELECT ${SIGNATURE_COLUMNS.map((c) => (c === 'file_id' ? '$file_id' : c)).join(', ')}
     FROM sig_in WHERE ord IN (SELECT ord FROM sig_new) ORDER BY ord`,
    params,
  );
  const c = await store.one<{ rejected: number; kept_flagged: number; clean: number; inserted_clean: number }>(
    `SELECT (SELECT count(*) FROM sig_in WHERE reject_reason IS NOT NULL) AS rejected,
            (SELECT count(*) FROM sig_in WHERE reject_reason IS NULL AND decode_error IS NOT NULL) AS kept_flagged,
            (SELECT count(*) FROM sig_in WHERE reject_reason IS NULL AND decode_error IS NULL) AS clean,
            (SELECT count(*) FROM sig_new WHERE decode_error IS NULL) AS inserted_clean`,
  );
  await store.exec('DROP TABLE IF EXISTS sig_in; DROP TABLE IF EXISTS sig_new');
  const n = (k: keyof NonNullable<typeof c>): number => Number(c?.[k] ?? 0);
  tally.records += rows.length;
  tally.rejected += n('rejected') + n('kept_flagged');
  tally.inserted += n('inserted_clean');
  tally.duplicates += n('clean') - n('inserted_clean');
}
