/**
 * TEMP macros the case tables and the analyses in queries/ share. Created on the connection for
 * each investigation; nothing here persists into the case database.
 */
export const CASE_MACROS = String.raw`
-- A value matches any of a list of LIKE patterns (escape \). The list is a bound parameter or a
-- column of c_x, never text spliced into SQL.
CREATE OR REPLACE TEMP MACRO c_match(v, pats) AS (
  v IS NOT NULL AND pats IS NOT NULL AND len(list_filter(pats, p -> v LIKE p ESCAPE '\')) > 0
);

-- A literal as a LIKE pattern that matches only itself.
CREATE OR REPLACE TEMP MACRO c_like_lit(v) AS (
  replace(replace(replace(v, '\', '\\'), '%', '\%'), '_', '\_')
);

-- A workflow path without host and @ref: "https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1"
-- and "o/r/.github/workflows/x.yml@refs/heads/main" → "o/r/.github/workflows/x.yml".
CREATE OR REPLACE TEMP MACRO c_wf_path(wf) AS (
  regexp_replace(regexp_replace(wf, '^https?://[^/]+/', ''), '@.*$', '')
);

-- The workflow key "<owner>/<repo>/<path>" that case files name, whether the log gave the path
-- alone (ci_runs.workflow = ".github/workflows/x.yml") or a full workflow ref.
CREATE OR REPLACE TEMP MACRO c_wf(repo, wf) AS (
  CASE
    WHEN wf IS NULL OR wf = '' THEN NULL
    WHEN repo IS NULL OR repo = '' OR starts_with(lower(c_wf_path(wf)), lower(repo) || '/') THEN c_wf_path(wf)
    ELSE repo || '/' || c_wf_path(wf)
  END
);

CREATE OR REPLACE TEMP MACRO c_wf_match(repo, wf, pats) AS (
  c_match(c_wf(repo, wf), pats) OR c_match(c_wf_path(wf), pats)
);

-- Refs are matched as given, and a bare branch or tag name ("main", "v1.2") also as refs/heads/… and refs/tags/….
CREATE OR REPLACE TEMP MACRO c_ref_match(r, pats) AS (
  c_match(r, pats) OR (r IS NOT NULL AND NOT starts_with(r, 'refs/')
                       AND (c_match('refs/heads/' || r, pats) OR c_match('refs/tags/' || r, pats)))
);

-- A ref's comparable part: "refs/heads/main" and a bare "main" (Actions' head_branch) are one ref.
CREATE OR REPLACE TEMP MACRO c_ref_key(r) AS (regexp_replace(r, '^refs/(heads|tags)/', ''));

-- Release tags differ on every release; history is generalised to the tag namespace so that
-- inference finds the pattern ("refs/tags/*"), not one tag.
-- GitHub's head_branch gives a tag push's bare tag name ("v1.2.3"): version-like bare names count as tags.
CREATE OR REPLACE TEMP MACRO c_ref_general(r) AS (
  CASE WHEN r LIKE 'refs/tags/%' OR (NOT starts_with(r, 'refs/') AND regexp_full_match(r, '[A-Za-z_-]*v?[0-9]+(\.[0-9]+)+.*'))
       THEN 'refs/tags/*' ELSE r END
);
CREATE OR REPLACE TEMP MACRO c_san_general(s) AS (
  regexp_replace(s, '@refs/tags/.*$', '@refs/tags/*')
);

-- One evidence pointer: table, row id, file and record number.
CREATE OR REPLACE TEMP MACRO c_evd(tbl, id, file_id, record_no) AS (
  struct_pack(tbl := CAST(tbl AS VARCHAR), id := CAST(id AS VARCHAR), file_id := CAST(file_id AS INTEGER), record_no := CAST(record_no AS BIGINT))
);

-- sourceIPAddress can be a service name ("kms.amazonaws.com", "AWS Internal"); only addresses pivot.
CREATE OR REPLACE TEMP MACRO c_is_ip(v) AS (
  v IS NOT NULL AND (regexp_full_match(v, '[0-9]{1,3}(\.[0-9]{1,3}){3}')
                     OR (v LIKE '%:%:%' AND regexp_full_match(v, '[0-9A-Fa-f:.]+')))
);

-- A user agent's product token ("aws-cli/2.15.0 Python/3.11" → "aws-cli"): version bumps are not new clients.
CREATE OR REPLACE TEMP MACRO c_ua_family(ua) AS (
  NULLIF(lower(regexp_extract(ltrim(ua, '[ '), '^[^/ ()\[\]]+')), '')
);

-- Digests as "<algorithm>:<hex>", lower case; a bare hex digest is SHA-256.
CREATE OR REPLACE TEMP MACRO c_digest(d) AS (
  CASE WHEN d IS NULL OR trim(d) = '' THEN NULL
       WHEN d LIKE '%:%' THEN lower(trim(d))
       ELSE 'sha256:' || lower(trim(d)) END
);

-- A time as ISO-8601 UTC text, for summaries and reasons.
-- Through a plain TIMESTAMP: formatting and arithmetic on TIMESTAMPTZ go through ICU's calendar and
-- cost several times more per row; all case times are UTC microseconds anyway.
CREATE OR REPLACE TEMP MACRO c_t(ts) AS (COALESCE(strftime(make_timestamp(epoch_us(ts)), '%Y-%m-%dT%H:%M:%SZ'), '?'));

-- A time plus (or minus) a number of seconds, without ICU.
CREATE OR REPLACE TEMP MACRO c_plus(ts, secs) AS (make_timestamptz(epoch_us(ts) + CAST(secs * 1000000 AS BIGINT)));

-- Whole UTC days since the epoch (for "distinct days" and per-day grouping).
CREATE OR REPLACE TEMP MACRO c_day(ts) AS (epoch_us(ts) // 86400000000);

-- b is more than n days after a.
CREATE OR REPLACE TEMP MACRO c_days_after(a, b, n) AS (epoch_us(b) - epoch_us(a) > CAST(n AS BIGINT) * 86400000000);

-- Seconds between two times (b - a).
CREATE OR REPLACE TEMP MACRO c_secs(a, b) AS (epoch(b) - epoch(a));

-- The hour bucket of a time, for equi-joins on time ranges (see c_build_hour).
CREATE OR REPLACE TEMP MACRO c_hour(t) AS (epoch_us(t) // 3600000000);

-- The start of an hour bucket as a time.
CREATE OR REPLACE TEMP MACRO c_hour_ts(h) AS (make_timestamptz(h * 3600000000));
`;
