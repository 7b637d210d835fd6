/**
 * Signed entry timestamps (SETs): a Rekor v1 log's signed promise that it integrated an entry.
 *
 * The log signs the canonical JSON (sorted keys, no whitespace) of
 * `{body, integratedTime, logID, logIndex}` where body is the base64 canonical body, logID the
 * hex log ID and logIndex the *global* index (not the index inside the shard's tree).
 * Rekor v2 issues no SETs.
 */
import { json } from '@sigstore/core';
import { verifyWithKey } from './keys.js';
import type { TrustedLog } from './trusted-root.js';

export interface SetInput {
  body: Buffer;
  integratedTime: number;
  logId: Buffer;
  logIndex: bigint;
}

/** The exact bytes a Rekor v1 log signs for an entry. */
export function setPayload(e: SetInput): Buffer {
  return Buffer.from(
    json.canonicalize({
      body: e.body.toString('base64'),
      integratedTime: e.integratedTime,
      logID: e.logId.toString('hex'),
      logIndex: Number(e.logIndex),
    }),
    'utf8',
  );
}

/** True when `signature` is `log`'s SET over the entry. */
export function verifySet(e: SetInput, signature: Buffer, log: TrustedLog): boolean {
  return verifyWithKey(setPayload(e), log.key, signature);
}
