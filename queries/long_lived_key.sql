-- id: long_lived_key
-- title: Key material older than the rotation limit
-- description: The key's material (KMS key creation or rotation, a new secret value, a CI secret
--   change) was last created or rotated more than max_key_age_days before its last use, or no
--   creation or rotation is recorded across more than max_key_age_days of use.
-- severity: low
-- kind: rule
-- rule: LONG_LIVED_KEY
-- stage: governance
-- scope: case
-- params: max_key_age_days:integer=365
-- mitre:
-- owasp_nhi: NHI7:2025
WITH mat AS (
  SELECT ts, event_uid, file_id, record_no, COALESCE(native_action, action) AS what, target, COALESCE(principal, actor) AS actor
  FROM c_ev
  WHERE outcome = 'success' AND (action IN ('key.create', 'key.rotate', 'secret.write', 'secret.rotate')
        OR (action = 'ci.secret_change' AND NOT regexp_matches(lower(COALESCE(native_action, '')), 'remove|delete|destroy')))
), uses AS (
  SELECT ts FROM c_ev WHERE outcome = 'success' AND action IN ('key.sign', 'secret.read', 'ci.job')
  UNION ALL SELECT integrated_time FROM c_sig
), last_use AS (
  SELECT max(ts) AS t FROM uses
), firstrec AS (
  SELECT * FROM (
    SELECT ts, 'events' AS tbl, event_uid AS id, file_id, record_no, COALESCE(principal, actor) AS actor FROM c_ev
    UNION ALL SELECT integrated_time, 'signatures', entry_uuid, file_id, record_no, san FROM c_sig
  ) ORDER BY ts, id LIMIT 1
), lastmat AS (
  SELECT mat.* FROM mat, last_use WHERE mat.ts <= last_use.t ORDER BY mat.ts DESC, mat.event_uid LIMIT 1
), basis AS (
  SELECT ts, 'events' AS tbl, event_uid AS id, file_id, record_no, actor,
         format('the key material was last created or rotated by {} on {} ({})', what, target, c_t(ts)) AS what
  FROM lastmat
  UNION ALL
  SELECT ts, tbl, id, file_id, record_no, actor,
         format('no creation or rotation of the key material is recorded; the earliest record of the key is at {}', c_t(ts))
  FROM firstrec WHERE NOT EXISTS (SELECT 1 FROM lastmat)
)
SELECT b.ts + to_days(CAST($max_key_age_days AS INTEGER)) AS ts, COALESCE(b.actor, '(unknown)') AS actor,
       NULL::VARCHAR AS principal, NULL::VARCHAR AS credential_id, NULL::VARCHAR AS source_ip, NULL::VARCHAR AS run_id,
       format('{}, and it was still used at {}: {} days, over the {}-day limit', b.what, c_t(l.t),
              CAST(floor(c_secs(b.ts, l.t) / 86400) AS BIGINT), $max_key_age_days) AS summary,
       b.id AS subject,
       [c_evd(b.tbl, b.id, b.file_id, b.record_no)] AS evidence
FROM basis b, last_use l
WHERE l.t - b.ts > to_days(CAST($max_key_age_days AS INTEGER))
