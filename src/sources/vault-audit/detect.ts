import type { Sample } from '../../ingest/sniff.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A Vault audit device line: `type` request/response (kmip-… too) and a `request` object with a path. */
function looksLikeLine(r: Record<string, unknown>): boolean {
  return typeof r.type === 'string' && /(^|-)(request|response)$/.test(r.type)
    && isRecord(r.request) && (typeof r.request.path === 'string' || typeof r.request.operation === 'string')
    && (typeof r.time === 'string' || isRecord(r.auth));
}

/** File (and socket/syslog) audit device NDJSON. */
export function detect(sample: Sample): boolean {
  const r = sample.firstRecord;
  if (isRecord(r)) return looksLikeLine(r);
  const head = sample.head.slice(0, 64 * 1024);
  return /^\s*\{"time":"[^"]+","type":"(request|response)"/.test(head)
    || (/"type"\s*:\s*"(request|response)"/.test(head) && /"request"\s*:\s*\{[^{}]*"(id|operation)"\s*:/.test(head));
}
