-- id: signed
-- title: Artefacts signed with the key, with verdicts
-- description: Every transparency-log entry on the key (any alias) between range_from and
--   range_to (the window by default): digest, subjects, log index, uuid, signer, run, and a
--   verdict — attested (a sanctioned build made it), unattested (none could be shown; where the
--   logs cover it that is also a SIGNED_WITHOUT_BUILD finding), anomalous (another finding fired
--   for the entry, its sign call or its build) — with the reasons.
-- severity: info
-- kind: analysis
-- scope: case
-- params: range_from:timestamptz, range_to:timestamptz
-- mitre:
-- owasp_nhi:
WITH fe AS (
  SELECT rule, summary, unnest(evidence) AS e FROM c_finding WHERE stage IN ('use', 'window')
), ids AS (
  SELECT entry_uuid, entry_uuid AS id FROM c_attr
  UNION SELECT entry_uuid, paired_event_uid FROM c_attr WHERE paired_event_uid IS NOT NULL
  UNION SELECT entry_uuid, build_uid FROM c_attr WHERE build_uid IS NOT NULL
), sf AS (
  SELECT ids.entry_uuid, list(DISTINCT fe.rule ORDER BY fe.rule) AS rules,
         list(DISTINCT fe.rule || ': ' || fe.summary ORDER BY fe.rule || ': ' || fe.summary) AS why
  FROM ids JOIN fe ON fe.e.id = ids.id
  GROUP BY ids.entry_uuid
)
SELECT s.log_index, s.entry_uuid, s.integrated_time, c_digest(s.artifact_digest) AS artifact_digest, s.subjects,
       a.signer, s.key_fingerprint, a.run_id,
       -- SIGNED_WITHOUT_BUILD restates "unattested where the logs cover it"; it does not make an entry anomalous.
       CASE WHEN len(list_filter(sf.rules, r -> r <> 'SIGNED_WITHOUT_BUILD')) > 0 THEN 'anomalous'
            WHEN a.attested THEN 'attested' ELSE 'unattested' END AS verdict,
       list_concat(a.reasons, COALESCE(sf.why, []::VARCHAR[])) AS reasons,
       a.mode, COALESCE(sf.rules, []::VARCHAR[]) AS rules, s.kind, s.san, s.oidc_issuer, s.file_id, s.record_no
FROM c_sig s
JOIN c_attr a USING (entry_uuid)
LEFT JOIN sf USING (entry_uuid)
WHERE ($range_from IS NULL OR s.integrated_time >= CAST($range_from AS TIMESTAMPTZ))
  AND ($range_to IS NULL OR s.integrated_time <= CAST($range_to AS TIMESTAMPTZ))
ORDER BY s.integrated_time, s.log_index, s.entry_uuid
