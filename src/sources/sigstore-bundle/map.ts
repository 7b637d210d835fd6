/**
 * Sigstore bundle files → one row per bundle (DuckDB reads and classifies the records; the bundle
 * itself is then parsed by @sigstore/bundle in load.ts, which needs the whole object).
 *
 * Accepted: every `application/vnd.dev.sigstore.bundle…` media type (v0.1, v0.2, both v0.3
 * spellings). A trusted_root.json is recognised and rejected with a pointer to `--trusted-root`;
 * any other record is rejected with its record number.
 */

export interface BundleRow {
  record_no: number;
  bundle: string | null;
  reject_reason: string | null;
  snippet: string | null;
}

/** The classification SELECT over `staged` (see LoadContext.stagedRows). */
export const BUNDLE_SQL = `
WITH s AS (
  SELECT record_no, rec, rec ->> '$.mediaType' AS media_type,
    CASE
      WHEN stage_reject IS NOT NULL THEN stage_reject
      WHEN starts_with(rec ->> '$.mediaType', 'application/vnd.dev.sigstore.trustedroot')
        THEN 'a Sigstore trusted root is trust material, not log entries: pass it to \`sigtrail ingest --trusted-root <file>\`'
      WHEN rec ->> '$.mediaType' IS NULL THEN 'not a Sigstore bundle: it has no mediaType'
      WHEN NOT starts_with(rec ->> '$.mediaType', 'application/vnd.dev.sigstore.bundle')
        THEN 'not a Sigstore bundle: mediaType ' || left(rec ->> '$.mediaType', 80)
    END AS reject_reason
  FROM staged
)
SELECT record_no,
  CASE WHEN reject_reason IS NULL THEN CAST(rec AS VARCHAR) END AS bundle,
  reject_reason,
  CASE WHEN reject_reason IS NOT NULL THEN st_snippet(rec) END AS snippet
FROM s
ORDER BY record_no
`;
