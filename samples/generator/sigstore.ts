/**
 * Sigstore material for the samples: a Fulcio-like CA, Fulcio certificates for GitHub Actions
 * workflow identities (with the real Fulcio extension encodings), DSSE envelopes, Rekor entry
 * bodies (hashedrekord 0.0.1, dsse 0.0.1), bundles v0.3, and a trusted root for the demo log/CA.
 *
 * Certificates are built with @peculiar/x509 through a WebCrypto wrapper whose ECDSA `sign` is
 * RFC 6979 deterministic (ecdsa.ts), so the output is byte-reproducible. The shapes follow the
 * real records in ../shared/realdata/sigstore (go_sigstore.js provenance certificate, js/py
 * bundles v0.3, conformance managed-key bundle):
 * - Fulcio extensions 1.3.6.1.4.1.57264.1.1–.6 hold raw UTF-8 bytes (deprecated encoding);
 *   .8–.22 hold a DER UTF8String (so naive decoders see a leading tag/length byte).
 * - Leaf: empty subject, ~10 minute validity, critical URI SAN, KeyUsage digitalSignature
 *   (critical), EKU codeSigning, SKI/AKI. Not reproduced: the embedded CT SCT (no CT log here).
 * - Fulcio's CA keys are P-384 and sign with ecdsa-with-SHA384; leaf keys are P-256.
 *
 * Kept free of the demo's story so it can merge with the test fixture builder
 * (test/fixtures/sigstore.ts, another branch) later.
 */
import { createHash, webcrypto } from 'node:crypto';
import './reflect-metadata.js'; // before @peculiar/x509, which needs it at load time
import * as x509 from '@peculiar/x509';
import { dsse, json } from '@sigstore/core';
import { type EcKey, P256, P384, type Curve, jwk, signHash, signMessage, spkiDer, toP1363 } from './ecdsa.js';
import type { InclusionProof, LoggedEntry, TransparencyLog } from './rekor.js';

type CryptoKey = webcrypto.CryptoKey;

// ---------------------------------------------------------------------------------------------
// Deterministic WebCrypto for @peculiar/x509
// ---------------------------------------------------------------------------------------------

const keyRegistry = new WeakMap<CryptoKey, EcKey>();

function curveParams(c: Curve): { name: 'ECDSA'; namedCurve: string } {
  return { name: 'ECDSA', namedCurve: c.name };
}

/**
 * WebCrypto with one change: ECDSA `sign` with a key imported through `importEcKey` uses RFC 6979
 * nonces. Everything else (digests, verification, key import) is Node's WebCrypto.
 */
const subtle = webcrypto.subtle;
const deterministicSubtle = new Proxy(subtle, {
  get(target, prop, receiver) {
    if (prop === 'sign') {
      return (algorithm: { name: string; hash?: string | { name: string } }, key: CryptoKey, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer> => {
        const ec = keyRegistry.get(key);
        if (!ec || algorithm.name !== 'ECDSA') return Promise.reject(new Error('deterministic signing only for imported ECDSA keys'));
        const hashName = typeof algorithm.hash === 'string' ? algorithm.hash : algorithm.hash?.name ?? 'SHA-256';
        const bytes = ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
        const digest = createHash(hashName.replace('-', '').toLowerCase()).update(bytes).digest();
        return Promise.resolve(toArrayBuffer(toP1363(ec.curve, signHash(ec, digest))));
      };
    }
    const v: unknown = Reflect.get(target, prop, receiver);
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
  },
});

/** The Crypto object handed to @peculiar/x509; getRandomValues is refused so nothing random slips in. */
export const deterministicCrypto = {
  subtle: deterministicSubtle,
  getRandomValues: () => {
    throw new Error('randomness requested while generating deterministic samples');
  },
  randomUUID: () => {
    throw new Error('randomness requested while generating deterministic samples');
  },
} as unknown as webcrypto.Crypto;

/** Imports a derived key into WebCrypto as a signing key pair. */
export async function importEcKey(key: EcKey): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  const privateKey = await subtle.importKey('jwk', jwk(key, true), curveParams(key.curve), true, ['sign']);
  const publicKey = await subtle.importKey('jwk', jwk(key, false), curveParams(key.curve), true, ['verify']);
  keyRegistry.set(privateKey, key);
  return { privateKey, publicKey };
}

