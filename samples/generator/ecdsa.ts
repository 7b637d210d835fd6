/**
 * Deterministic ECDSA (RFC 6979) over NIST P-256 and P-384, so that the committed samples carry
 * real, verifiable signatures and are still byte-for-byte reproducible.
 *
 * Node's crypto and WebCrypto draw a random nonce for every ECDSA signature, so two runs of the
 * generator would produce different signatures (and, through them, different Rekor bodies, entry
 * UUIDs and Merkle roots). RFC 6979 derives the nonce from the private key and the message hash
 * instead; the signatures verify with any standard ECDSA verifier (the tests check them with
 * node:crypto). Keys are derived from a seed label, never stored: nothing in samples/ holds a
 * private key. This is test-data tooling, not constant-time production crypto.
 */
import { createHash, createHmac, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export interface Curve {
  name: 'P-256' | 'P-384';
  /** node:crypto / WebCrypto hash that pairs with the curve in X.509 and cosign use. */
  hash: 'sha256' | 'sha384';
  bytes: number;
  p: bigint;
  n: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
}

export const P256: Curve = {
  name: 'P-256',
  hash: 'sha256',
  bytes: 32,
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};

export const P384: Curve = {
  name: 'P-384',
  hash: 'sha384',
  bytes: 48,
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
  gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
};

/** A Jacobian point (X/Z², Y/Z³); Z = 0 is the point at infinity. */
interface Jacobian {
  x: bigint;
  y: bigint;
  z: bigint;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function powMod(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** Inverse modulo a prime (both p and n are prime for these curves). */
function invMod(a: bigint, m: bigint): bigint {
  return powMod(a, m - 2n, m);
}

// Both curves have a = -3, which the doubling formula below relies on.
function double(c: Curve, P: Jacobian): Jacobian {
  if (P.z === 0n || P.y === 0n) return { x: 0n, y: 1n, z: 0n };
  const { p } = c;
  const delta = (P.z * P.z) % p;
  const gamma = (P.y * P.y) % p;
  const beta = (P.x * gamma) % p;
  const alpha = mod(3n * (P.x - delta) * (P.x + delta), p);
  const x3 = mod(alpha * alpha - 8n * beta, p);
  const z3 = mod((P.y + P.z) * (P.y + P.z) - gamma - delta, p);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, p);
  return { x: x3, y: y3, z: z3 };
}

function add(c: Curve, P: Jacobian, Q: Jacobian): Jacobian {
  if (P.z === 0n) return Q;
  if (Q.z === 0n) return P;
  const { p } = c;
  const z1z1 = (P.z * P.z) % p;
  const z2z2 = (Q.z * Q.z) % p;
  const u1 = (P.x * z2z2) % p;
  const u2 = (Q.x * z1z1) % p;
  const s1 = (P.y * Q.z * z2z2) % p;
  const s2 = (Q.y * P.z * z1z1) % p;
  if (u1 === u2) return s1 === s2 ? double(c, P) : { x: 0n, y: 1n, z: 0n };
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = (h * h) % p;
  const hhh = (h * hh) % p;
  const x3 = mod(r * r - hhh - 2n * u1 * hh, p);
  const y3 = mod(r * (u1 * hh - x3) - s1 * hhh, p);
  const z3 = (h * P.z * Q.z) % p;
  return { x: x3, y: y3, z: z3 };
}

function multiply(c: Curve, k: bigint, x: bigint, y: bigint): { x: bigint; y: bigint } {
  let R: Jacobian = { x: 0n, y: 1n, z: 0n };
  const P: Jacobian = { x, y, z: 1n };
  for (let i = BigInt(k.toString(2).length - 1); i >= 0n; i--) {
    R = double(c, R);
    if ((k >> i) & 1n) R = add(c, R, P);
  }
  if (R.z === 0n) throw new Error('point at infinity');
  const zi = invMod(R.z, c.p);
  const zi2 = (zi * zi) % c.p;
  return { x: (R.x * zi2) % c.p, y: (R.y * zi2 * zi) % c.p };
}

function toBig(b: Buffer): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`);
}

function toBytes(v: bigint, len: number): Buffer {
  return Buffer.from(v.toString(16).padStart(len * 2, '0'), 'hex');
}

/** RFC 6979 bits2int: the leftmost qlen bits of the hash as an integer. */
function bits2int(c: Curve, h: Buffer): bigint {
  const v = toBig(h);
  const excess = h.length * 8 - c.n.toString(2).length;
  return excess > 0 ? v >> BigInt(excess) : v;
}

export interface EcKey {
  curve: Curve;
  d: bigint;
  x: bigint;
  y: bigint;
}

/** Derives a key pair from a seed label: the same label always gives the same key. */
export function deriveKey(curve: Curve, label: string): EcKey {
  const wide = createHmac('sha512', 'sigtrail samples key derivation').update(label).digest();
  const d = (toBig(Buffer.concat([wide, createHash('sha512').update(wide).digest()])) % (curve.n - 1n)) + 1n;
  const { x, y } = multiply(curve, d, curve.gx, curve.gy);
  return { curve, d, x, y };
}

/** RFC 6979 section 3.2: the deterministic nonce for (key, hash). */
function nonce(key: EcKey, hash: Buffer): bigint {
  const { curve } = key;
  const alg = curve.hash;
  const hlen = createHash(alg).digest().length;
  const x = toBytes(key.d, curve.bytes);
  const h1 = toBytes(mod(bits2int(curve, hash), curve.n), curve.bytes);
  let V = Buffer.alloc(hlen, 0x01);
  let K = Buffer.alloc(hlen, 0x00);
  K = createHmac(alg, K).update(Buffer.concat([V, Buffer.from([0x00]), x, h1])).digest();
  V = createHmac(alg, K).update(V).digest();
  K = createHmac(alg, K).update(Buffer.concat([V, Buffer.from([0x01]), x, h1])).digest();
  V = createHmac(alg, K).update(V).digest();
  for (;;) {
    let T = Buffer.alloc(0);
    while (T.length < curve.bytes) {
      V = createHmac(alg, K).update(V).digest();
      T = Buffer.concat([T, V]);
    }
    const k = bits2int(curve, T.subarray(0, curve.bytes));
    if (k >= 1n && k < curve.n) return k;
    K = createHmac(alg, K).update(Buffer.concat([V, Buffer.from([0x00])])).digest();
    V = createHmac(alg, K).update(V).digest();
  }
}

export interface RawSignature {
  r: bigint;
  s: bigint;
}

/** Signs a message hash (already computed with the curve's hash, or SHA-256 for cosign digests). */
export function signHash(key: EcKey, hash: Buffer): RawSignature {
  const { curve } = key;
  const e = mod(bits2int(curve, hash), curve.n);
  for (let k = nonce(key, hash); ; k = mod(k + 1n, curve.n)) {
    const r = mod(multiply(curve, k, curve.gx, curve.gy).x, curve.n);
    if (r === 0n) continue;
    const s = mod(invMod(k, curve.n) * (e + r * key.d), curve.n);
    if (s !== 0n) return { r, s };
  }
}

/** ECDSA verification of a signature over a message hash (used by the tests and by self-checks). */
export function verifyHash(curve: Curve, pub: { x: bigint; y: bigint }, hash: Buffer, sig: RawSignature): boolean {
  const { n } = curve;
  if (sig.r <= 0n || sig.r >= n || sig.s <= 0n || sig.s >= n) return false;
  const e = mod(bits2int(curve, hash), n);
  const w = invMod(sig.s, n);
  const u1 = (e * w) % n;
  const u2 = (sig.r * w) % n;
  const a = u1 === 0n ? { x: 0n, y: 1n, z: 0n } : { ...multiply(curve, u1, curve.gx, curve.gy), z: 1n };
  const b = u2 === 0n ? { x: 0n, y: 1n, z: 0n } : { ...multiply(curve, u2, pub.x, pub.y), z: 1n };
  const R = add(curve, a, b);
  if (R.z === 0n) return false;
  const zi = invMod(R.z, curve.p);
  return mod((R.x * zi * zi) % curve.p, n) === sig.r;
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }`, the encoding cosign, Rekor and X.509 use. */
export function toDer(sig: RawSignature): Buffer {
  const int = (v: bigint): Buffer => {
    const hex = v.toString(16);
    let b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    // DER INTEGERs are signed: a high first bit needs a leading zero byte.
    if (b[0] >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02, b.length]), b]);
  };
  const body = Buffer.concat([int(sig.r), int(sig.s)]);
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

