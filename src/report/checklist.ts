/**
 * The containment checklist: what a responder must have done, each item judged from the data as
 * done, not done or unknown, with the rule that decided it. "Unknown" means the ingested logs
 * cannot show it either way (e.g. no management-plane events for the key were ingested), which is
 * itself a finding for the postmortem: the evidence is missing, not the action.
 */
import type { Finding, IsoTime, RecordPointer, ReportModel, SignedRow, TimelineRow } from './model.js';

export type CheckStatus = 'done' | 'not_done' | 'unknown';

export interface CheckItem {
  id: 'revoke' | 'rotate' | 'review-access' | 'rebuild-trust' | 'unauthorised-signing' | 'lateral-use';
  title: string;
  status: CheckStatus;
  /** How the status is decided (the same text for every case). */
  rule: string;
  /** What in this case's data decided it. */
  detail: string;
  /** The records behind the decision (at most MAX_EVIDENCE). */
  evidence: RecordPointer[];
}

const MAX_EVIDENCE = 20;

/** Actions on the key or its secret that a management-plane log records. */
const MANAGEMENT = new Set([
  'key.create', 'key.disable', 'key.delete', 'key.rotate', 'key.policy_change',
  'secret.write', 'secret.rotate', 'secret.delete', 'ci.secret_change',
]);
/** Actions that put new key material in place. */
const ROTATION = new Set(['key.create', 'key.rotate', 'secret.write', 'secret.rotate', 'ci.secret_change']);
/** Finding rules that mean the actor went beyond the key. */
const LATERAL_RULES = new Set(['LATERAL_SECRET_READ', 'NEW_CREDENTIAL']);
// Adapters that read transparency-log entries rather than audit events.
const TLOG_ADAPTER = /rekor|sigstore/i;

function time(t: IsoTime | null | undefined): number | null {
  if (typeof t !== 'string') return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

/** Distinct record pointers, at most MAX_EVIDENCE. */
function pointers(rows: readonly RecordPointer[]): RecordPointer[] {
  const seen = new Set<string>();
  const out: RecordPointer[] = [];
  for (const r of rows) {
    const key = JSON.stringify([r.file, r.record_no]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: r.file, record_no: r.record_no });
    if (out.length === MAX_EVIDENCE) break;
  }
  return out;
}

