-- id: signed_without_build
-- title: Signature with no sanctioned build behind it
-- description: A transparency-log entry on the key that no sanctioned CI run, job or build-originated
--   sign call explains, where the records could have shown one (CI or cloud audit logs cover the
--   signing time and expected workflows are known). Entries the logs cannot speak to stay
--   "unattested" without a finding.
-- severity: critical
-- kind: rule
-- rule: SIGNED_WITHOUT_BUILD
-- stage: use
-- scope: case
-- params:
-- mitre: T1553.002, T1195.002
-- owasp_nhi: NHI2:2025
SELECT s.integrated_time AS ts,
       COALESCE(a.signer, '(unknown signer)') AS actor,
       a.principal, a.credential_id, a.source_ip, a.run_id,
       format('{} {} (log index {}) signed without a sanctioned build: {}',
              s.kind, COALESCE(c_digest(s.artifact_digest), 'entry ' || left(s.entry_uuid, 16)), COALESCE(CAST(s.log_index AS VARCHAR), '?'),
              array_to_string(a.reasons, '; ')) AS summary,
       s.entry_uuid AS subject,
       a.evidence
FROM c_attr a JOIN c_sig s USING (entry_uuid)
WHERE NOT a.attested AND a.judgeable
