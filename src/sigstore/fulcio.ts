/**
 * Fulcio certificate identities: who a keyless signature belongs to.
 *
 * The identity is the SAN (a workflow URI, an e-mail, or a username OtherName) plus the Fulcio
 * extensions under 1.3.6.1.4.1.57264.1 (sigstore/fulcio docs/oid-info.md). Their encoding
 * differs by age, and decoding them naively leaves a stray tag byte in front of the value:
 * - .1–.6 (deprecated, GitHub-specific) hold the raw UTF-8 bytes;
 * - .8 and above hold a DER UTF8String (tag 0x0C, length, bytes).
 * The certificate is parsed by @sigstore/core's X.509 reader; nothing here walks DER by hand.
 */
import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { certFingerprint, spkiFingerprint } from './fingerprint.js';

export const FULCIO_OID_PREFIX = '1.3.6.1.4.1.57264.1.';

/** Extension number (the last OID arc) → name in `fulcio_extensions`, and its encoding. */
export const FULCIO_EXTENSIONS: Readonly<Record<number, { name: string; raw: boolean }>> = {
  1: { name: 'issuer_v1', raw: true },
  2: { name: 'github_workflow_trigger', raw: true },
  3: { name: 'github_workflow_sha', raw: true },
  4: { name: 'github_workflow_name', raw: true },
  5: { name: 'github_workflow_repository', raw: true },
  6: { name: 'github_workflow_ref', raw: true },
  8: { name: 'issuer', raw: false },
  9: { name: 'build_signer_uri', raw: false },
  10: { name: 'build_signer_digest', raw: false },
  11: { name: 'runner_environment', raw: false },
  12: { name: 'source_repository_uri', raw: false },
  13: { name: 'source_repository_digest', raw: false },
  14: { name: 'source_repository_ref', raw: false },
  15: { name: 'source_repository_identifier', raw: false },
  16: { name: 'source_repository_owner_uri', raw: false },
  17: { name: 'source_repository_owner_identifier', raw: false },
  18: { name: 'build_config_uri', raw: false },
  19: { name: 'build_config_digest', raw: false },
  20: { name: 'build_trigger', raw: false },
  21: { name: 'run_invocation_uri', raw: false },
  22: { name: 'source_repository_visibility_at_signing', raw: false },
  23: { name: 'deployment_environment', raw: false },
  24: { name: 'token_subject', raw: false },
};

const OTHER_NAME_OID = '1.3.6.1.4.1.57264.1.7';
const UTF8_STRING_TAG = 0x0c;

export interface CertificateIdentity {
  /** Hex SHA-256 of the DER certificate. */
  fingerprint: string;
  /** Hex SHA-256 of the certificate's DER SubjectPublicKeyInfo. */
  keyFingerprint: string;
  /** Serial number, lower-case hex. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** URI, e-mail or OtherName username, whichever the SAN holds. */
  san: string | null;
  /** OIDC issuer: .8, falling back to the deprecated .1. */
  issuer: string | null;
  /** Every Fulcio extension present, by name (unknown future arcs by their OID). */
  extensions: Record<string, string>;
}

/**
 * Decodes one extension value. For .8+ the value must be a DER UTF8String; when an issuer wrote
 * raw bytes instead, those are returned rather than nothing.
 */
export function decodeExtensionValue(arc: number, value: Buffer): string {
  const known = FULCIO_EXTENSIONS[arc];
  if (known?.raw) return value.toString('utf8');
  try {
    const obj = ASN1Obj.parseBuffer(value as Buffer<ArrayBuffer>);
    if (obj.tag.number === UTF8_STRING_TAG && obj.tag.isUniversal() && !obj.tag.constructed) return obj.value.toString('utf8');
  } catch {
    /* not DER: fall through to the raw bytes */
  }
  return value.toString('utf8');
}

function sanOf(cert: X509Certificate): string | null {
  try {
    const ext = cert.extSubjectAltName;
    return ext?.uri ?? ext?.rfc822Name ?? ext?.otherName(OTHER_NAME_OID) ?? null;
  } catch {
    return null; // a SAN this reader cannot walk is reported as absent, not as a crash
  }
}

/**
 * @sigstore/core's reader speculatively parses every OCTET STRING and throws (and catches) an
 * error each time one is not DER; capturing stack traces for those dominated ingest time, so
 * they are switched off for the parse.
 */
function parseCertificate(der: Buffer): X509Certificate {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return X509Certificate.parse(der as Buffer<ArrayBuffer>);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Reads the identity of a DER certificate; throws when it is not an X.509 certificate. */
export function certificateIdentity(der: Buffer): CertificateIdentity {
  const cert = parseCertificate(der);
  const extensions: Record<string, string> = {};
  // Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }
  for (const ext of cert.extensions) {
    const oid = ext.subs[0]?.toOID();
    if (!oid?.startsWith(FULCIO_OID_PREFIX)) continue;
    const arc = Number(oid.slice(FULCIO_OID_PREFIX.length));
    if (!Number.isInteger(arc) || arc === 7) continue; // .7 lives in the SAN, not as an extension
    const value = ext.subs[ext.subs.length - 1]?.value;
    if (!value) continue;
    extensions[FULCIO_EXTENSIONS[arc]?.name ?? oid] = decodeExtensionValue(arc, value);
  }
  return {
    fingerprint: certFingerprint(der),
    keyFingerprint: spkiFingerprint(cert.publicKey),
    // DER INTEGERs carry a leading 0x00 when the high bit is set; the serial people quote does not.
    serial: cert.serialNumber.toString('hex').replace(/^(?:00)+(?=[0-9a-f])/, ''),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    san: sanOf(cert),
    issuer: extensions.issuer ?? extensions.issuer_v1 ?? null,
    extensions,
  };
}
