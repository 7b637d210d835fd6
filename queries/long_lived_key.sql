-- id: long_lived_key
-- title: Key material older than the rotation limit
-- description: The key's material (KMS key creation or rotation, a new secret value, a CI secret
--   change) was still in use more than max_key_age_days after it was created or last rotated, or
--   no creation or rotation is recorded across more than max_key_age_days of use. One finding per
--   such generation of the material, so a key rotated since is still reported for its past.
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
), firstrec AS (
  SELECT * FROM (
    SELECT ts, 'events' AS tbl, event_uid AS id, file_id, record_no, COALESCE(principal, actor) AS actor FROM c_ev
    UNION ALL SELECT integrated_time, 'signatures', entry_uuid, file_id, record_no, san FROM c_sig
  ) ORDER BY ts, id LIMIT 1
), gen AS (
  -- Each use belongs to the generation of the material created last before it.
  SELECT m.event_uid AS mat_uid, max(u.ts) AS last_use FROM uses u ASOF LEFT JOIN mat m ON u.ts >= m.ts GROUP BY m.event_uid
), basis AS (
  SELECT g.last_use, m.ts, 'events' AS tbl, m.event_uid AS id, m.file_id, m.record_no, m.actor,
         format('the key material created by {} on {} at {}', m.what, m.target, c_t(m.ts)) AS what
  FROM gen g JOIN mat m ON m.event_uid = g.mat_uid
  UNION ALL
  SELECT g.last_use, f.ts, f.tbl, f.id, f.file_id, f.record_no, f.actor,
         format('key material with no recorded creation or rotation (earliest record of the key at {})', c_t(f.ts))
  FROM gen g, firstrec f WHERE g.mat_uid IS NULL
)
SELECT c_plus(b.ts, 86400 * CAST($max_key_age_days AS BIGINT)) AS ts, COALESCE(b.actor, '(unknown)') AS actor,
       NULL::VARCHAR AS principal, NULL::VARCHAR AS credential_id, NULL::VARCHAR AS source_ip, NULL::VARCHAR AS run_id,
       format('{} was still in use at {}: {} days without rotation, over the {}-day limit', b.what, c_t(b.last_use),
              CAST(floor(c_secs(b.ts, b.last_use) / 86400) AS BIGINT), $max_key_age_days) AS summary,
       b.id AS subject,
       [c_evd(b.tbl, b.id, b.file_id, b.record_no)] AS evidence
FROM basis b
WHERE c_days_after(b.ts, b.last_use, $max_key_age_days)
