/**
 * Verifying a signature with a log's public key, whatever its algorithm.
 *
 * Rekor v1 logs sign with ECDSA P-256 (DER signatures), the 2025 Rekor v2 shards with Ed25519;
 * the hash that goes with an ECDSA key follows its curve, as the trusted root's keyDetails say
 * (PKIX_ECDSA_P256_SHA_256, …_P384_SHA_384, …_P521_SHA_512).
 */
import { crypto as sigcrypto } from '@sigstore/core';

/** The digest to pair with `key` (undefined for Ed25519/Ed448, which hash internally). */
export function digestFor(key: sigcrypto.KeyObject): string | undefined {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
    case 'ed448':
      return undefined;
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp384r1') return 'sha384';
      if (curve === 'secp521r1') return 'sha512';
      return 'sha256';
    }
    default:
      return 'sha256';
  }
}

/** True when `signature` over `data` verifies with `key`; never throws. */
export function verifyWithKey(data: Buffer, key: sigcrypto.KeyObject, signature: Buffer): boolean {
  return sigcrypto.verify(data, key, signature, digestFor(key));
}
