/**
 * The postmortem report's input: everything `report.html`, the CSVs and `findings.json` show.
 *
 * The report owns this model so that it does not depend on how the analyses are computed. The
 * analysis rows keep the stable `--format json` shapes of the analyses issue field for field; the
 * only addition is a pointer (`file`, `record_no`) on rows that the shapes do not already tie to an
 * input record, because every row of a postmortem must name the record it came from. Shapes the
 * analyses do not fix (case, access, timeline, finding evidence, custody) are defined here and
 * documented in docs/report.md.
 *
 * Every string in the model may be attacker-controlled (it came from a log): the renderers escape
 * all of it and never build a URL, class name or attribute from it.
 */

/** ISO-8601 UTC (`2025-03-06T02:31:07Z`), as the store's value normalisation produces it. */
export type IsoTime = string;

/** Where a row came from: the input file's path (as in `files.path`) and the 1-based record number in it. */
export interface RecordPointer {
  file: string | null;
  record_no: number | null;
}

export type ExpectedKind = 'workflow' | 'ref' | 'identity' | 'issuer' | 'principal';

/** One expected-signer value (`*` globs allowed) and whether sigtrail inferred it from history. */
export interface ExpectedSigner {
  kind: ExpectedKind;
  value: string;
  inferred: boolean;
}

/** What the investigation was asked about. */
export interface CaseInfo {
  name: string | null;
  /** The selectors as given (`fp:…`, `kms:…`, `secret:…`, …). */
  keys: string[];
  /** Every identifier the selectors resolved to (key id, alias, ARN, fingerprint, secret names). */
  aliases: string[];
  expected: ExpectedSigner[];
  baseline_days: number | null;
}

export type WindowBound = 'earliest_possible' | 'first_evidence' | 'contained_at' | 'last_use';

/** `window.evidence[]`, plus the record pointer. */
export interface WindowEvidence extends RecordPointer {
  bound: string;
  ts: IsoTime | null;
  source: string | null;
  ref: string | null;
  summary: string | null;
}

/** The `window` analysis document. */
export interface ExposureWindow {
  key: string[];
  earliest_possible: IsoTime | null;
  first_evidence: IsoTime | null;
  contained_at: IsoTime | null;
  last_use: IsoTime | null;
  open: boolean;
  evidence: WindowEvidence[];
}

export type Verdict = 'attested' | 'unattested' | 'anomalous';

/** One in-toto subject (or the signed blob): its name and `algorithm:hex` digest. */
export interface Subject {
  name: string | null;
  digest: string | null;
}

/** A `signed` row, plus the record pointer of its transparency-log entry. */
export interface SignedRow extends RecordPointer {
  /** BIGINT: a number, or a decimal string past 2^53. */
  log_index: number | string | null;
  entry_uuid: string;
  integrated_time: IsoTime | null;
  artifact_digest: string | null;
  subjects: Subject[];
  signer: string | null;
  key_fingerprint: string | null;
  run_id: string | null;
  verdict: Verdict;
  reasons: string[];
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** One evidence row behind a finding. `id` is the `event_uid`, `entry_uuid` or `ci_uid` of `table`. */
export interface FindingEvidence extends RecordPointer {
  table: 'events' | 'signatures' | 'ci_runs';
  id: string;
}

/** An `anomalies` row. */
export interface Finding {
  rule: string;
  severity: Severity;
  ts: IsoTime | null;
  actor: string | null;
  summary: string;
  evidence: FindingEvidence[];
  /** ATT&CK technique ids, e.g. `T1552.004`. */
  mitre: string[];
  /** OWASP Non-Human Identities Top 10 (2025) ids, e.g. `NHI2:2025`. */
  owasp_nhi: string[];
}

/** A `lateral` row, plus the record pointer of the event. */
export interface LateralRow extends RecordPointer {
  pivot: string;
  pivot_kind: string;
  ts: IsoTime | null;
  source: string;
  action: string;
  target: string | null;
  actor: string | null;
}

/** An `access` row: one principal, workflow or job that read, was passed, or used the key. */
export interface AccessRow extends RecordPointer {
  identity: string;
  kind: 'principal' | 'workflow' | 'job';
  /** How it touched the key: canonical actions (`secret.read`, `key.sign`, …) or `secrets_passed`. */
  access: string[];
  first_seen: IsoTime | null;
  last_seen: IsoTime | null;
  count: number;
  /** Matches the case's expected signers; null when the case says nothing about this kind. */
  expected: boolean | null;
}

/** A `timeline` row; the pointer is its evidence. */
export interface TimelineRow extends RecordPointer {
  ts: IsoTime | null;
  source: string;
  action: string;
  actor: string | null;
  target: string | null;
  summary: string | null;
}

/** The `distrust` document. */
export interface Distrust {
  digests: string[];
}

/** One `files` row: the chain of custody of an input. */
export interface CustodyFile {
  path: string;
  sha256: string;
  bytes: number;
  adapter: string | null;
  records: number;
  rejected: number;
}

/** Transparency-log proof status (`signatures.tlog_verified`) and how many entries have it. */
export interface TlogStatusCount {
  status: string;
  count: number;
}

export interface Custody {
  files: CustodyFile[];
  tlog: TlogStatusCount[];
}

/** Everything a report shows. */
export interface ReportModel {
  /** When the report was produced (shown in the page header). */
  generated_at: IsoTime;
  case: CaseInfo;
  window: ExposureWindow;
  signed: SignedRow[];
  findings: Finding[];
  lateral: LateralRow[];
  access: AccessRow[];
  timeline: TimelineRow[];
  distrust: Distrust;
  custody: Custody;
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** Severity rank of an untrusted value (unknown values rank lowest). */
export function severityRank(s: string): number {
  return Object.hasOwn(SEVERITY_RANK, s) ? SEVERITY_RANK[s as Severity] : -1;
}

/** Findings worst first, then oldest first. Does not mutate its input. */
export function worstFirst(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.ts ?? '').localeCompare(b.ts ?? ''));
}
