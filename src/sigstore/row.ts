/**
 * One log entry → one `signatures` row: identifiers, what was signed, who signed it, and the
 * verdict on the log evidence. Shared by the Rekor and the bundle adapters so that the same entry
 * read from either gives the same row (which is what lets the store keep it once).
 */
import type { Bundle } from '@sigstore/bundle';
import { messageOf } from '../errors.js';
import type { SignatureInput } from '../ingest/signatures.js';
import { decodeBody, type RekorBody } from './body.js';
import { parseCheckpoint, treeIdOfOrigin } from './checkpoint.js';
import { bundleMismatches } from './consistency.js';
import type { LogEntry } from './entry.js';
import { parseStatement, subjectDigest, type Statement } from './in-toto.js';
import { leafHash } from './merkle.js';
import { signerOf, type Signer } from './signer.js';
import { verifyEntry, type TlogVerdict } from './tlog.js';
import type { TrustedLogs } from './trusted-root.js';

/** Which tree (shard) the entry is in: the 80-hex UUID's prefix, else the checkpoint origin's tree ID. */
function treeId(entry: LogEntry): string | null {
  if (entry.uuid?.length === 80) return entry.uuid.slice(0, 16);
  const cp = entry.proof?.checkpoint;
  if (!cp) return null;
  try {
    return treeIdOfOrigin(parseCheckpoint(cp).origin);
  } catch {
    return null; // the verdict reports a malformed checkpoint; the tree ID is just unknown
  }
}

function signerAndProblem(body: RekorBody): { signer: Signer | null; problem: string | null } {
  if (!body.known) {
    return { signer: null, problem: `entry kind ${body.kind} ${body.apiVersion} is not decoded by sigtrail: stored with its raw body, signer unknown` };
  }
  if (body.problem) return { signer: null, problem: body.problem };
  const verifier = body.signatures.find((s) => s.verifier)?.verifier;
  if (!verifier) return { signer: null, problem: 'the body names no certificate or public key' };
  try {
    return { signer: signerOf(verifier), problem: null };
  } catch (e) {
    return { signer: null, problem: `the signer's ${verifier.type === 'cert' ? 'certificate' : 'public key'} does not parse: ${messageOf(e)}` };
  }
}

/** The DSSE statement a bundle carries, if any. */
function statementOf(bundle: Bundle | undefined): Statement | null {
  if (bundle?.content.$case !== 'dsseEnvelope') return null;
  const env = bundle.content.dsseEnvelope;
  return parseStatement(env.payloadType, env.payload);
}

/** The verdict, turned to `failed` when the entry's own metadata or its bundle disagree with the body. */
function verdictFor(entry: LogEntry, body: RekorBody, trust: TrustedLogs, bundle: Bundle | undefined): TlogVerdict {
  const mismatches = bundle
    ? bundleMismatches(bundle, body, entry.kindVersion)
    : entry.kindVersion && (entry.kindVersion.kind !== body.kind || entry.kindVersion.version !== body.apiVersion)
      ? [`entry says ${entry.kindVersion.kind} ${entry.kindVersion.version} but its body is ${body.kind} ${body.apiVersion}`]
      : [];
  const verdict = verifyEntry(entry, trust);
  if (mismatches.length === 0) return verdict;
  return { status: 'failed', reason: `${bundle ? 'bundle does not match its log entry' : 'entry metadata does not match its body'}: ${mismatches.join('; ')} (log evidence: ${verdict.status})` };
}

const isoSeconds = (s: number | undefined): string | null => (s === undefined ? null : new Date(s * 1000).toISOString());

/**
 * Maps one entry. `raw` is the record as read (kept as evidence). A body that is not a Rekor body
 * gives a reject row; anything else a stored row (with `decode_error` when the kind or signer
 * could not be decoded).
 */
export function signatureRow(entry: LogEntry, recordNo: number, trust: TrustedLogs, raw: string | null, bundle?: Bundle): SignatureInput {
  const leaf = leafHash(entry.body).toString('hex');
  const entryUuid = entry.uuid?.slice(-64) ?? leaf;
  let body: RekorBody;
  try {
    body = decodeBody(entry.body);
  } catch (e) {
    return { record_no: recordNo, reject_reason: `log entry ${entryUuid.slice(0, 16)}…: ${messageOf(e)}`, snippet: entry.body.toString('utf8', 0, 200) };
  }
  const verdict = verdictFor(entry, body, trust, bundle);
  const { signer, problem } = signerAndProblem(body);
  const statement = statementOf(bundle);
  const firstSubject = statement?.subjects[0];
  const cert = signer?.cert ?? null;
  const ext = cert?.extensions ?? {};
  const build = signer?.build ?? null;
  return {
    record_no: recordNo,
    source: entry.source,
    entry_uuid: entryUuid,
    leaf_hash: leaf,
    log_index: entry.logIndex ?? null,
    tree_log_index: entry.proof?.logIndex ?? null,
    tree_id: treeId(entry),
    log_id: entry.logId?.toString('hex') ?? null,
    integrated_time: isoSeconds(entry.integratedTime),
    kind: body.kind,
    kind_version: body.apiVersion,
    artifact_digest: body.artifactDigest ?? (firstSubject ? subjectDigest(firstSubject) : null),
    payload_digest: body.payloadDigest,
    subjects: statement ? JSON.stringify(statement.subjects) : null,
    predicate_type: statement?.predicateType ?? null,
    signer_kind: signer?.kind ?? null,
    key_fingerprint: signer?.keyFingerprint ?? null,
    cert_fingerprint: cert?.fingerprint ?? null,
    cert_serial: cert?.serial ?? null,
    cert_not_before: cert?.notBefore.toISOString() ?? null,
    cert_not_after: cert?.notAfter.toISOString() ?? null,
    san: cert?.san ?? null,
    oidc_issuer: cert?.issuer ?? null,
    build_signer_uri: ext.build_signer_uri,
    build_signer_digest: ext.build_signer_digest,
    runner_environment: ext.runner_environment,
    source_repository_uri: ext.source_repository_uri,
    // The deprecated GitHub extensions (.2 trigger, .3 sha, .6 ref) mean the same for older certificates.
    source_repository_digest: ext.source_repository_digest ?? ext.github_workflow_sha,
    source_repository_ref: ext.source_repository_ref ?? ext.github_workflow_ref,
    source_repository_identifier: ext.source_repository_identifier,
    source_repository_owner_uri: ext.source_repository_owner_uri,
    source_repository_owner_identifier: ext.source_repository_owner_identifier,
    build_config_uri: ext.build_config_uri,
    build_config_digest: ext.build_config_digest,
    build_trigger: ext.build_trigger ?? ext.github_workflow_trigger,
    run_invocation_uri: ext.run_invocation_uri,
    source_repository_visibility: ext.source_repository_visibility_at_signing,
    deployment_environment: ext.deployment_environment,
    token_subject: ext.token_subject,
    fulcio_extensions: cert ? JSON.stringify(cert.extensions) : null,
    repo: build?.repo ?? null,
    workflow: build?.workflow ?? null,
    ref: build?.ref ?? null,
    run_id: build?.runId ?? null,
    run_attempt: build?.runAttempt ?? null,
    tlog_verified: verdict.status,
    tlog_reason: verdict.reason,
    decode_error: problem,
    body: JSON.stringify(body.json),
    raw,
    snippet: problem ? `${body.kind} ${body.apiVersion} entry ${entryUuid}` : null,
  };
}
