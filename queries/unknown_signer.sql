-- id: unknown_signer
-- title: Unknown signer, identity, issuer or runner
-- description: A principal that signed with or read the key, a keyless identity or OIDC issuer,
--   or the runner type of a signing build that is not expected and was not seen on this key in
--   the baseline_days before the event itself (new-terms detection). Judged only where a full
--   baseline exists for that source, or the case lists expectations of that kind.
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
  FROM c_use WHERE fam IN ('signer', 'issuer', 'runner')
), n AS (
  SELECT u.*,
         CASE u.xkind WHEN 'principals' THEN c_match(u.raw, x.principals)
                      WHEN 'identities' THEN c_match(u.raw, x.identities)
                      WHEN 'issuers' THEN c_match(u.raw, x.issuers) ELSE false END AS expected,
         CASE u.xkind WHEN 'principals' THEN x.explicit_principals
                      WHEN 'identities' THEN x.explicit_identities
                      WHEN 'issuers' THEN x.explicit_issuers ELSE false END AS explicit,
         CASE WHEN u.fam = 'issuer' THEN 'OIDC issuer' WHEN u.fam = 'runner' THEN 'runner type'
              WHEN u.xkind = 'identities' THEN 'signing identity' ELSE 'principal' END || ' ' || u.raw AS what
  FROM u CROSS JOIN c_x x
), hits AS (
  SELECT * FROM n
  WHERE NOT expected
    AND (prev_ts IS NULL OR c_days_after(prev_ts, ts, $baseline_days))
    AND (explicit OR NOT c_days_after(ts, fam_first, -$baseline_days))
)
-- One finding per use: a keyless signature with a new identity and a new issuer is one event.
SELECT ts, any_value(actor) AS actor, any_value(principal) AS principal, any_value(credential_id) AS credential_id,
       any_value(source_ip) AS source_ip, any_value(run_id) AS run_id,
       format('new {} {} (not expected, and not seen on this key in the {} days before)',
              string_agg(what, ' and new ' ORDER BY what),
              CASE any_value(action) WHEN 'key.sign' THEN 'signed with the key' WHEN 'secret.read' THEN 'read the key''s secret'
                                     WHEN 'ci.job' THEN 'ran a job that was passed the key''s secret' ELSE 'signed with the key' END,
              $baseline_days) AS summary,
       uid AS subject,
       [c_evd(tbl, uid, any_value(file_id), any_value(record_no))] AS evidence
FROM hits
GROUP BY tbl, uid, ts
