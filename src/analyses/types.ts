/**
 * The stable result shapes of the investigation analyses (`--format json` and the programmatic
 * API the HTML report and the nightly scan build on). Times are ISO-8601 UTC strings or null.
 */
import type { Expectation } from '../case/expectations.js';
import type { Plain } from '../store/values.js';
import type { Severity } from './registry.js';
import type { Evidence } from './evidence.js';

/** The stable finding rule ids of SPEC.md. */
export const RULES = [
  'SIGNED_WITHOUT_BUILD', 'UNKNOWN_SIGNER', 'UNEXPECTED_REF', 'UNEXPECTED_SOURCE_IP', 'SIGN_DENIED', 'USE_AFTER_CONTAINMENT',
  'SECRET_TO_UNEXPECTED_JOB', 'LATERAL_SECRET_READ', 'NEW_CREDENTIAL', 'KEY_SHARED_ACROSS_REPOS', 'LONG_LIVED_KEY', 'LOGGING_GAP',
] as const;
export type RuleId = (typeof RULES)[number];

export interface Finding {
  rule: RuleId;
  severity: Severity;
  ts: string | null;
  actor: string | null;
  summary: string;
  evidence: Evidence[];
  mitre: string[];
  owasp_nhi: string[];
  /** Stable across runs: rule + key scope + evidence ids (see findingFingerprint). */
  fingerprint: string;
  title: string;
  /** use | governance | window | lateral — when in the investigation the rule runs. */
  stage: string;
  /** What lateral movement pivots on. */
  pivots: { principal: string | null; credential_id: string | null; source_ip: string | null; run_id: string | null };
}

export type Bound = 'earliest_possible' | 'first_exposure' | 'first_evidence' | 'contained_at' | 'last_use' | 'open';

export interface BoundEvidence {
  bound: Bound;
  ts: string | null;
  source: string;
  /** `table:id` of the row behind the bound (`case:window.from` for an analyst override). */
  ref: string;
  summary: string;
  file: string | null;
  record_no: number | null;
  /** For contained_at rows: the alias of the key this revocation is about. */
  alias?: string;
}

export interface WindowDoc {
  key: string[];
  name: string | null;
  earliest_possible: string | null;
  first_evidence: string | null;
  contained_at: string | null;
  last_use: string | null;
  open: boolean;
  evidence: BoundEvidence[];
  /** The expectations used, explicit and inferred. */
  expected: Expectation[];
  /** The values in the store the selectors resolved to. */
  aliases: { kind: string; value: string }[];
}

export type Verdict = 'attested' | 'unattested' | 'anomalous';

export interface SignedRow {
  log_index: number | string | null;
  entry_uuid: string;
  integrated_time: string | null;
  artifact_digest: string | null;
  subjects: Plain;
  signer: string | null;
  key_fingerprint: string | null;
  run_id: string | null;
  verdict: Verdict;
  reasons: string[];
  /** keyless | ci_key | kms | key */
  mode: string;
  rules: string[];
  file: string | null;
  record_no: number | null;
}

export interface LateralRow {
  pivot: string;
  pivot_kind: 'principal' | 'credential' | 'address' | 'run';
  ts: string | null;
  source: string;
  action: string;
  target: string | null;
  actor: string | null;
  native_action: string | null;
  outcome: string;
  issued_credential_id: string | null;
  event_uid: string;
  file: string | null;
  record_no: number | null;
}

export interface AccessRow {
  kind: 'principal' | 'credential' | 'workflow' | 'identity';
  who: string;
  actions: string[];
  first_seen: string | null;
  last_seen: string | null;
  count: number;
  failed: number;
  sources: string[];
  expected: boolean | null;
}

export interface TimelineRow {
  ts: string | null;
  source: string;
  action: string;
  native_action: string | null;
  outcome: string | null;
  actor: string | null;
  target: string | null;
  detail: string | null;
  rules: string[];
  ref: string;
  file: string | null;
  record_no: number | null;
}

export interface DistrustDoc {
  digests: string[];
  entries: { digest: string; entries: string[]; verdicts: string[] }[];
}

export interface InvestigationResult {
  window: WindowDoc;
  signed: SignedRow[];
  findings: Finding[];
  lateral: LateralRow[];
  access: AccessRow[];
  timeline: TimelineRow[];
  distrust: DistrustDoc;
}