function findingPointers(findings: readonly Finding[]): RecordPointer[] {
  return pointers(findings.flatMap((f) => f.evidence));
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function windowEvidence(model: ReportModel, bound: string): RecordPointer[] {
  return pointers(model.window.evidence.filter((e) => e.bound === bound));
}

function revoke(model: ReportModel, management: TimelineRow[]): CheckItem {
  const base = {
    id: 'revoke' as const,
    title: 'Revoke the compromised key',
    rule:
      'Done when the exposure window has a containment time (key disabled, deleted or rotated; secret rotated, deleted or changed in CI) ' +
      'and the key was not used after it. Not done when the key was used after containment, or when no containment exists although ' +
      "management events for the key were ingested (so a revocation would have been logged). Unknown when no management event for the key was ingested.",
  };
  const w = model.window;
  const afterUse = model.findings.filter((f) => f.rule === 'USE_AFTER_CONTAINMENT');
  if (w.contained_at !== null && (w.open || afterUse.length > 0)) {
    return {
      ...base,
      status: 'not_done',
      detail: `Contained at ${w.contained_at}, but the key was used after that (last use ${w.last_use ?? 'unknown'}; ${plural(afterUse.length, 'use-after-containment finding')}).`,
      evidence: pointers([...findingPointers(afterUse), ...windowEvidence(model, 'last_use')]),
    };
  }
  if (w.contained_at !== null) {
    return { ...base, status: 'done', detail: `Contained at ${w.contained_at}; no use after it.`, evidence: windowEvidence(model, 'contained_at') };
  }
  if (management.length > 0) {
    return {
      ...base,
      status: 'not_done',
      detail: `No revocation found, although ${plural(management.length, 'management event')} for the key were ingested.`,
      evidence: pointers(management),
    };
  }
  return { ...base, status: 'unknown', detail: 'No management-plane event for the key was ingested: add the key store or CI audit log.', evidence: [] };
}

function rotate(model: ReportModel, management: TimelineRow[]): CheckItem {
  const base = {
    id: 'rotate' as const,
    title: 'Rotate the key and re-enrol signers',
    rule:
      'Done when new key material was put in place (key.create, key.rotate, secret.write, secret.rotate, ci.secret_change) after ' +
      'the first evidence of misuse (or the earliest possible exposure) and no signature with a previously used key fingerprint followed it. ' +
      'Not done when there is no such event although management events were ingested, or the old key still signed afterwards. ' +
      'Unknown when no management event for the key was ingested.',
  };
  const since = time(model.window.first_evidence) ?? time(model.window.earliest_possible);
  const rotations = management
    .filter((e) => ROTATION.has(e.action) && time(e.ts) !== null && (since === null || (time(e.ts) as number) > since))
    .sort((a, b) => (time(a.ts) as number) - (time(b.ts) as number));
  if (rotations.length === 0) {
    if (management.length === 0) {
      return { ...base, status: 'unknown', detail: 'No management-plane event for the key was ingested.', evidence: [] };
    }
    return {
      ...base,
      status: 'not_done',
      detail: `No rotation or new secret value after ${model.window.first_evidence ?? model.window.earliest_possible ?? 'the start of the logs'}.`,
      evidence: [],
    };
  }
  const rotatedAt = time(rotations[0].ts) as number;
  const oldKeys = new Set(
    model.signed.filter((s) => s.key_fingerprint && (time(s.integrated_time) ?? Infinity) < rotatedAt).map((s) => s.key_fingerprint),
  );
  const stale = model.signed.filter((s) => s.key_fingerprint && oldKeys.has(s.key_fingerprint) && (time(s.integrated_time) ?? -Infinity) > rotatedAt);
  if (stale.length > 0) {
    return {
      ...base,
      status: 'not_done',
      detail: `Key material replaced or removed at ${rotations[0].ts ?? ''} (${rotations[0].action}), but ${plural(stale.length, 'signature')} with the old key fingerprint followed.`,
      evidence: pointers(stale),
    };
  }
  return {
    ...base,
    status: 'done',
    detail: `Key material replaced at ${rotations[0].ts ?? ''} (${rotations[0].action}); no signature with the old key since.`,
    evidence: pointers(rotations),
  };
}

function reviewAccess(model: ReportModel): CheckItem {
  const base = {
    id: 'review-access' as const,
    title: 'Review who could use the key',
    rule:
      'Done when every principal, workflow or job that read, was passed or used the key is an expected signer, or last touched it before ' +
      'containment. Not done when an identity that is not an expected signer still had access at or after containment (or there is no containment). ' +
      'Unknown when no access record was ingested.',
  };
  const rows = model.access;
  if (rows.length === 0) return { ...base, status: 'unknown', detail: 'No access records (reads, secrets passed, uses) for the key.', evidence: [] };
  const unexpected = rows.filter((r) => r.expected !== true);
  const cutoff = time(model.window.contained_at);
  const still = unexpected.filter((r) => cutoff === null || (time(r.last_seen) ?? Infinity) >= cutoff);
  if (still.length > 0) {
    const names = still.slice(0, 5).map((r) => `${r.kind} ${r.identity}`).join('; ');
    return {
      ...base,
      status: 'not_done',
      detail: `${plural(still.length, 'identity', 'identities')} of ${rows.length} not confirmed as expected signers ${cutoff === null ? '(no containment)' : 'still had access at or after containment'}: ${names}${still.length > 5 ? '; …' : ''}.`,
      evidence: pointers(still),
    };
  }
  return {
    ...base,
    status: 'done',
    detail:
      unexpected.length === 0
        ? `All ${plural(rows.length, 'identity', 'identities')} with access are expected signers.`
        : `${plural(unexpected.length, 'unexpected identity', 'unexpected identities')} last touched the key before containment at ${model.window.contained_at ?? ''}.`,
    evidence: pointers(unexpected),
  };
}

function notAttested(signed: readonly SignedRow[]): SignedRow[] {
  return signed.filter((s) => s.verdict !== 'attested');
}

function rebuildTrust(model: ReportModel): CheckItem {
  const base = {
    id: 'rebuild-trust' as const,
    title: 'Rebuild trust for signed artefacts',
    rule:
      'Done when nothing signed in the window needs distrust (the distrust list is empty and every signature is attested). ' +
      'Not done when a signature that is not attested is missing from the distrust list, or the window is still open (more untrusted signatures can appear). ' +
      'Otherwise unknown: downstream consumers must reject the listed digests and trust re-signed artefacts, which these logs cannot show.',
  };
  const bad = notAttested(model.signed);
  const listed = new Set(model.distrust.digests);
  const missing = bad.filter((s) => s.artifact_digest !== null && !listed.has(s.artifact_digest));
  if (missing.length > 0) {
    return {
      ...base,
      status: 'not_done',
      detail: `${plural(missing.length, 'signature')} that ${missing.length === 1 ? 'is' : 'are'} not attested ${missing.length === 1 ? 'is' : 'are'} missing from the distrust list.`,
      evidence: pointers(missing),
    };
  }
  if (model.distrust.digests.length === 0 && bad.length === 0) {
    return {
      ...base,
      status: 'done',
      detail: model.signed.length === 0 ? 'No signatures in the window.' : `All ${plural(model.signed.length, 'signature')} in the window are attested.`,
      evidence: [],
    };
  }
  if (model.window.open) {
    return {
      ...base,
      status: 'not_done',
      detail: `The window is still open; ${plural(model.distrust.digests.length, 'digest')} to distrust so far.`,
      evidence: pointers(bad),
    };
  }
  return {
    ...base,
    status: 'unknown',
    detail: `${plural(model.distrust.digests.length, 'digest')} must be rejected downstream and the legitimate artefacts re-signed with the new key.`,
    evidence: pointers(bad),
  };
}

function unauthorisedSigning(model: ReportModel): CheckItem {
  const base = {
    id: 'unauthorised-signing' as const,
    title: 'Check for unauthorised signing',
    rule:
      'Done when transparency-log entries were ingested, none failed proof verification, and every signature on the key is attested. ' +
      'Not done when any signature is unattested or anomalous (each needs triage and a place on the distrust list). ' +
      'Unknown when no transparency-log entry was ingested, or some failed verification.',
  };
  const entries = model.custody.tlog.reduce((n, t) => n + (Number.isFinite(t.count) ? t.count : 0), 0);
  const failed = model.custody.tlog.filter((t) => t.status === 'failed').reduce((n, t) => n + t.count, 0);
  const bad = notAttested(model.signed);
  if (bad.length > 0) {
    const anomalous = bad.filter((s) => s.verdict === 'anomalous').length;
    return {
      ...base,
      status: 'not_done',
      detail: `${plural(bad.length, 'signature')} not attested (${anomalous} anomalous, ${bad.length - anomalous} unattested) of ${model.signed.length}.`,
      evidence: pointers(bad),
    };
  }
  if (entries === 0) return { ...base, status: 'unknown', detail: 'No transparency-log entries were ingested.', evidence: [] };
  if (failed > 0) {
    return { ...base, status: 'unknown', detail: `${plural(failed, 'transparency-log entry', 'transparency-log entries')} failed proof verification.`, evidence: [] };
  }
  return { ...base, status: 'done', detail: `All ${plural(model.signed.length, 'signature')} on the key are attested.`, evidence: [] };
}

function lateralUse(model: ReportModel): CheckItem {
  const base = {
    id: 'lateral-use' as const,
    title: 'Check for lateral use',
    rule:
      'Done when cloud or CI audit events were ingested and the lateral analysis found nothing else that the suspicious actors, credentials, ' +
      'addresses or runs touched. Not done when it found other secrets read, other keys used, or credentials created or assumed. ' +
      'Unknown when no cloud or CI audit events were ingested.',
  };
  const lateralFindings = model.findings.filter((f) => LATERAL_RULES.has(f.rule));
  if (model.lateral.length > 0 || lateralFindings.length > 0) {
    const targets = new Set(model.lateral.map((l) => l.target ?? ''));
    return {
      ...base,
      status: 'not_done',
      detail: `${plural(model.lateral.length, 'action')} on ${plural(targets.size, 'other target')} and ${plural(lateralFindings.length, 'lateral finding')} to follow up.`,
      evidence: pointers([...model.lateral, ...lateralFindings.flatMap((f) => f.evidence)]),
    };
  }
  const audit = model.custody.files.filter((f) => f.records > 0 && !TLOG_ADAPTER.test(f.adapter ?? 'rekor'));
  if (audit.length === 0) return { ...base, status: 'unknown', detail: 'No cloud or CI audit events were ingested.', evidence: [] };
  return { ...base, status: 'done', detail: `Nothing found beyond the key in ${plural(audit.length, 'audit log file')}.`, evidence: [] };
}

/**
 * Whether a timeline row's target is the case's key: equal to an alias, or an identifier that ends
 * with one (an ARN ending in `key/<id>`, a repo-scoped `owner/repo:SECRET`). The merged timeline
 * also holds lateral events on other keys and secrets, which must not count as this key's rotation.
 */
function onKey(aliases: readonly string[], target: string | null): boolean {
  if (aliases.length === 0) return true;
  if (target === null) return false;
  return aliases.some((a) => a !== '' && (target === a || target.endsWith(`/${a}`) || target.endsWith(`:${a}`)));
}

/** The containment checklist, judged from the model. Pure. */
export function containmentChecklist(model: ReportModel): CheckItem[] {
  const management = model.timeline.filter((e) => MANAGEMENT.has(e.action) && onKey(model.case.aliases, e.target));
  return [revoke(model, management), rotate(model, management), reviewAccess(model), rebuildTrust(model), unauthorisedSigning(model), lateralUse(model)];
}
