import type { Sample } from '../../ingest/sniff.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A Cloud Audit Logs LogEntry: an AuditLog protoPayload, or a `cloudaudit.googleapis.com` log name.
 * Panther copies lower-case the top-level keys (`protopayload`, `logname`) and rename `@type`.
 */
function looksLikeEntry(r: Record<string, unknown>): boolean {
  const pp = r.protoPayload ?? r.protopayload;
  const logName = r.logName ?? r.logname;
  if (typeof logName === 'string' && /\/logs\/cloudaudit\.googleapis\.com%2F/i.test(logName)) return true;
  if (!isRecord(pp)) return false;
  const type = pp['@type'] ?? pp.at_sign_type ?? pp.at_type;
  if (typeof type === 'string' && type.endsWith('google.cloud.audit.AuditLog')) return true;
  return typeof pp.methodName === 'string' && typeof pp.serviceName === 'string' && pp.serviceName.endsWith('googleapis.com');
}

/** LogEntry NDJSON (Logging sinks), `gcloud logging read --format=json` arrays, `{"entries":[…]}` API pages. */
export function detect(sample: Sample): boolean {
  const r = sample.firstRecord;
  if (isRecord(r)) return looksLikeEntry(r);
  // The first record did not fit in the head, or is malformed (the loader then rejects it with its line).
  const head = sample.head.slice(0, 64 * 1024);
  return /"logName"\s*:\s*"[^"]*\/logs\/cloudaudit\.googleapis\.com%2F/.test(head)
    || /"@type"\s*:\s*"type\.googleapis\.com\/google\.cloud\.audit\.AuditLog"/.test(head);
}
