/**
 * Checkpoints: the signed tree heads (C2SP signed-note format) that inclusion proofs end in.
 *
 * ```
 * rekor.sigstore.dev - 2605736670972794746      origin (v1 shards append " - <tree id>")
 * 27657875                                       tree size
 * v+7gOn1wovHHKBEVizJ5FFgTKUBCN9UxLo5KQ1Jz8cw=   root hash (base64)
 * Timestamp: 1692374735595899989                 optional extension lines
 *                                                blank line
 * — rekor.sigstore.dev wNI9ajBEAiAz…             em dash, signer name, base64(key hint ‖ signature)
 * ```
 * The signature covers the note text up to and including the newline before the blank line. The
 * 4-byte key hint is the first four bytes of the log ID, as Rekor writes it and sigstore-js reads it.
 */
import { crypto as sigcrypto } from '@sigstore/core';
import { SigtrailError } from '../errors.js';
import { fromBase64 } from './bytes.js';
import { verifyWithKey } from './keys.js';
import type { TrustedLog } from './trusted-root.js';

export interface NoteSignature {
  name: string;
  keyHint: Buffer;
  signature: Buffer;
}

export interface Checkpoint {
  origin: string;
  size: bigint;
  rootHash: Buffer;
  /** Lines after the root hash (e.g. `Timestamp: …`). */
  extensions: string[];
  /** The signed text. */
  note: string;
  signatures: NoteSignature[];
}

/** Far above any real checkpoint; bounds the work an attacker can ask for. */
const MAX_ENVELOPE = 64 * 1024;
const SIGNATURE_LINE = /^\u2014 (\S+) (\S+)$/;

function fail(message: string): SigtrailError {
  return new SigtrailError('VERIFICATION', message);
}

/** Parses a checkpoint envelope; throws a VERIFICATION error saying what is malformed. */
export function parseCheckpoint(envelope: string): Checkpoint {
  if (envelope.length > MAX_ENVELOPE) throw fail('checkpoint is too large');
  const split = envelope.indexOf('\n\n');
  if (split < 0) throw fail('checkpoint has no signature block');
  const note = envelope.slice(0, split + 1);
  const lines = note.slice(0, -1).split('\n');
  if (lines.length < 3) throw fail('checkpoint note has fewer than 3 lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') throw fail('checkpoint origin is empty');
  if (!/^[0-9]{1,20}$/.test(sizeText)) throw fail(`checkpoint tree size "${sizeText.slice(0, 40)}" is not a number`);
  const rootHash = fromBase64(rootText, 'checkpoint root hash');
  if (rootHash.length !== 32) throw fail('checkpoint root hash is not 32 bytes');
  const signatures: NoteSignature[] = [];
  for (const line of envelope.slice(split + 2).split('\n')) {
    if (line === '') continue;
    const m = SIGNATURE_LINE.exec(line);
    if (!m) throw fail('checkpoint signature line is malformed');
    const bytes = fromBase64(m[2], 'checkpoint signature');
    if (bytes.length < 5) throw fail('checkpoint signature is too short');
    signatures.push({ name: m[1], keyHint: bytes.subarray(0, 4), signature: bytes.subarray(4) });
  }
  if (signatures.length === 0) throw fail('checkpoint carries no signature');
  return { origin, size: BigInt(sizeText), rootHash, extensions, note, signatures };
}

/**
 * Verifies the checkpoint's signature by `log` (found by key hint). Throws a VERIFICATION error
 * when no signature is by that key or it does not verify.
 */
export function verifyCheckpointSignature(checkpoint: Checkpoint, log: TrustedLog): void {
  const hint = log.logId.subarray(0, 4);
  const mine = checkpoint.signatures.filter((s) => sigcrypto.bufferEqual(s.keyHint, hint));
  if (mine.length === 0) {
    throw fail(`checkpoint is not signed by log ${log.baseUrl} (key hint ${hint.toString('hex')})`);
  }
  const data = Buffer.from(checkpoint.note, 'utf8');
  if (!mine.some((s) => verifyWithKey(data, log.key, s.signature))) {
    throw fail(`checkpoint signature does not verify with the key of ${log.baseUrl}`);
  }
}

/** The tree ID that Rekor v1 shards append to the checkpoint origin, as 16 hex digits. */
export function treeIdOfOrigin(origin: string): string | null {
  const m = / - ([0-9]{1,20})$/.exec(origin);
  if (!m) return null;
  const id = BigInt(m[1]);
  return id < 2n ** 64n ? id.toString(16).padStart(16, '0') : null;
}
