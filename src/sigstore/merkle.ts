/**
 * RFC 6962 Merkle trees, as Rekor (v1 and v2) builds them: the leaf hash of an entry and the
 * root its inclusion proof leads to.
 *
 * The proof is split into "inner" hashes (below the point where the entry's path and the tree's
 * right border meet) and "border" hashes (the right edge), following the RFC 9162 §2.1.3.2
 * algorithm that sigstore-js and transparency-dev use.
 */
import { crypto as sigcrypto } from '@sigstore/core';
import { SigtrailError } from '../errors.js';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 ‖ body): the leaf hash, which is also a Rekor v1 entry UUID (without tree prefix). */
export function leafHash(body: Buffer): Buffer {
  return sigcrypto.digest('sha256', LEAF_PREFIX, body);
}

function hashChildren(left: Buffer, right: Buffer): Buffer {
  return sigcrypto.digest('sha256', NODE_PREFIX, left, right);
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

function onesCount(n: bigint): number {
  return n.toString(2).replace(/0/g, '').length;
}

/**
 * The root that `hashes` lead to from `leaf` at `index` in a tree of `size` leaves.
 * Throws a VERIFICATION error when the proof has the wrong shape for that position.
 */
export function rootFromInclusionProof(leaf: Buffer, index: bigint, size: bigint, hashes: readonly Buffer[]): Buffer {
  if (index < 0n || size <= 0n || index >= size) {
    throw new SigtrailError('VERIFICATION', `inclusion proof index ${index} is outside a tree of size ${size}`);
  }
  const inner = bitLength(index ^ (size - 1n));
  const border = onesCount(index >> BigInt(inner));
  if (hashes.length !== inner + border) {
    throw new SigtrailError('VERIFICATION', `inclusion proof has ${hashes.length} hashes; index ${index} in a tree of ${size} needs ${inner + border}`);
  }
  if (hashes.some((h) => h.length !== 32)) throw new SigtrailError('VERIFICATION', 'inclusion proof hash is not 32 bytes');
  let node = leaf;
  for (let i = 0; i < inner; i++) {
    const h = hashes[i];
    node = (index >> BigInt(i)) & 1n ? hashChildren(h, node) : hashChildren(node, h);
  }
  for (let i = inner; i < hashes.length; i++) node = hashChildren(hashes[i], node);
  return node;
}
