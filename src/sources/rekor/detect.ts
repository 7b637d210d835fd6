import type { Sample } from '../../ingest/sniff.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const UUID = /^(?:[0-9a-fA-F]{16})?[0-9a-fA-F]{64}$/;
/** Rekor's entry types; a ProposedEntry names one of them (Kubernetes objects also have kind/apiVersion/spec). */
const REKOR_KINDS = new Set(['hashedrekord', 'intoto', 'dsse', 'rekord', 'rpm', 'jar', 'alpine', 'helm', 'cose', 'rfc3161', 'tuf']);

/** `{"<uuid>": {"body": …}}`: a v1 API response. */
function isV1Response(r: Record<string, unknown>): boolean {
  const [key, value] = Object.entries(r)[0] ?? [];
  return key !== undefined && UUID.test(key) && isRecord(value) && typeof value.body === 'string';
}

/** A protobuf-JSON TransparencyLogEntry (Rekor v2 response); bundles have a mediaType instead. */
function isTransparencyLogEntry(r: Record<string, unknown>): boolean {
  return typeof r.canonicalizedBody === 'string' && (r.logIndex !== undefined || r.logId !== undefined) && r.mediaType === undefined;
}

function isProposedEntry(r: Record<string, unknown>): boolean {
  return typeof r.kind === 'string' && REKOR_KINDS.has(r.kind) && typeof r.apiVersion === 'string'
    && /^\d+\.\d+\.\d+$/.test(r.apiVersion) && isRecord(r.spec);
}

/** Rekor v1 API responses, Rekor v2 / protobuf-JSON log entries, and ProposedEntry submissions (to reject them clearly). */
export function detect(sample: Sample): boolean {
  const r = sample.firstRecord;
  if (isRecord(r)) return isV1Response(r) || isTransparencyLogEntry(r) || isProposedEntry(r);
  if (r !== undefined) return false;
  // The first record did not fit in the head: recognise the opening of a v1 response or an entry.
  const head = sample.head.slice(0, 64 * 1024);
  return /^\s*\[?\s*\{\s*"(?:[0-9a-fA-F]{16})?[0-9a-fA-F]{64}"\s*:\s*\{/.test(head)
    || (/"canonicalizedBody"\s*:\s*"/.test(head) && /"logIndex"\s*:/.test(head) && !/"mediaType"\s*:/.test(head));
}
