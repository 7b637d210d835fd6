/**
 * The offline verdict on an entry's log evidence → `signatures.tlog_verified` + `tlog_reason`.
 *
 * - `verified`: the log key (from a trusted root) vouches for this exact body, either because the
 *   inclusion proof hashes the body's leaf up to the root of a checkpoint that key signed (same
 *   root, same tree size), or because the key's signed entry timestamp verifies — and no piece of
 *   evidence the entry carries fails.
 * - `unverified`: nothing could be checked against a trusted key: the entry carries no proof and
 *   no SET, only an unsigned proof root, or its log is not in the trusted roots.
 * - `failed`: a piece of evidence is present and wrong (UUID ≠ leaf hash, proof does not reach its
 *   root, checkpoint or SET signature invalid, integrated time outside the key's validity).
 *
 * No network: everything is decided from the entry and the trusted keys.
 */
import { crypto as sigcrypto } from '@sigstore/core';
import { SigtrailError, messageOf } from '../errors.js';
import { parseCheckpoint, verifyCheckpointSignature } from './checkpoint.js';
import type { LogEntry } from './entry.js';
import { leafHash, rootFromInclusionProof } from './merkle.js';
import { verifySet } from './set.js';
import type { TrustedLog, TrustedLogs } from './trusted-root.js';

export type TlogStatus = 'verified' | 'unverified' | 'failed';

export interface TlogVerdict {
  status: TlogStatus;
  /** What was checked (verified) or why not (unverified / failed). */
  reason: string;
}

function failed(reason: string): TlogVerdict {
  return { status: 'failed', reason };
}

/** A key is valid for an entry when the entry's integrated time is inside its validFor window. */
function validAt(log: TrustedLog, seconds: number | undefined): boolean {
  if (seconds === undefined) return true; // Rekor v2 has no integrated time to place
  const t = seconds * 1000;
  return (!log.validFrom || t >= log.validFrom.getTime()) && (!log.validUntil || t <= log.validUntil.getTime());
}

/** Checks the proof's shape and hashes; returns the root it leads to or throws. */
function provenRoot(entry: LogEntry, leaf: Buffer): Buffer {
  const proof = entry.proof!;
  const root = rootFromInclusionProof(leaf, proof.logIndex, proof.treeSize, proof.hashes);
  if (!sigcrypto.bufferEqual(root, proof.rootHash)) {
    throw new SigtrailError('VERIFICATION', `inclusion proof does not hash to its root hash ${proof.rootHash.toString('hex').slice(0, 16)}…`);
  }
  return root;
}

/** The verdict on one entry's log evidence against `trust`. */
export function verifyEntry(entry: LogEntry, trust: TrustedLogs): TlogVerdict {
  const leaf = leafHash(entry.body);
  if (entry.uuid !== undefined && entry.uuid.slice(-64) !== leaf.toString('hex')) {
    return failed(`entry UUID ${entry.uuid.slice(-64, -48)}… does not match the leaf hash of its body ${leaf.toString('hex').slice(0, 16)}…`);
  }
  if (!entry.proof && !entry.set) return { status: 'unverified', reason: 'the entry carries no inclusion proof and no signed entry timestamp' };

  // The proof's arithmetic needs no key: a proof that does not reach its own root has failed.
  if (entry.proof) {
    try {
      provenRoot(entry, leaf);
    } catch (e) {
      return failed(messageOf(e));
    }
  }
  if (!entry.logId) return { status: 'unverified', reason: 'the entry names no log ID' };
  const logHex = entry.logId.toString('hex');
  const candidates = trust.find(entry.logId);
  if (candidates.length === 0) {
    return { status: 'unverified', reason: `log ${logHex.slice(0, 16)}… is not in the trusted roots (use --trusted-root)` };
  }
  const logs = candidates.filter((l) => validAt(l, entry.integratedTime));
  if (logs.length === 0) {
    return failed(`integrated time ${new Date(entry.integratedTime! * 1000).toISOString()} is outside the validity window of log key ${candidates[0].baseUrl}`);
  }

  const checked: string[] = [];
  if (entry.proof) {
    const cp = entry.proof.checkpoint;
    if (cp !== undefined) {
      try {
        const checkpoint = parseCheckpoint(cp);
        if (!sigcrypto.bufferEqual(checkpoint.rootHash, entry.proof.rootHash)) return failed('checkpoint root hash differs from the inclusion proof root hash');
        if (checkpoint.size !== entry.proof.treeSize) return failed(`checkpoint tree size ${checkpoint.size} differs from the inclusion proof tree size ${entry.proof.treeSize}`);
        const errors: string[] = [];
        if (!logs.some((log) => tryVerify(() => verifyCheckpointSignature(checkpoint, log), errors))) return failed(errors[0]);
        checked.push(`inclusion proof to a checkpoint signed by ${logs[0].baseUrl}`);
      } catch (e) {
        return failed(messageOf(e));
      }
    } else {
      checked.push('inclusion proof consistent with its (unsigned) root');
    }
  }
  if (entry.set) {
    if (entry.integratedTime === undefined || entry.logIndex === undefined) {
      return failed('signed entry timestamp present but integratedTime or logIndex is missing');
    }
    const input = { body: entry.body, integratedTime: entry.integratedTime, logId: entry.logId, logIndex: entry.logIndex };
    if (!logs.some((log) => verifySet(input, entry.set!, log))) return failed(`signed entry timestamp does not verify with the key of ${logs[0].baseUrl}`);
    checked.push(`signed entry timestamp by ${logs[0].baseUrl}`);
  }
  if (!entry.set && entry.proof?.checkpoint === undefined) {
    return { status: 'unverified', reason: 'the inclusion proof has no checkpoint, so its root is not signed, and there is no signed entry timestamp' };
  }
  return { status: 'verified', reason: checked.join('; ') };
}

function tryVerify(fn: () => void, errors: string[]): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    errors.push(messageOf(e));
    return false;
  }
}
