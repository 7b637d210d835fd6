/**
 * Rekor canonicalized bodies, by kind: what was signed (digest) and who signed it (verifier).
 *
 * | kind / version        | digest                                  | verifier                                   |
 * |-----------------------|-----------------------------------------|--------------------------------------------|
 * | hashedrekord 0.0.1    | spec.data.hash {algorithm, value hex}   | spec.signature.publicKey.content (b64 PEM) |
 * | hashedrekord 0.0.2    | spec.hashedRekordV002.data {algorithm, digest b64} | …signature.verifier {x509Certificate|publicKey}.rawBytes (b64 DER) |
 * | intoto 0.0.1          | spec.content.payloadHash (statement)    | spec.publicKey (b64 PEM)                   |
 * | intoto 0.0.2          | spec.content.payloadHash (statement)    | …envelope.signatures[].publicKey (b64 PEM); `sig` is base64 *of the base64* signature |
 * | dsse 0.0.1            | spec.payloadHash (statement)            | spec.signatures[].verifier (b64 PEM)       |
 * | dsse 0.0.2            | spec.dsseV002.payloadHash {algorithm, digest b64} | …signatures[].verifier (b64 DER)  |
 *
 * The DSSE payload itself is not in the log (only its hash), so in-toto subjects come from
 * bundles (see in-toto.ts). Any other kind (rekord, jar, rpm, helm, …) is returned as `known:
 * false` with its raw JSON so the entry is still stored.
 */
import { SigtrailError, messageOf } from '../errors.js';
import { digestString, fromBase64, fromHex, hashName } from './bytes.js';

export type Verifier = { type: 'cert' | 'key'; der: Buffer };

export interface BodySignature {
  signature: Buffer | null;
  verifier: Verifier | null;
}

