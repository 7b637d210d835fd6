/**
 * The canonical tables (SPEC.md "Canonical store") and their migrations.
 *
 * The schema version lives in `meta`; opening an older case database runs the missing
 * migrations in order inside one transaction, and a database written by a newer sigtrail is
 * refused rather than guessed at. Deduplication is done with anti-joins on `event_uid`, not
 * key constraints: with 1M rows a PRIMARY KEY makes inserts ~2x slower (SPEC.md).
 */

export const SCHEMA_VERSION = 1;

/** Columns of `signatures`, in order; the transparency-log adapters write exactly these. */
export const SIGNATURE_COLUMNS = [
  'entry_uuid', 'log_index', 'tree_log_index', 'tree_id', 'log_id', 'integrated_time', 'kind', 'kind_version',
  'artifact_digest', 'subjects', 'signer_kind', 'key_fingerprint', 'cert_fingerprint', 'cert_serial',
  'cert_not_before', 'cert_not_after', 'san', 'oidc_issuer', 'build_signer_uri', 'build_signer_digest',
  'runner_environment', 'source_repository_uri', 'source_repository_digest', 'source_repository_ref',
  'source_repository_identifier', 'source_repository_owner_uri', 'source_repository_owner_identifier',
  'build_config_uri', 'build_config_digest', 'build_trigger', 'run_invocation_uri', 'source_repository_visibility',
  'deployment_environment', 'fulcio_extensions', 'repo', 'workflow', 'ref', 'run_id', 'run_attempt',
  'tlog_verified', 'tlog_reason', 'raw', 'file_id', 'record_no',
  'source', 'leaf_hash', 'payload_digest', 'predicate_type', 'token_subject', 'decode_error', 'body',
] as const;

export type SignatureColumn = (typeof SIGNATURE_COLUMNS)[number];

/** Columns of `events`, in order; adapters' mapping SELECTs produce exactly these (plus `reject_reason`). */
export const EVENT_COLUMNS = [
  'event_uid', 'source', 'ts', 'ts_raw', 'action', 'native_action', 'outcome', 'error_code',
  'actor', 'actor_type', 'principal', 'credential_id', 'issued_credential_id', 'source_ip', 'user_agent',
  'target', 'target_type', 'target_version', 'repo', 'workflow', 'ref', 'run_id', 'secrets',
  'details', 'raw', 'file_id', 'record_no',
] as const;

/** Columns of `ci_runs`, in order; CI adapters' mapping SELECTs produce these (without `file_id`). */
export const CI_RUN_COLUMNS = [
  'ci_uid', 'level', 'provider', 'run_id', 'attempt', 'job_id', 'job_name', 'repo', 'workflow', 'workflow_ref',
  'trigger_event', 'ref', 'head_sha', 'actor', 'triggering_actor', 'runner_name', 'runner_labels', 'runner_type',
  'started_at', 'completed_at', 'conclusion', 'secrets_passed', 'sources', 'file_id', 'record_no',
] as const;

