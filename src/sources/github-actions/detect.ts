import type { Sample } from '../../ingest/sniff.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A webhook delivery names its repository as an object with `full_name` (audit entries use a string). */
function isWebhook(r: Record<string, unknown>): boolean {
  if (isRecord(r.workflow_run) || isRecord(r.workflow_job)) return true;
  if (r.p_log_type === 'GitHub.Webhook') return true;
  const repo = r.repository;
  return isRecord(repo) && typeof repo.full_name === 'string'
    && (isRecord(r.sender) || typeof r.action === 'string' || 'pusher' in r || typeof r.ref === 'string' || isRecord(r.package));
}

/** A REST run (`/actions/runs/{id}`) or job (`/actions/jobs/{id}`) object. */
function isRestObject(r: Record<string, unknown>): boolean {
  if ('head_sha' in r && 'workflow_id' in r && 'run_number' in r) return true;
  return 'head_sha' in r && 'run_id' in r && ('runner_name' in r || Array.isArray(r.steps));
}

/** Actions REST responses (runs, jobs, or their list pages) and webhook deliveries, JSON or NDJSON. */
export function detect(sample: Sample): boolean {
  const r = sample.firstRecord;
  if (isRecord(r)) return isWebhook(r) || isRestObject(r);
  const head = sample.head.slice(0, 64 * 1024);
  return /^\s*[[{]\s*"total_count"\s*:\s*\d+\s*,\s*"(workflow_runs|jobs)"\s*:/.test(head)
    || /"(workflow_run|workflow_job)"\s*:\s*\{/.test(head);
}