function sigAlg(c: Curve): { name: 'ECDSA'; hash: string } {
  return { name: 'ECDSA', hash: c === P384 ? 'SHA-384' : 'SHA-256' };
}

// ---------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------

/** PEM with 64-character lines and a trailing newline, as cosign writes it. */
export function pem(label: 'CERTIFICATE' | 'PUBLIC KEY', der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** DER UTF8String (tag 0x0c): how Fulcio encodes extensions .8 and above. */
export function derUtf8String(s: string): Buffer {
  const v = Buffer.from(s, 'utf8');
  const len = v.length < 0x80 ? Buffer.from([v.length]) : v.length < 0x100 ? Buffer.from([0x81, v.length]) : Buffer.from([0x82, v.length >> 8, v.length & 0xff]);
  return Buffer.concat([Buffer.from([0x0c]), len, v]);
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

// ---------------------------------------------------------------------------------------------
// A Fulcio-like certificate authority
// ---------------------------------------------------------------------------------------------

export interface CertificateAuthority {
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
  intermediateKey: EcKey;
  uri: string;
  subject: { organization: string; commonName: string };
  validFrom: Date;
}

export interface CaOptions {
  rootKey: EcKey;
  intermediateKey: EcKey;
  organization: string;
  rootName: string;
  intermediateName: string;
  uri: string;
  notBefore: Date;
  /** Hex serials (fixed, so the certificates are reproducible). */
  rootSerial: string;
  intermediateSerial: string;
}

/** A root and an intermediate (both P-384, like Fulcio's), the intermediate allowed codeSigning only. */
export async function createCertificateAuthority(o: CaOptions): Promise<CertificateAuthority> {
  if (o.rootKey.curve !== P384 || o.intermediateKey.curve !== P384) throw new Error('Fulcio CA keys are P-384');
  const rootKeys = await importEcKey(o.rootKey);
  const intKeys = await importEcKey(o.intermediateKey);
  const tenYears = new Date(o.notBefore.getTime() + 10 * 365 * 86_400_000);
  const root = await x509.X509CertificateGenerator.create(
    {
      serialNumber: o.rootSerial,
      subject: `O=${o.organization}, CN=${o.rootName}`,
      issuer: `O=${o.organization}, CN=${o.rootName}`,
      notBefore: o.notBefore,
      notAfter: tenYears,
      publicKey: rootKeys.publicKey,
      signingKey: rootKeys.privateKey,
      signingAlgorithm: sigAlg(P384),
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        new x509.BasicConstraintsExtension(true, 1, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey, false, deterministicCrypto),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey, false, deterministicCrypto),
      ],
    },
    deterministicCrypto,
  );
  const intermediate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: o.intermediateSerial,
      subject: `O=${o.organization}, CN=${o.intermediateName}`,
      issuer: root.subject,
      notBefore: o.notBefore,
      notAfter: tenYears,
      publicKey: intKeys.publicKey,
      signingKey: rootKeys.privateKey,
      signingAlgorithm: sigAlg(P384),
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning], false),
        new x509.BasicConstraintsExtension(true, 0, true),
        await x509.SubjectKeyIdentifierExtension.create(intKeys.publicKey, false, deterministicCrypto),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey, false, deterministicCrypto),
      ],
    },
    deterministicCrypto,
  );
  return {
    root, intermediate, intermediateKey: o.intermediateKey, uri: o.uri,
    subject: { organization: o.organization, commonName: o.rootName }, validFrom: o.notBefore,
  };
}

