/**
 * Key and certificate fingerprints, in the forms the field uses:
 * - a public key: hex SHA-256 of its DER SubjectPublicKeyInfo (what rekor-monitor and
 *   `sigtrail --key fp:<hex>` name; it is also how a Rekor log ID is derived from the log key);
 * - a certificate: hex SHA-256 of its DER encoding (what `openssl x509 -fingerprint -sha256` prints).
 */
import { crypto as sigcrypto } from '@sigstore/core';

/** Hex SHA-256 of a DER SubjectPublicKeyInfo. */
export function spkiFingerprint(spkiDer: Buffer): string {
  return sigcrypto.digest('sha256', spkiDer).toString('hex');
}

/**
 * Parses a DER SubjectPublicKeyInfo and returns its canonical DER (re-exported, so a key sent
 * in a non-canonical encoding still gets the fingerprint its owner computes) and the key object.
 * Throws when the bytes are not a public key.
 */
export function parseSpki(spkiDer: Buffer): { der: Buffer; key: sigcrypto.KeyObject } {
  const key = sigcrypto.createPublicKey(spkiDer, 'spki');
  return { der: key.export({ format: 'der', type: 'spki' }), key };
}

/** Hex SHA-256 of a DER certificate. */
export function certFingerprint(certDer: Buffer): string {
  return sigcrypto.digest('sha256', certDer).toString('hex');
}