/** IEEE P1363 `r || s`, the encoding WebCrypto returns. */
export function toP1363(curve: Curve, sig: RawSignature): Buffer {
  return Buffer.concat([toBytes(sig.r, curve.bytes), toBytes(sig.s, curve.bytes)]);
}

/** Signs `message` with the curve's hash; returns DER. */
export function signMessage(key: EcKey, message: Buffer): Buffer {
  return toDer(signHash(key, createHash(key.curve.hash).update(message).digest()));
}

function b64url(v: bigint, len: number): string {
  return toBytes(v, len).toString('base64url');
}

export function jwk(key: EcKey, withPrivate: boolean): Record<string, string> {
  const j: Record<string, string> = {
    kty: 'EC',
    crv: key.curve.name,
    x: b64url(key.x, key.curve.bytes),
    y: b64url(key.y, key.curve.bytes),
  };
  if (withPrivate) j.d = b64url(key.d, key.curve.bytes);
  return j;
}

export function publicKeyObject(key: EcKey): KeyObject {
  return createPublicKey({ key: jwk(key, false), format: 'jwk' });
}

export function privateKeyObject(key: EcKey): KeyObject {
  return createPrivateKey({ key: jwk(key, true), format: 'jwk' });
}

/** DER SubjectPublicKeyInfo. */
export function spkiDer(key: EcKey): Buffer {
  return publicKeyObject(key).export({ type: 'spki', format: 'der' });
}

/** PEM `-----BEGIN PUBLIC KEY-----`, as `cosign.pub` holds it. */
export function spkiPem(key: EcKey): string {
  return publicKeyObject(key).export({ type: 'spki', format: 'pem' }).toString();
}

/** Hex SHA-256 of the DER SubjectPublicKeyInfo: the fingerprint rekor-monitor and sigtrail use. */
export function fingerprint(key: EcKey): string {
  return createHash('sha256').update(spkiDer(key)).digest('hex');
}