/** What Fulcio puts in a certificate for a GitHub Actions OIDC token. */
export interface GitHubWorkflowIdentity {
  issuer: string;
  /** owner/name */
  repository: string;
  repositoryId: number;
  ownerId: number;
  visibility: 'public' | 'private';
  /** `.github/workflows/release.yml` */
  workflowPath: string;
  workflowName: string;
  ref: string;
  sha: string;
  event: string;
  runId: number;
  attempt: number;
  runnerEnvironment: 'github-hosted' | 'self-hosted';
}

/** The certificate SAN: `https://github.com/<repo>/<workflow path>@<ref>`. */
export function workflowSan(id: GitHubWorkflowIdentity): string {
  return `https://github.com/${id.repository}/${id.workflowPath}@${id.ref}`;
}

/** Fulcio's OID 1.3.6.1.4.1.57264.1.* extensions, in Fulcio's order. */
export function fulcioExtensions(id: GitHubWorkflowIdentity): x509.Extension[] {
  const owner = id.repository.split('/')[0];
  const san = workflowSan(id);
  const raw = (n: number, v: string): x509.Extension => new x509.Extension(`1.3.6.1.4.1.57264.1.${n}`, false, toArrayBuffer(Buffer.from(v, 'utf8')));
  const utf8 = (n: number, v: string): x509.Extension => new x509.Extension(`1.3.6.1.4.1.57264.1.${n}`, false, toArrayBuffer(derUtf8String(v)));
  return [
    raw(1, id.issuer),
    raw(2, id.event),
    raw(3, id.sha),
    raw(4, id.workflowName),
    raw(5, id.repository),
    raw(6, id.ref),
    utf8(8, id.issuer),
    utf8(9, san),
    utf8(10, id.sha),
    utf8(11, id.runnerEnvironment),
    utf8(12, `https://github.com/${id.repository}`),
    utf8(13, id.sha),
    utf8(14, id.ref),
    utf8(15, String(id.repositoryId)),
    utf8(16, `https://github.com/${owner}`),
    utf8(17, String(id.ownerId)),
    utf8(18, san),
    utf8(19, id.sha),
    utf8(20, id.event),
    utf8(21, `https://github.com/${id.repository}/actions/runs/${id.runId}/attempts/${id.attempt}`),
    utf8(22, id.visibility),
  ];
}

/** Issues a ~10-minute Fulcio leaf certificate for `leafKey` (P-256); returns DER. */
export async function issueFulcioCertificate(
  ca: CertificateAuthority,
  leafKey: EcKey,
  identity: GitHubWorkflowIdentity,
  notBefore: Date,
  serialHex: string,
): Promise<Buffer> {
  if (leafKey.curve !== P256) throw new Error('leaf keys are P-256');
  const caKeys = await importEcKey(ca.intermediateKey);
  const leaf = await importEcKey(leafKey);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialHex,
      subject: '',
      issuer: ca.intermediate.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 10 * 60_000),
      publicKey: leaf.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: sigAlg(P384),
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning], false),
        await x509.SubjectKeyIdentifierExtension.create(leaf.publicKey, false, deterministicCrypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.intermediate, false, deterministicCrypto),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: workflowSan(identity) }], true),
        ...fulcioExtensions(identity),
      ],
    },
    deterministicCrypto,
  );
  return Buffer.from(cert.rawData);
}

// ---------------------------------------------------------------------------------------------
// Envelopes and Rekor bodies
// ---------------------------------------------------------------------------------------------

export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: { sig: string; keyid: string }[];
}

/** Signs PAE(payloadType, payload) (the DSSE v1 pre-authentication encoding). */
export function signDsse(key: EcKey, payloadType: string, payload: Buffer): DsseEnvelope {
  const sig = signMessage(key, dsse.preAuthEncoding(payloadType, payload));
  return { payload: payload.toString('base64'), payloadType, signatures: [{ sig: sig.toString('base64'), keyid: '' }] };
}

