/**
 * What a scan reports: the shape of `sigtrail scan --format json|ndjson`, of findings.json in
 * `--report`, and of a row of the `findings` table.
 */
import type { Evidence } from '../analyses/evidence.js';
import type { Severity } from '../analyses/registry.js';
import type { RuleId } from '../analyses/types.js';

export interface ScanFinding {
  /** Stable across runs (findingFingerprint: rule, key scope, evidence ids): the de-duplication key. */
  fingerprint: string;
  rule: RuleId;
  severity: Severity;
  ts: string | null;
  /** The key or signer the finding is about (a selector), or the case's selectors. */
  key: string;
  actor: string | null;
  summary: string;
  evidence: Evidence[];
  title: string;
  mitre: string[];
  owasp_nhi: string[];
  /** The scan that first reported it (set once stored). */
  scan_id: number | null;
}
