import type { Sample } from '../../ingest/sniff.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function looksLikeGitlab(r: Record<string, unknown>): boolean {
  if (r.p_log_type === 'GitLab.Audit' || r.p_log_type === 'GitLab.Production') return true;
  // Audit events in every shape name the author and the entity acted on.
  if ('author_id' in r && ('entity_type' in r || 'entity_id' in r)) return true;
  // Self-managed log lines: literal dotted keys next to GitLab's correlation id.
  if ('correlation_id' in r && Object.keys(r).some((k) => k.startsWith('meta.'))) return true;
  // production_json.log request lines (Panther's GitLab.Production copies keep only some fields).
  if (Array.isArray(r.params) && typeof r.path === 'string') return true;
  if (typeof r.controller === 'string' && typeof r.method === 'string' && typeof r.path === 'string') return true;
  // Audit-event fragments that carry only their details (Panther GitLab.Audit test records).
  for (const d of [r.details, r.detail]) {
    if (isRecord(d) && ('custom_message' in d || 'author_name' in d) && Object.keys(r).length <= 3) return true;
  }
  // Pipeline and job webhook deliveries.
  return (r.object_kind === 'pipeline' && isRecord(r.object_attributes)) || (r.object_kind === 'build' && 'build_id' in r);
}

/** GitLab audit events (REST, streaming, audit_json.log), production_json.log, pipeline/job webhooks. */
export function detect(sample: Sample): boolean {
  const r = sample.firstRecord;
  if (isRecord(r)) return looksLikeGitlab(r);
  const head = sample.head.slice(0, 64 * 1024);
  return /"author_id"\s*:/.test(head) && /"entity_(type|id)"\s*:/.test(head)
    || /"meta\.caller_id"\s*:/.test(head) && /"correlation_id"\s*:/.test(head);
}
