/**
 * Strict decoding of the hex and base64 strings that log entries carry.
 *
 * Node's `Buffer.from(s, 'base64')` silently skips characters it does not know, so a corrupted
 * field would decode to *different* bytes instead of failing; every field here is
 * attacker-controlled, so malformed text is an error, not a guess.
 */
import { SigtrailError } from '../errors.js';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function bad(what: string, kind: string): SigtrailError {
  return new SigtrailError('VERIFICATION', `${what} is not valid ${kind}`);
}

/** Hex (either case) → bytes; throws a VERIFICATION error naming `what` otherwise. */
export function fromHex(text: string, what: string): Buffer {
  if (!HEX.test(text)) throw bad(what, 'hex');
  return Buffer.from(text, 'hex');
}

/**
 * Standard or URL-safe base64 (padding optional) → bytes; throws otherwise. Valid text is exactly
 * what the decoded bytes encode back to, a check Node does natively (a regex over multi-KiB
 * bodies costs more than the decoding).
 */
export function fromBase64(text: string, what: string): Buffer {
  const s = text.replace(/\s+/g, '').replace(/={1,2}$/, '');
  if (/[-_]/.test(s)) {
    const url = Buffer.from(s, 'base64url');
    if (url.toString('base64url') === s) return url;
  } else {
    const std = Buffer.from(s, 'base64');
    if (std.toString('base64').replace(/={1,2}$/, '') === s) return std;
  }
  throw bad(what, 'base64');
}

/** `<alg>:<hex>` as the signatures table stores digests. */
export function digestString(algorithm: string, bytesOrHex: Buffer | string): string {
  const hex = typeof bytesOrHex === 'string' ? bytesOrHex.toLowerCase() : bytesOrHex.toString('hex');
  return `${algorithm}:${hex}`;
}

/** Rekor v1 (`sha256`), protobuf (`SHA2_256`) and in-toto names of one hash → `sha256` / `sha384` / `sha512`. */
export function hashName(algorithm: string): string | null {
  const a = algorithm.toLowerCase().replace(/[-_]/g, '');
  if (a === 'sha256' || a === 'sha2256') return 'sha256';
  if (a === 'sha384' || a === 'sha2384') return 'sha384';
  if (a === 'sha512' || a === 'sha2512') return 'sha512';
  return null;
}
