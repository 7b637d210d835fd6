-- id: distrust
-- title: Digests downstream consumers must reject
-- description: The artefact digests (and in-toto subject digests) of everything signed in the
--   window that is not attested — or, with all_in_window, of everything signed in it — each with
--   the entries and verdicts behind it. Reads the verdicts of the signed analysis.
-- severity: info
-- kind: analysis
-- scope: case
-- params: all_in_window:boolean=false
-- mitre:
-- owasp_nhi:
WITH s AS (
  SELECT * FROM c_signed WHERE CAST($all_in_window AS BOOLEAN) OR verdict <> 'attested'
), d AS (
  SELECT artifact_digest AS digest, entry_uuid, verdict FROM s WHERE artifact_digest IS NOT NULL
  UNION ALL
  SELECT c_digest(unnest(json_extract_string(subjects, '$[*].digest.sha256'))), entry_uuid, verdict
  FROM s WHERE subjects IS NOT NULL AND json_type(subjects) = 'ARRAY'
)
SELECT digest, list(DISTINCT entry_uuid ORDER BY entry_uuid) AS entries, list(DISTINCT verdict ORDER BY verdict) AS verdicts
FROM d WHERE digest IS NOT NULL
GROUP BY digest
ORDER BY digest
