import type { Sample } from '../../ingest/sniff.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** CloudTrail records name their service and operation; Panther copies may lower-case the keys. */
function looksLikeEvent(r: Record<string, unknown>): boolean {
  const src = r.eventSource ?? r.eventsource;
  const name = r.eventName ?? r.eventname;
  return typeof src === 'string' && /amazonaws\.com$|^aws\./.test(src) && typeof name === 'string';
}

/**
 * S3 delivery objects ({"Records":[…]}), NDJSON records (also Logstash copies with @timestamp),
 * and Lake / lookup-events exports whose CloudTrailEvent is a JSON string.
 */
export function detect(sample: Sample): boolean {
  const r = sample.firstRecord;
  if (isRecord(r)) {
    if (looksLikeEvent(r)) return true;
    if (typeof r.CloudTrailEvent === 'string') return true;
    return false;
  }
  // The first record did not fit in the head (a large S3 object) or is not valid JSON (the
  // record is then rejected with its line by the loader, not guessed as another format).
  const head = sample.head.slice(0, 64 * 1024);
  return /"eventSource"\s*:\s*"[a-z0-9-]+\.amazonaws\.com"/.test(head) && /"eventName"\s*:/.test(head)
    || /^\s*\{\s*"Records"\s*:\s*\[\s*\{\s*"eventVersion"/.test(head);
}
