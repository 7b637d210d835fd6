/**
 * Does a bundle's content match the log entry it carries?
 *
 * A log proof only vouches for the entry's body. A bundle that pairs a genuine log entry with a
 * different artefact, envelope or signer (sigstore-conformance `intoto-log-entry-mismatch_fail`)
 * would otherwise look verified; sigstore clients refuse it, and so does sigtrail, by comparing
 * what the body records with what the bundle presents.
 */
import type { Bundle } from '@sigstore/bundle';
import { crypto as sigcrypto } from '@sigstore/core';
import type { RekorBody } from './body.js';
import { digestString } from './bytes.js';

/** protobuf HashAlgorithm enum values → names. */
const HASH_ALGORITHMS: Readonly<Record<number, string>> = { 1: 'sha256', 2: 'sha384', 3: 'sha512' };

/** The leaf certificate the bundle presents, if any. */
export function bundleCertificate(b: Bundle): Buffer | null {
  const vm = b.verificationMaterial.content;
  if (vm.$case === 'certificate') return vm.certificate.rawBytes;
  if (vm.$case === 'x509CertificateChain') return vm.x509CertificateChain.certificates[0]?.rawBytes ?? null;
  return null;
}

function digestAlgorithmOf(d: string | null): string | null {
  return d ? d.slice(0, d.indexOf(':')) : null;
}

/** Reasons the bundle does not match `body` (empty when it matches). */
export function bundleMismatches(b: Bundle, body: RekorBody, kindVersion?: { kind: string; version: string }): string[] {
  const out: string[] = [];
  if (kindVersion && (kindVersion.kind !== body.kind || kindVersion.version !== body.apiVersion)) {
    out.push(`tlog entry says ${kindVersion.kind} ${kindVersion.version} but its body is ${body.kind} ${body.apiVersion}`);
  }
  if (!body.known || body.problem) return out; // nothing decoded to compare with
  const sigs = body.signatures.map((s) => s.signature).filter((s): s is Buffer => s !== null);
  if (b.content.$case === 'messageSignature') {
    const ms = b.content.messageSignature;
    if (body.kind !== 'hashedrekord') {
      out.push(`a message-signature bundle carries a ${body.kind} log entry`);
    } else {
      const alg = HASH_ALGORITHMS[ms.messageDigest.algorithm] ?? digestAlgorithmOf(body.artifactDigest) ?? 'sha256';
      if (body.artifactDigest !== digestString(alg, ms.messageDigest.digest)) out.push('the bundle message digest differs from the digest in the log entry');
      if (sigs.length > 0 && !sigs.some((s) => sigcrypto.bufferEqual(s, ms.signature))) out.push('the bundle signature differs from the signature in the log entry');
    }
  } else {
    const env = b.content.dsseEnvelope;
    if (body.kind !== 'dsse' && body.kind !== 'intoto') {
      out.push(`a DSSE bundle carries a ${body.kind} log entry`);
    } else {
      const alg = digestAlgorithmOf(body.payloadDigest) ?? 'sha256';
      if (body.payloadDigest !== digestString(alg, sigcrypto.digest(alg, env.payload))) out.push('the DSSE payload hash differs from the payload hash in the log entry');
      if (sigs.length > 0 && !env.signatures.every((e) => sigs.some((s) => sigcrypto.bufferEqual(s, e.sig)))) {
        out.push('the DSSE envelope signature differs from the signature in the log entry');
      }
    }
  }
  const cert = bundleCertificate(b);
  const certs = body.signatures.map((s) => s.verifier).filter((v) => v?.type === 'cert').map((v) => v!.der);
  if (cert && certs.length > 0 && !certs.some((c) => sigcrypto.bufferEqual(c, cert))) {
    out.push('the bundle certificate differs from the certificate in the log entry');
  }
  return out;
}