export interface RekorBody {
  kind: string;
  apiVersion: string;
  /** The parsed body, kept as the row's raw evidence. */
  json: Record<string, unknown>;
  /** True for a kind/version decoded here. */
  known: boolean;
  /** Why a known kind could not be decoded (a malformed field), else null. */
  problem: string | null;
  /** `<alg>:<hex>` of the signed artefact (hashedrekord). */
  artifactDigest: string | null;
  /** `<alg>:<hex>` of the DSSE payload / in-toto statement (dsse, intoto). */
  payloadDigest: string | null;
  signatures: BodySignature[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows a path of keys; undefined when any step is missing. */
function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function invalid(message: string): SigtrailError {
  return new SigtrailError('VERIFICATION', message);
}

/** `{algorithm, value}` with a hex value (v1 kinds). */
function hexDigest(h: unknown, what: string): string | null {
  const alg = str(at(h, 'algorithm'));
  const value = str(at(h, 'value'));
  if (!alg || !value) return null;
  const name = hashName(alg);
  if (!name) throw invalid(`${what} uses unknown hash algorithm ${alg.slice(0, 20)}`);
  return digestString(name, fromHex(value, `${what}.value`));
}

/** `{algorithm: SHA2_256, digest: base64}` (Rekor v2 kinds). */
function b64Digest(h: unknown, what: string): string | null {
  const alg = str(at(h, 'algorithm'));
  const digest = str(at(h, 'digest'));
  if (!alg || !digest) return null;
  const name = hashName(alg);
  if (!name) throw invalid(`${what} uses unknown hash algorithm ${alg.slice(0, 20)}`);
  return digestString(name, fromBase64(digest, `${what}.digest`));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*?)-----END \1-----/;

/** base64(PEM) as v1 bodies carry keys and certificates → the first block's DER. */
export function verifierFromB64Pem(b64: unknown, what: string): Verifier | null {
  const text = str(b64);
  if (!text) return null;
  const pem = fromBase64(text, what).toString('utf8');
  const m = PEM_BLOCK.exec(pem);
  if (!m) throw invalid(`${what} is not a PEM certificate or public key`);
  const label = m[1];
  const der = fromBase64(m[2], `${what} PEM body`);
  if (label === 'CERTIFICATE') return { type: 'cert', der };
  if (label === 'PUBLIC KEY') return { type: 'key', der };
  throw invalid(`${what} holds a PEM ${label.slice(0, 30)}, not a certificate or public key`);
}

/** Rekor v2 `verifier: {x509Certificate: {rawBytes}} | {publicKey: {rawBytes}}` (base64 DER). */
function verifierFromV2(v: unknown, what: string): Verifier | null {
  const cert = str(at(v, 'x509Certificate', 'rawBytes'));
  if (cert) return { type: 'cert', der: fromBase64(cert, `${what}.x509Certificate.rawBytes`) };
  const key = str(at(v, 'publicKey', 'rawBytes'));
  if (key) return { type: 'key', der: fromBase64(key, `${what}.publicKey.rawBytes`) };
  return null;
}

function b64OrNull(v: unknown, what: string): Buffer | null {
  const s = str(v);
  return s ? fromBase64(s, what) : null;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

type Decoded = Pick<RekorBody, 'artifactDigest' | 'payloadDigest' | 'signatures'>;

const DECODERS: Readonly<Record<string, (spec: unknown) => Decoded>> = {
  'hashedrekord/0.0.1': (spec) => ({
    artifactDigest: hexDigest(at(spec, 'data', 'hash'), 'spec.data.hash'),
    payloadDigest: null,
    signatures: [{
      signature: b64OrNull(at(spec, 'signature', 'content'), 'spec.signature.content'),
      verifier: verifierFromB64Pem(at(spec, 'signature', 'publicKey', 'content'), 'spec.signature.publicKey.content'),
    }],
  }),
  'hashedrekord/0.0.2': (spec) => {
    const v = at(spec, 'hashedRekordV002');
    return {
      artifactDigest: b64Digest(at(v, 'data'), 'spec.hashedRekordV002.data'),
      payloadDigest: null,
      signatures: [{
        signature: b64OrNull(at(v, 'signature', 'content'), 'spec.hashedRekordV002.signature.content'),
        verifier: verifierFromV2(at(v, 'signature', 'verifier'), 'spec.hashedRekordV002.signature.verifier'),
      }],
    };
  },
  'intoto/0.0.1': (spec) => ({
    artifactDigest: null,
    payloadDigest: hexDigest(at(spec, 'content', 'payloadHash'), 'spec.content.payloadHash'),
    signatures: [{ signature: null, verifier: verifierFromB64Pem(at(spec, 'publicKey'), 'spec.publicKey') }],
  }),
  'intoto/0.0.2': (spec) => ({
    artifactDigest: null,
    payloadDigest: hexDigest(at(spec, 'content', 'payloadHash'), 'spec.content.payloadHash'),
    signatures: list(at(spec, 'content', 'envelope', 'signatures')).map((s, i) => {
      const what = `spec.content.envelope.signatures[${i}]`;
      // Rekor stores base64 of the base64 text of the signature; some test logs encode it once.
      // Decoded once, a real signature is binary DER, never base64 text.
      const outer = b64OrNull(at(s, 'sig'), `${what}.sig`);
      const text = outer?.toString('latin1') ?? '';
      return {
        signature: outer && /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? fromBase64(text, `${what}.sig (inner base64)`) : outer,
        verifier: verifierFromB64Pem(at(s, 'publicKey'), `${what}.publicKey`),
      };
    }),
  }),
  'dsse/0.0.1': (spec) => ({
    artifactDigest: null,
    payloadDigest: hexDigest(at(spec, 'payloadHash'), 'spec.payloadHash'),
    signatures: list(at(spec, 'signatures')).map((s, i) => ({
      signature: b64OrNull(at(s, 'signature'), `spec.signatures[${i}].signature`),
      verifier: verifierFromB64Pem(at(s, 'verifier'), `spec.signatures[${i}].verifier`),
    })),
  }),
  'dsse/0.0.2': (spec) => {
    const v = at(spec, 'dsseV002');
    return {
      artifactDigest: null,
      payloadDigest: b64Digest(at(v, 'payloadHash'), 'spec.dsseV002.payloadHash'),
      signatures: list(at(v, 'signatures')).map((s, i) => ({
        signature: b64OrNull(at(s, 'content'), `spec.dsseV002.signatures[${i}].content`),
        verifier: verifierFromV2(at(s, 'verifier'), `spec.dsseV002.signatures[${i}].verifier`),
      })),
    };
  },
};

/** Kind/version pairs decoded here, e.g. `hashedrekord/0.0.1`. */
export const KNOWN_KINDS: readonly string[] = Object.keys(DECODERS);

/**
 * Parses a canonical body. Throws a VERIFICATION error when it is not a JSON object with a kind
 * and apiVersion; a known kind with a malformed field comes back with `problem` naming the field.
 */
export function decodeBody(body: Buffer): RekorBody {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('body is not JSON');
  }
  if (!isObj(json)) throw invalid('body is not a JSON object');
  const kind = str(json.kind);
  const apiVersion = str(json.apiVersion);
  if (!kind || !apiVersion) throw invalid('body has no kind or apiVersion');
  const decoder = DECODERS[`${kind}/${apiVersion}`];
  const empty = { artifactDigest: null, payloadDigest: null, signatures: [] };
  if (!decoder) return { kind, apiVersion, json, known: false, problem: null, ...empty };
  try {
    return { kind, apiVersion, json, known: true, problem: null, ...decoder(json.spec) };
  } catch (e) {
    return { kind, apiVersion, json, known: true, problem: messageOf(e), ...empty };
  }
}