/** hashedrekord 0.0.1 body, canonical JSON; `verifier` is a PEM public key or certificate. */
export function hashedRekordBody(digestHex: string, signatureDer: Buffer, verifierPem: string): Buffer {
  return Buffer.from(
    json.canonicalize({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: digestHex } },
        signature: { content: signatureDer.toString('base64'), publicKey: { content: Buffer.from(verifierPem).toString('base64') } },
      },
    }),
  );
}

/**
 * dsse 0.0.1 body as Rekor canonicalises it: envelope and payload hashes, and the signatures with
 * their verifiers (base64 PEM); the payload itself is not stored.
 */
export function dsseRekorBody(envelope: DsseEnvelope, verifierPem: string): Buffer {
  const envelopeHash = createHash('sha256').update(JSON.stringify(envelope)).digest('hex');
  const payloadHash = createHash('sha256').update(Buffer.from(envelope.payload, 'base64')).digest('hex');
  return Buffer.from(
    json.canonicalize({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: envelopeHash },
        payloadHash: { algorithm: 'sha256', value: payloadHash },
        signatures: envelope.signatures.map((s) => ({ signature: s.sig, verifier: Buffer.from(verifierPem).toString('base64') })),
      },
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Bundles (v0.3, protobuf-JSON: int64 as strings, bytes as base64)
// ---------------------------------------------------------------------------------------------

export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export function bundleTlogEntry(log: TransparencyLog, entry: LoggedEntry, kind: 'hashedrekord' | 'dsse', proof: InclusionProof): Record<string, unknown> {
  return {
    logIndex: String(entry.logIndex),
    logId: { keyId: log.logId.toString('base64') },
    kindVersion: { kind, version: '0.0.1' },
    integratedTime: String(entry.integratedTime),
    inclusionPromise: { signedEntryTimestamp: entry.signedEntryTimestamp },
    inclusionProof: {
      logIndex: String(entry.treeIndex),
      rootHash: proof.rootHash.toString('base64'),
      treeSize: String(proof.treeSize),
      hashes: proof.hashes.map((h) => h.toString('base64')),
      checkpoint: { envelope: proof.checkpoint },
    },
    canonicalizedBody: entry.body.toString('base64'),
  };
}

/** A keyless (Fulcio certificate) bundle around a DSSE envelope, as `actions/attest-build-provenance` writes. */
export function certificateDsseBundle(certDer: Buffer, envelope: DsseEnvelope, tlogEntry: Record<string, unknown>): Record<string, unknown> {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: {
      certificate: { rawBytes: certDer.toString('base64') },
      tlogEntries: [tlogEntry],
      timestampVerificationData: {},
    },
    dsseEnvelope: envelope,
  };
}

/**
 * A key-signed message bundle, as `cosign sign-blob --key … --bundle` writes with the new bundle
 * format: the public key is named by a hint (base64 SHA-256 of its DER SPKI), not included.
 */
export function publicKeyMessageBundle(key: EcKey, digestHex: string, signatureDer: Buffer, tlogEntry: Record<string, unknown>): Record<string, unknown> {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: {
      publicKey: { hint: createHash('sha256').update(spkiDer(key)).digest('base64') },
      tlogEntries: [tlogEntry],
      timestampVerificationData: {},
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: Buffer.from(digestHex, 'hex').toString('base64') },
      signature: signatureDer.toString('base64'),
    },
  };
}

/** A trusted_root.json naming the demo log and CA, in the shape of trusted_root.public-good.json. */
export function trustedRoot(log: TransparencyLog, ca: CertificateAuthority): Record<string, unknown> {
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: log.config.baseUrl,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: log.publicKeyDer.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: ca.validFrom.toISOString().replace(/\.\d{3}Z$/, 'Z') },
        },
        logId: { keyId: log.logId.toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: ca.subject,
        uri: ca.uri,
        certChain: {
          certificates: [
            { rawBytes: Buffer.from(ca.intermediate.rawData).toString('base64') },
            { rawBytes: Buffer.from(ca.root.rawData).toString('base64') },
          ],
        },
        validFor: { start: ca.validFrom.toISOString().replace(/\.\d{3}Z$/, 'Z') },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  };
}