const V1 = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE SEQUENCE IF NOT EXISTS files_seq START 1;
-- Chain of custody: one row per input file. status: loaded | unrecognised.
CREATE TABLE IF NOT EXISTS files (
  file_id     INTEGER PRIMARY KEY DEFAULT nextval('files_seq'),
  path        VARCHAR NOT NULL,
  sha256      VARCHAR NOT NULL,
  bytes       BIGINT NOT NULL,
  adapter     VARCHAR,
  container   VARCHAR,
  records     BIGINT NOT NULL DEFAULT 0,
  rejected    BIGINT NOT NULL DEFAULT 0,
  status      VARCHAR NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every record that could not be parsed or mapped. record_no is the 1-based record position in
-- the file (after unwrapping containers such as {"Records":[...]}); line_no the 1-based line where known.
CREATE TABLE IF NOT EXISTS rejects (
  file_id     INTEGER,
  path        VARCHAR NOT NULL,
  record_no   BIGINT,
  line_no     BIGINT,
  reason      VARCHAR NOT NULL,
  snippet     VARCHAR,
  rejected_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS events (
  event_uid            VARCHAR NOT NULL,
  source               VARCHAR NOT NULL,
  ts                   TIMESTAMPTZ NOT NULL,
  ts_raw               VARCHAR,
  action               VARCHAR NOT NULL,
  native_action        VARCHAR,
  outcome              VARCHAR NOT NULL,
  error_code           VARCHAR,
  actor                VARCHAR,
  actor_type           VARCHAR,
  -- The stable identity behind actor: the role behind an assumed-role session, the IAM user, the
  -- service account, the Vault entity. Expected principals in a case file match this column.
  principal            VARCHAR,
  credential_id        VARCHAR,
  issued_credential_id VARCHAR,
  source_ip            VARCHAR,
  user_agent           VARCHAR,
  target               VARCHAR,
  target_type          VARCHAR,
  target_version       VARCHAR,
  repo                 VARCHAR,
  workflow             VARCHAR,
  ref                  VARCHAR,
  run_id               VARCHAR,
  secrets              VARCHAR[],
  details              JSON,
  raw                  JSON,
  file_id              INTEGER NOT NULL,
  record_no            BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS signatures (
  entry_uuid                    VARCHAR NOT NULL,
  log_index                     BIGINT,
  tree_log_index                BIGINT,
  tree_id                       VARCHAR,
  log_id                        VARCHAR,
  integrated_time               TIMESTAMPTZ,
  kind                          VARCHAR NOT NULL,
  kind_version                  VARCHAR,
  artifact_digest               VARCHAR,
  subjects                      JSON,
  signer_kind                   VARCHAR,
  key_fingerprint               VARCHAR,
  cert_fingerprint              VARCHAR,
  cert_serial                   VARCHAR,
  cert_not_before               TIMESTAMPTZ,
  cert_not_after                TIMESTAMPTZ,
  san                           VARCHAR,
  oidc_issuer                   VARCHAR,
  build_signer_uri              VARCHAR,
  build_signer_digest           VARCHAR,
  runner_environment            VARCHAR,
  source_repository_uri         VARCHAR,
  source_repository_digest      VARCHAR,
  source_repository_ref         VARCHAR,
  source_repository_identifier  VARCHAR,
  source_repository_owner_uri   VARCHAR,
  source_repository_owner_identifier VARCHAR,
  build_config_uri              VARCHAR,
  build_config_digest           VARCHAR,
  build_trigger                 VARCHAR,
  run_invocation_uri            VARCHAR,
  source_repository_visibility  VARCHAR,
  deployment_environment        VARCHAR,
  fulcio_extensions             JSON,
  repo                          VARCHAR,
  workflow                      VARCHAR,
  ref                           VARCHAR,
  run_id                        VARCHAR,
  run_attempt                   INTEGER,
  tlog_verified                 VARCHAR NOT NULL,
  tlog_reason                   VARCHAR,
  raw                           JSON,
  file_id                       INTEGER NOT NULL,
  record_no                     BIGINT NOT NULL,
  -- rekor.v1 (API entry) | rekor.tle (Rekor v2 / protobuf-JSON entry) | sigstore.bundle
  source                        VARCHAR,
  -- Hex RFC 6962 leaf hash of the canonical body: with log_id, what makes two copies one entry.
  leaf_hash                     VARCHAR,
  -- sha256:<hex> of the DSSE payload (in-toto statement) as the log recorded it (dsse / intoto kinds).
  payload_digest                VARCHAR,
  predicate_type                VARCHAR,
  -- Fulcio 1.3.6.1.4.1.57264.1.24: the OIDC token's sub claim.
  token_subject                 VARCHAR,
  -- Why the body or signer could only be partly decoded (unknown kind, unparsable certificate);
  -- such rows are kept and also listed in rejects.
  decode_error                  VARCHAR,
  -- The canonical Rekor body, decoded (raw holds the record as read: v1 entry, log entry or bundle).
  body                          JSON
);

-- CI runs (level = 'run') and jobs (level = 'job'); ci_uid is stable across the shapes that describe
-- the same run or job (audit log, REST, webhook), so they enrich one row instead of adding several.
CREATE TABLE IF NOT EXISTS ci_runs (
  ci_uid           VARCHAR NOT NULL,
  level            VARCHAR NOT NULL,
  provider         VARCHAR NOT NULL,
  run_id           VARCHAR NOT NULL,
  attempt          INTEGER,
  job_id           VARCHAR,
  job_name         VARCHAR,
  repo             VARCHAR,
  workflow         VARCHAR,
  workflow_ref     VARCHAR,
  trigger_event    VARCHAR,
  ref              VARCHAR,
  head_sha         VARCHAR,
  actor            VARCHAR,
  triggering_actor VARCHAR,
  runner_name      VARCHAR,
  runner_labels    VARCHAR[],
  runner_type      VARCHAR,
  started_at       TIMESTAMPTZ,
  completed_at     TIMESTAMPTZ,
  conclusion       VARCHAR,
  secrets_passed   VARCHAR[],
  sources          VARCHAR[],
  file_id          INTEGER,
  record_no        BIGINT
);

-- Findings remembered by the nightly scan, keyed by a stable fingerprint.
CREATE TABLE IF NOT EXISTS findings (
  fingerprint VARCHAR PRIMARY KEY,
  rule        VARCHAR NOT NULL,
  severity    VARCHAR NOT NULL,
  ts          TIMESTAMPTZ,
  actor       VARCHAR,
  summary     VARCHAR,
  scope       VARCHAR,
  evidence    JSON,
  first_seen  TIMESTAMPTZ NOT NULL,
  last_seen   TIMESTAMPTZ NOT NULL,
  scan_id     INTEGER,
  -- false: recorded by a first scan as part of the baseline, never reported.
  reported     BOOLEAN NOT NULL DEFAULT true,
  last_scan_id INTEGER
);

CREATE SEQUENCE IF NOT EXISTS scans_seq START 1;
CREATE TABLE IF NOT EXISTS scans (
  scan_id      INTEGER PRIMARY KEY DEFAULT nextval('scans_seq'),
  started_at   TIMESTAMPTZ NOT NULL,
  finished_at  TIMESTAMPTZ,
  watermark    TIMESTAMPTZ,
  new_findings INTEGER,
  -- running | committed (findings stored, output not yet confirmed) | done | interrupted | failed
  status       VARCHAR NOT NULL,
  -- 'all-keys', or the case's selectors: each scope has its own watermark.
  scope          VARCHAR,
  -- Highest files.file_id judged: rows of later files are new to the next scan.
  file_watermark INTEGER,
  -- Rows with a time at or after this were judged as well (the --since window).
  judged_from    TIMESTAMPTZ,
  ingested_files INTEGER
);
`;

/** migrations[i] brings a database from version i to i + 1. */
export const MIGRATIONS: readonly string[] = [V1];
