/**
 * A small, self-consistent stand-in for the public Rekor log, so the samples' transparency-log
 * entries verify end to end: RFC 6962 Merkle tree, inclusion proofs, signed checkpoints (signed
 * notes) and Signed Entry Timestamps, all made with a demo log key.
 *
 * The log is a shard whose tree holds the demo's entries interleaved with filler leaves (other
 * people's entries, never published); the global `logIndex` is the shard's start offset plus the
 * index in the tree, which is how Rekor's sharded indices behave. Proofs verify against this log's
 * key (published in samples/trust/trusted_root.json), not against rekor.sigstore.dev's.
 */
import { createHash } from 'node:crypto';
import { json } from '@sigstore/core';
import { type EcKey, fingerprint, signMessage, spkiDer } from './ecdsa.js';
import type { Rng } from './random.js';

export interface LogConfig {
  key: EcKey;
  /** Origin line of checkpoints, e.g. `rekor.sigstore.dev`. */
  origin: string;
  baseUrl: string;
  treeId: bigint;
  /** Global log index of this shard's tree index 0. */
  shardOffset: number;
}

export interface LoggedEntry {
  body: Buffer;
  integratedTime: number;
  treeIndex: number;
  logIndex: number;
  leafHash: Buffer;
  /** 80 hex: 16-hex tree id then the 64-hex leaf hash, as the v1 API returns it. */
  uuid: string;
  signedEntryTimestamp: string;
}

export interface InclusionProof {
  treeSize: number;
  rootHash: Buffer;
  hashes: Buffer[];
  checkpoint: string;
}

const sha256 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export function leafHash(data: Buffer): Buffer {
  return sha256(Buffer.from([0x00]), data);
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(Buffer.from([0x01]), left, right);
}

/** Largest power of two strictly less than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export class TransparencyLog {
  readonly logId: Buffer;
  private readonly leaves: Buffer[] = [];
  readonly entries: LoggedEntry[] = [];
  private readonly cache = new Map<string, Buffer>();

  constructor(
    readonly config: LogConfig,
    private readonly rng: Rng,
  ) {
    this.logId = Buffer.from(fingerprint(config.key), 'hex');
  }

  get logIdHex(): string {
    return this.logId.toString('hex');
  }

  get publicKeyDer(): Buffer {
    return spkiDer(this.config.key);
  }

  /** Appends `filler` leaves from other log users, then the entry. Entries must come in time order. */
  append(body: Buffer, integratedTime: number, filler: number): LoggedEntry {
    const last = this.entries.at(-1);
    if (last && integratedTime < last.integratedTime) throw new Error('entries must be appended in integration order');
    for (let i = 0; i < filler; i++) this.leaves.push(leafHash(this.rng.bytes(48)));
    const treeIndex = this.leaves.length;
    const hash = leafHash(body);
    this.leaves.push(hash);
    const logIndex = this.config.shardOffset + treeIndex;
    const set = signMessage(
      this.config.key,
      Buffer.from(json.canonicalize({ body: body.toString('base64'), integratedTime, logID: this.logIdHex, logIndex })),
    ).toString('base64');
    const entry: LoggedEntry = {
      body, integratedTime, treeIndex, logIndex, leafHash: hash,
      uuid: this.config.treeId.toString(16).padStart(16, '0') + hash.toString('hex'),
      signedEntryTimestamp: set,
    };
    this.entries.push(entry);
    return entry;
  }

  get size(): number {
    return this.leaves.length;
  }

  /** Merkle Tree Hash of leaves [start, start + n) (RFC 6962 section 2.1). */
  private mth(start: number, n: number): Buffer {
    if (n === 1) return this.leaves[start];
    const key = `${start}:${n}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const k = split(n);
    const h = nodeHash(this.mth(start, k), this.mth(start + k, n - k));
    // Only complete (power-of-two, aligned) subtrees are immutable as the log grows; cache those.
    if ((n & (n - 1)) === 0) this.cache.set(key, h);
    return h;
  }

  root(size: number): Buffer {
    if (size < 1 || size > this.leaves.length) throw new Error(`no tree of size ${size}`);
    return this.mth(0, size);
  }

  /** Audit path for leaf m in the tree of the first `size` leaves (RFC 6962 section 2.1.1). */
  private path(m: number, start: number, n: number): Buffer[] {
    if (n === 1) return [];
    const k = split(n);
    return m < k
      ? [...this.path(m, start, k), this.mth(start + k, n - k)]
      : [...this.path(m - k, start + k, n - k), this.mth(start, k)];
  }

  /**
   * A checkpoint (signed note): origin line, size, base64 root, timestamp, blank line, and
   * `— <name> <base64(keyhint ‖ DER signature)>`, the key hint being the first 4 bytes of the log id.
   */
  checkpoint(size: number, timestampNs: bigint): string {
    const note = `${this.config.origin} - ${this.config.treeId}\n${size}\n${this.root(size).toString('base64')}\nTimestamp: ${timestampNs}\n`;
    const sig = signMessage(this.config.key, Buffer.from(note));
    return `${note}\n\u2014 ${this.config.origin} ${Buffer.concat([this.logId.subarray(0, 4), sig]).toString('base64')}\n`;
  }

  proof(entry: LoggedEntry, size: number, timestampNs: bigint): InclusionProof {
    return {
      treeSize: size,
      rootHash: this.root(size),
      hashes: this.path(entry.treeIndex, 0, size),
      checkpoint: this.checkpoint(size, timestampNs),
    };
  }

  /** A `GET /api/v1/log/entries/{uuid}` response: `{uuid: {body, integratedTime, logID, logIndex, verification}}`. */
  v1Entry(entry: LoggedEntry, proof: InclusionProof): Record<string, unknown> {
    return {
      [entry.uuid]: {
        body: entry.body.toString('base64'),
        integratedTime: entry.integratedTime,
        logID: this.logIdHex,
        logIndex: entry.logIndex,
        verification: {
          inclusionProof: {
            hashes: proof.hashes.map((h) => h.toString('hex')),
            logIndex: entry.treeIndex,
            rootHash: proof.rootHash.toString('hex'),
            treeSize: proof.treeSize,
            checkpoint: proof.checkpoint,
          },
          signedEntryTimestamp: entry.signedEntryTimestamp,
        },
      },
    };
  }
}

/** Recomputes a root from a leaf hash and its audit path (RFC 9162 section 2.1.3.2); used by tests. */
export function rootFromProof(leaf: Buffer, index: number, size: number, hashes: readonly Buffer[]): Buffer {
  if (index >= size) throw new Error('index beyond tree size');
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of hashes) {
    if (sn === 0) throw new Error('proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn !== 0) throw new Error('proof too short');
  return r;
}
