-- id: unknown_signer
-- title: Unknown signer, identity, issuer or runner
-- description: A principal that signed with the key (or, separately, read its secret), a keyless
--   identity or OIDC issuer, or the runner type of a signing build that is not expected and was
--   not seen on this key in the baseline_days before the event itself (new-terms detection).
--   Judged only where a full baseline exists for that source, or the case lists expectations of
--   that kind. The evidence is the new value's uses in the 24 hours from its first.
-- severity: high
-- kind: rule
-- rule: UNKNOWN_SIGNER
-- stage: use
-- scope: case
-- params: baseline_days:integer=30
-- mitre: T1078.004, T1553.002
-- owasp_nhi: NHI2:2025, NHI5:2025
WITH u AS (
  SELECT *,
         lag(ts) OVER (PARTITION BY fam, source, val ORDER BY ts, uid) AS prev_ts,
         min(ts) OVER (PARTITION BY fam, source) AS fam_first
  FROM c_use WHERE fam IN ('signer', 'reader', 'issuer', 'runner')
), f AS (
  SELECT u.*,
         NOT (CASE u.xkind WHEN 'principals' THEN c_match(u.raw, x.principals)
                           WHEN 'identities' THEN c_match(u.raw, x.identities)
                           WHEN 'issuers' THEN c_match(u.raw, x.issuers) ELSE false END)
         AND (u.prev_ts IS NULL OR c_days_after(u.prev_ts, u.ts, $baseline_days))
         AND ((CASE u.xkind WHEN 'principals' THEN x.explicit_principals
                            WHEN 'identities' THEN x.explicit_identities
                            WHEN 'issuers' THEN x.explicit_issuers ELSE false END)
              OR NOT c_days_after(u.ts, u.fam_first, -$baseline_days)) AS is_new,
         CASE WHEN u.fam = 'issuer' THEN 'OIDC issuer' WHEN u.fam = 'runner' THEN 'runner type'
              WHEN u.xkind = 'identities' THEN 'signing identity' ELSE 'principal' END || ' ' || u.raw AS what
  FROM u CROSS JOIN c_x x
), ep AS (
  -- A new value opens an episode; its uses in the following 24 hours are the finding's evidence.
  SELECT f.*, sum(CAST(is_new AS INTEGER)) OVER (PARTITION BY fam, source, val ORDER BY ts, uid ROWS UNBOUNDED PRECEDING) AS ep_no
  FROM f
), starts AS (
  SELECT * FROM ep WHERE is_new
), members AS (
  SELECT DISTINCT s.tbl AS s_tbl, s.uid AS s_uid, e.ts, e.tbl, e.uid, e.file_id, e.record_no
  FROM starts s JOIN ep e ON e.fam = s.fam AND e.source = s.source AND e.val = s.val AND e.ep_no = s.ep_no
  WHERE epoch_us(e.ts) - epoch_us(s.ts) <= 86400000000
), evidence AS (
  SELECT s_tbl, s_uid, count(*) AS uses,
         list(c_evd(tbl, uid, file_id, record_no) ORDER BY ts, uid)[1:50] AS evidence
  FROM members GROUP BY s_tbl, s_uid
)
-- One finding per first use: a keyless entry with a new identity and a new issuer is one event.
SELECT s.ts, any_value(s.actor) AS actor, any_value(s.principal) AS principal, any_value(s.credential_id) AS credential_id,
       any_value(s.source_ip) AS source_ip, any_value(s.run_id) AS run_id,
       format('new {} {} (not expected, and not seen on this key in the {} days before){}',
              string_agg(DISTINCT s.what, ' and new ' ORDER BY s.what),
              CASE any_value(s.action) WHEN 'key.sign' THEN 'signed with the key' WHEN 'secret.read' THEN 'read the key''s secret'
                                       WHEN 'ci.job' THEN 'ran a job that was passed the key''s secret' ELSE 'signed with the key' END,
              $baseline_days,
              CASE WHEN any_value(e.uses) > 1 THEN format('; {} uses in the next 24 h', any_value(e.uses)) ELSE '' END) AS summary,
       s.uid AS subject,
       any_value(e.evidence) AS evidence
FROM starts s JOIN evidence e ON e.s_tbl = s.tbl AND e.s_uid = s.uid
GROUP BY s.tbl, s.uid, s.ts
