/**
 * Rekor records → one projected row per log entry (DuckDB), then the JavaScript mapping in load.ts.
 *
 * Record shapes told apart here:
 * - v1 API response `{"<uuid>": {body, integratedTime, logID, logIndex, verification}}`: one
 *   row per member (GET returns one, `/entries/retrieve` an array of these, NDJSON one per line);
 *   proof hashes, root hash and logID are hex; the checkpoint is a string.
 * - protobuf-JSON TransparencyLogEntry (Rekor v2 responses, also v1 entries in that shape):
 *   `canonicalizedBody`, int64 as strings, base64 bytes, `inclusionProof.checkpoint.envelope`.
 * - Rekor ProposedEntry `{apiVersion, kind, spec}`: what a client *submits*. The server
 *   canonicalises it (e.g. replaces dsse `proposedContent` with hashes) and assigns index, time and
 *   proof, so it is not a log entry and is rejected with that reason.
 * Anything else in a Rekor file is rejected with its record number.
 */
import { fieldsSql } from '../shared/fields.js';

const V1 = fieldsSql('entry', {
  body: '$.body',
  integrated_time: '$.integratedTime',
  log_id: '$.logID',
  log_index: '$.logIndex',
  set: '$.verification.signedEntryTimestamp',
  proof_log_index: '$.verification.inclusionProof.logIndex',
  proof_tree_size: '$.verification.inclusionProof.treeSize',
  proof_root: '$.verification.inclusionProof.rootHash',
  checkpoint: '$.verification.inclusionProof.checkpoint',
});

const TLE = fieldsSql('rec', {
  body: '$.canonicalizedBody',
  integrated_time: '$.integratedTime',
  log_id: '$.logId.keyId',
  log_index: '$.logIndex',
  kind: '$.kindVersion.kind',
  kind_version: '$.kindVersion.version',
  set: '$.inclusionPromise.signedEntryTimestamp',
  proof_log_index: '$.inclusionProof.logIndex',
  proof_tree_size: '$.inclusionProof.treeSize',
  proof_root: '$.inclusionProof.rootHash',
  checkpoint: '$.inclusionProof.checkpoint.envelope',
});

/** One projected row (NULL where a shape lacks a field). */
export interface RekorRow {
  record_no: number;
  member_no: number;
  shape: 'v1' | 'tle' | 'proposed' | 'unreadable';
  uuid: string | null;
  body: string | null;
  integrated_time: string | null;
  log_id: string | null;
  log_index: string | null;
  kind: string | null;
  kind_version: string | null;
  set: string | null;
  proof_log_index: string | null;
  proof_tree_size: string | null;
  proof_root: string | null;
  proof_hashes: string[] | null;
  checkpoint: string | null;
  reject_reason: string | null;
  snippet: string | null;
  /** The record as read: `{uuid: entry}` for a v1 member, the whole TransparencyLogEntry otherwise. */
  raw: string | null;
}

/** The projection SELECT over `staged` (see LoadContext.stagedRows). */
export const REKOR_SQL = `
WITH s AS (
  SELECT record_no, rec, stage_reject,
    CASE
      WHEN stage_reject IS NOT NULL THEN 'unreadable'
      WHEN json_type(rec, '$.canonicalizedBody') = 'VARCHAR' THEN 'tle'
      WHEN json_type(rec, '$.kind') = 'VARCHAR' AND json_type(rec, '$.apiVersion') = 'VARCHAR' AND json_type(rec, '$.spec') = 'OBJECT' THEN 'proposed'
      ELSE 'v1'
    END AS shape
  FROM staged
), members AS (
  SELECT s.record_no, COALESCE(e.id, 0) AS member_no, e.key AS uuid, e.value AS entry
  FROM s LEFT JOIN json_each(s.rec) e ON TRUE
  WHERE s.shape = 'v1'
), v1 AS (
  SELECT record_no, member_no, uuid, entry, ${V1.list},
    CASE WHEN json_type(entry, '$.verification.inclusionProof') = 'OBJECT'
         THEN json_extract_string(entry, '$.verification.inclusionProof.hashes[*]') END AS proof_hashes
  FROM members
), tle AS (
  SELECT record_no, rec, ${TLE.list},
    CASE WHEN json_type(rec, '$.inclusionProof') = 'OBJECT'
         THEN json_extract_string(rec, '$.inclusionProof.hashes[*]') END AS proof_hashes
  FROM s WHERE shape = 'tle'
)
SELECT record_no, member_no, 'v1' AS shape, uuid, ${V1.items}, proof_hashes,
  CASE
    WHEN uuid IS NULL THEN 'not a Rekor log entry: an empty JSON object'
    WHEN NOT regexp_full_match(uuid, '([0-9a-fA-F]{16})?[0-9a-fA-F]{64}')
      THEN 'not a Rekor log entry: member "' || left(uuid, 40) || '" is neither a 64/80-hex entry UUID nor a known field'
    WHEN json_type(entry) <> 'OBJECT' OR json_type(entry, '$.body') IS DISTINCT FROM 'VARCHAR'
      THEN 'Rekor v1 entry ' || left(uuid, 16) || '… has no body'
  END AS reject_reason,
  st_snippet(entry) AS snippet,
  CASE WHEN uuid IS NOT NULL THEN CAST(json_object(uuid, entry) AS VARCHAR) END AS raw
FROM v1
UNION ALL BY NAME
SELECT record_no, 0 AS member_no, 'tle' AS shape, ${TLE.items}, proof_hashes, st_snippet(rec) AS snippet,
  CAST(rec AS VARCHAR) AS raw
FROM tle
UNION ALL BY NAME
SELECT record_no, 0 AS member_no, shape,
  CASE shape
    WHEN 'unreadable' THEN stage_reject
    ELSE 'a Rekor ProposedEntry (' || left(rec ->> '$.kind', 40) || ' ' || left(rec ->> '$.apiVersion', 20)
      || '): a submission request to the log, not a log entry; it has no log index, integrated time or inclusion proof'
  END AS reject_reason,
  st_snippet(rec) AS snippet
FROM s WHERE shape IN ('unreadable', 'proposed')
ORDER BY record_no, member_no
`;
