/**
 * The signer of a log entry, from the verifier its body records: a certificate (keyless /
 * Fulcio, or any X.509 signer) or a bare public key (cosign key pairs, KMS keys, the npm registry
 * key). Either way `keyFingerprint` is the hex SHA-256 of the signing key's DER SPKI, so one
 * `--key fp:<hex>` finds a key whether it signed bare or behind a certificate.
 */
import type { Verifier } from './body.js';
import { buildIdentity, type BuildIdentity } from './build-identity.js';
import { parseSpki, spkiFingerprint } from './fingerprint.js';
import { certificateIdentity, type CertificateIdentity } from './fulcio.js';

export interface Signer {
  kind: 'cert' | 'key';
  keyFingerprint: string;
  cert: CertificateIdentity | null;
  build: BuildIdentity | null;
}

/** Decodes a verifier; throws when the certificate or key does not parse. */
export function signerOf(v: Verifier): Signer {
  if (v.type === 'key') {
    return { kind: 'key', keyFingerprint: spkiFingerprint(parseSpki(v.der).der), cert: null, build: null };
  }
  const cert = certificateIdentity(v.der);
  return { kind: 'cert', keyFingerprint: cert.keyFingerprint, cert, build: buildIdentity(cert.extensions, cert.san) };
}
