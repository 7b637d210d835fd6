import type { Sample } from '../../ingest/sniff.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pick(r: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (r[k] !== undefined) return r[k];
  return undefined;
}

/**
 * The Azure Monitor common schema (resource logs, Activity Log, Entra ID logs): an operationName
 * (a string, or {value, localizedValue} in the REST API) with a time and an ARM resource id,
 * category or caller address. Panther copies lower-case some keys.
 */
function looksLikeRecord(r: Record<string, unknown>): boolean {
  const op = pick(r, 'operationName', 'operationname');
  const opName = isRecord(op) ? op.value : op;
  if (typeof opName !== 'string') return false;
  const time = pick(r, 'time', 'eventTimestamp');
  if (typeof time !== 'string') return false;
  const resourceId = pick(r, 'resourceId', 'resourceid');
  if (typeof resourceId === 'string' && /^\/(subscriptions|tenants|providers)\//i.test(resourceId)) return true;
  return pick(r, 'category', 'callerIpAddress', 'calleripaddress', 'correlationId', 'correlationid') !== undefined;
}

/** Key Vault AuditEvent blobs {"records":[…]}, NDJSON, Activity Log REST pages {"value":[…]} and arrays. */
export function detect(sample: Sample): boolean {
  let r = sample.firstRecord;
  if (isRecord(r) && Array.isArray(r.value)) r = (r.value as unknown[])[0];
  if (isRecord(r)) return looksLikeRecord(r);
  const head = sample.head.slice(0, 64 * 1024);
  return /"operationName"\s*:/.test(head) && /"resourceId"\s*:\s*"\/(subscriptions|tenants|providers)\//i.test(head);
}
