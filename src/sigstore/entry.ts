/**
 * One transparency-log entry, whichever envelope it arrived in: a Rekor v1 API response
 * (`{uuid: {body, integratedTime, logID, logIndex, verification}}`, hex proof hashes), a
 * protobuf-JSON TransparencyLogEntry (Rekor v2 responses, base64 everything, int64 as strings),
 * or a Sigstore bundle's `tlogEntries[]` (parsed by @sigstore/bundle into bytes).
 *
 * Every field is attacker-controlled: numbers are parsed defensively (a log index must be a
 * non-negative 63-bit integer) and hex/base64 strictly, so a damaged entry is rejected with the
 * field's name instead of being read as something else.
 */
import type { TransparencyLogEntry } from '@sigstore/bundle';
import { SigtrailError } from '../errors.js';
import { fromBase64, fromHex } from './bytes.js';

export type EntrySource = 'rekor.v1' | 'rekor.tle' | 'sigstore.bundle';

export interface InclusionProof {
  /** Index of the entry inside the tree (shard) the proof is for. */
  logIndex: bigint;
  treeSize: bigint;
  rootHash: Buffer;
  hashes: Buffer[];
  /** The signed-note checkpoint, when the proof carries one. */
  checkpoint?: string;
}

export interface LogEntry {
  source: EntrySource;
  /** The UUID a v1 API response names the entry by (64 hex, or 80 with a tree-ID prefix). */
  uuid?: string;
  /** The canonicalized body, exactly as the log hashed it. */
  body: Buffer;
  /** Global log index (across shards). */
  logIndex?: bigint;
  logId?: Buffer;
  /** Unix seconds; absent for Rekor v2, which has no integrated time. */
  integratedTime?: number;
  kindVersion?: { kind: string; version: string };
  /** Signed entry timestamp. */
  set?: Buffer;
  proof?: InclusionProof;
}

const MAX_INDEX = 2n ** 63n - 1n;
/** An entry body is a few KiB; far larger is not a Rekor body. */
const MAX_BODY = 16 * 1024 * 1024;
const MAX_PROOF_HASHES = 64;

function invalid(message: string): SigtrailError {
  return new SigtrailError('VERIFICATION', message);
}

/** A non-negative 63-bit integer given as JSON number text or protobuf-JSON string. */
export function parseIndex(text: string | null | undefined, what: string): bigint | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  if (!/^[0-9]{1,19}$/.test(text)) throw invalid(`${what} "${text.slice(0, 40)}" is not a non-negative integer`);
  const n = BigInt(text);
  if (n > MAX_INDEX) throw invalid(`${what} ${text} is out of range`);
  return n;
}

function parseSeconds(text: string | null | undefined, what: string): number | undefined {
  const n = parseIndex(text, what);
  if (n === undefined || n === 0n) return undefined; // protobuf-JSON writes the absent value as 0
  if (n > 253402300799n) throw invalid(`${what} ${text} is beyond year 9999`);
  return Number(n);
}

/** The flat fields the adapters' SQL projects out of a v1 API entry or a TransparencyLogEntry. */
export interface EntryFields {
  uuid?: string | null;
  body: string | null;
  integrated_time?: string | null;
  log_id?: string | null;
  log_index?: string | null;
  kind?: string | null;
  kind_version?: string | null;
  set?: string | null;
  proof_log_index?: string | null;
  proof_tree_size?: string | null;
  proof_root?: string | null;
  proof_hashes?: readonly string[] | null;
  checkpoint?: string | null;
}

/**
 * Builds a LogEntry from projected fields. `encoding` is how log IDs and proof hashes are
 * written: hex in v1 API responses, base64 in protobuf-JSON.
 */
export function entryFromFields(f: EntryFields, source: 'rekor.v1' | 'rekor.tle'): LogEntry {
  const decode = source === 'rekor.v1' ? fromHex : fromBase64;
  if (!f.body) throw invalid('entry has no body');
  if (f.body.length > (MAX_BODY * 4) / 3) throw invalid('entry body is too large');
  if (f.uuid != null && !/^(?:[0-9a-fA-F]{16})?[0-9a-fA-F]{64}$/.test(f.uuid)) {
    throw invalid(`entry UUID "${f.uuid.slice(0, 90)}" is not 64 or 80 hex characters`);
  }
  const entry: LogEntry = {
    source,
    uuid: f.uuid?.toLowerCase() ?? undefined,
    body: fromBase64(f.body, 'body'),
    logIndex: parseIndex(f.log_index, 'logIndex'),
    logId: f.log_id ? decode(f.log_id, 'logID') : undefined,
    integratedTime: parseSeconds(f.integrated_time, 'integratedTime'),
    kindVersion: f.kind ? { kind: f.kind, version: f.kind_version ?? '' } : undefined,
    set: f.set ? fromBase64(f.set, 'signedEntryTimestamp') : undefined,
  };
  if (f.proof_root != null || f.proof_hashes != null || f.proof_tree_size != null) {
    const hashes = f.proof_hashes ?? [];
    if (hashes.length > MAX_PROOF_HASHES) throw invalid(`inclusion proof has ${hashes.length} hashes`);
    entry.proof = {
      logIndex: parseIndex(f.proof_log_index, 'inclusionProof.logIndex') ?? 0n,
      treeSize: parseIndex(f.proof_tree_size, 'inclusionProof.treeSize') ?? 0n,
      rootHash: decode(f.proof_root ?? '', 'inclusionProof.rootHash'),
      hashes: hashes.map((h, i) => decode(h, `inclusionProof.hashes[${i}]`)),
      checkpoint: f.checkpoint ?? undefined,
    };
  }
  return entry;
}

/** A bundle's tlog entry (already decoded to bytes by @sigstore/bundle). */
export function entryFromBundle(e: TransparencyLogEntry): LogEntry {
  const proof = e.inclusionProof;
  if (proof && proof.hashes.length > MAX_PROOF_HASHES) throw invalid(`inclusion proof has ${proof.hashes.length} hashes`);
  return {
    source: 'sigstore.bundle',
    body: e.canonicalizedBody,
    logIndex: parseIndex(e.logIndex, 'logIndex'),
    logId: e.logId.keyId.length > 0 ? e.logId.keyId : undefined,
    integratedTime: parseSeconds(e.integratedTime, 'integratedTime'),
    kindVersion: { kind: e.kindVersion.kind, version: e.kindVersion.version },
    set: e.inclusionPromise && e.inclusionPromise.signedEntryTimestamp.length > 0 ? e.inclusionPromise.signedEntryTimestamp : undefined,
    proof: proof
      ? {
        logIndex: parseIndex(proof.logIndex, 'inclusionProof.logIndex') ?? 0n,
        treeSize: parseIndex(proof.treeSize, 'inclusionProof.treeSize') ?? 0n,
        rootHash: proof.rootHash,
        hashes: proof.hashes,
        checkpoint: proof.checkpoint?.envelope || undefined,
      }
      : undefined,
  };
}
