import type { Sample } from '../../ingest/sniff.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `<category>.<operation>` as GitHub names audit actions (`workflows.prepared_workflow_job`, `git.clone`). */
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
/** Keys every GitHub audit shape (stream, REST, legacy, Panther) has at least one of. */
const GITHUB_KEYS = ['_document_id', '@timestamp', 'at_sign_timestamp', 'actor', 'actor_location', 'org', 'business', 'repo', 'repository', 'data'];

function looksLikeEntry(r: Record<string, unknown>): boolean {
  if (r.p_log_type === 'GitHub.Audit') return true;
  return typeof r.action === 'string' && ACTION.test(r.action) && GITHUB_KEYS.some((k) => k in r)
    // A CloudTrail, GCP or Azure record never has a dotted top-level `action` next to these keys;
    // exclude them explicitly anyway so no future field of theirs makes this adapter claim them.
    && !('eventSource' in r) && !('protoPayload' in r) && !('operationName' in r);
}

/** GitHub audit-log entries: JSON arrays (REST API pages) or NDJSON (stream, export, Panther). */
export function detect(sample: Sample): boolean {
  const r = sample.firstRecord;
  if (isRecord(r)) return looksLikeEntry(r);
  // The first record did not fit in the head or is broken: look for the two keys every entry has.
  const head = sample.head.slice(0, 64 * 1024);
  return /"action"\s*:\s*"(workflows|git|org|repo|hook|business|team|integration_installation)\.[a-z_]+"/.test(head)
    && /"(@timestamp|_document_id|created_at)"\s*:/.test(head);
}
