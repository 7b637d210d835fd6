/**
 * Synthetic Rekor v1 API entries (`{"<uuid>":{body,integratedTime,logID,logIndex,verification}}`
 * per line), shaped like ../shared/realdata/sigstore/rekor_v1_api/*.json and internally
 * consistent, so an adapter that decodes and checks them does its full work:
 *
 * - `body` is a canonical hashedrekord 0.0.1 whose signature verifies over the artefact with the
 *   Fulcio-style certificate in `publicKey.content` (base64 PEM, SAN URI of a release workflow,
 *   Fulcio extensions .1 raw and .8/.9/.12/.14/.21 as DER UTF8String);
 * - the uuid is the RFC 6962 leaf hash of the body, `inclusionProof` is a real Merkle path to the
 *   tree of size logIndex + 1 with a signed-note checkpoint, and `signedEntryTimestamp` is an
 *   ECDSA signature over the canonical entry — by a benchmark log key, not Rekor's, so a verifier
 *   that trusts only the public-good root reports them as unverified rather than valid.
 */
import crypto from 'node:crypto';
import './reflect.js';
import * as x509 from '@peculiar/x509';
import type { Random } from '../random.js';

const REPOS = ['acme/ledger', 'acme/app', 'acme/sdk-js', 'acme/sdk-go'];
const ISSUER = 'https://token.actions.githubusercontent.com';
const ORIGIN = 'rekor.bench.local - 1193050959916656506';
/** Certificates in the pool; each covers a contiguous run of entries, as a release job signs a batch. */
const POOL = 256;

interface Signer {
  key: crypto.KeyObject;
  pemB64: string;
}

export interface RekorPool {
  signers: Signer[];
  logKey: crypto.KeyObject;
  logId: string;
  keyHint: Buffer;
  /** Compact Merkle range (perfect subtree roots, largest first) of the entries emitted so far. */
  stack: { size: number; hash: Buffer }[];
}

function derUtf8(s: string): ArrayBuffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 127) throw new Error('extension value too long for the short form');
  return new Uint8Array(Buffer.concat([Buffer.from([0x0c, b.length]), b])).buffer;
}

function raw(s: string): ArrayBuffer {
  return new Uint8Array(Buffer.from(s, 'utf8')).buffer;
}

/** Signing certificates and the log key; generated once per data set (about a second). */
export async function rekorPool(r: Random): Promise<RekorPool> {
  const subtle = crypto.webcrypto.subtle;
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const ca = await subtle.generateKey(alg, true, ['sign', 'verify']);
  const signers: Signer[] = [];
  for (let i = 0; i < POOL; i++) {
    const keys = await subtle.generateKey(alg, true, ['sign', 'verify']);
    const repo = r.pick(REPOS);
    const ref = `refs/tags/v1.${i % 40}.${r.int(10)}`;
    const san = `https://github.com/${repo}/.github/workflows/release.yml@${ref}`;
    const run = `https://github.com/${repo}/actions/runs/${9_000_000_000 + r.int(1_000_000)}/attempts/1`;
    const sha = r.hex(40);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: r.hex(40),
      issuer: 'O=sigstore.dev, CN=sigstore-intermediate',
      subject: '',
      notBefore: new Date(Date.UTC(2025, 0, 1)),
      notAfter: new Date(Date.UTC(2025, 0, 1, 0, 10)),
      publicKey: keys.publicKey,
      signingKey: ca.privateKey,
      signingAlgorithm: alg,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.3']),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: san }], true),
        new x509.Extension('1.3.6.1.4.1.57264.1.1', false, raw(ISSUER)),
        new x509.Extension('1.3.6.1.4.1.57264.1.8', false, derUtf8(ISSUER)),
        new x509.Extension('1.3.6.1.4.1.57264.1.9', false, derUtf8(san)),
        new x509.Extension('1.3.6.1.4.1.57264.1.10', false, derUtf8(sha)),
        new x509.Extension('1.3.6.1.4.1.57264.1.11', false, derUtf8('github-hosted')),
        new x509.Extension('1.3.6.1.4.1.57264.1.12', false, derUtf8(`https://github.com/${repo}`)),
        new x509.Extension('1.3.6.1.4.1.57264.1.13', false, derUtf8(sha)),
        new x509.Extension('1.3.6.1.4.1.57264.1.14', false, derUtf8(ref)),
        new x509.Extension('1.3.6.1.4.1.57264.1.20', false, derUtf8('push')),
        new x509.Extension('1.3.6.1.4.1.57264.1.21', false, derUtf8(run)),
      ],
    });
    const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
    signers.push({
      key: crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
      pemB64: Buffer.from(cert.toString('pem') + '\n').toString('base64'),
    });
  }
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const logIdBytes = crypto.createHash('sha256').update(spki).digest();
  return { signers, logKey: privateKey, logId: logIdBytes.toString('hex'), keyHint: logIdBytes.subarray(0, 4), stack: [] };
}

const sha256 = (...parts: Buffer[]): Buffer => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** Keys sorted, no whitespace: the canonical JSON Rekor signs (and the SET covers). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Entry `i` (log index i, integrated at `ms`); must be called with i = 0, 1, 2 … in order. */
export function rekorEntry(r: Random, pool: RekorPool, i: number, ms: number): Record<string, unknown> {
  const signer = pool.signers[Math.floor((i / 97) % POOL)];
  const artifact = Buffer.from(`acme release artefact ${i} ${r.hex(16)}`);
  const body = Buffer.from(canonical({
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: sha256(artifact).toString('hex') } },
      signature: { content: crypto.sign('sha256', artifact, signer.key).toString('base64'), publicKey: { content: signer.pemB64 } },
    },
  }));
  const leaf = sha256(LEAF, body);
  // Inclusion in the tree of size i + 1: the leaf is last, its path is the compact range so far.
  const hashes = [...pool.stack].reverse().map((s) => s.hash);
  let root = leaf;
  for (const h of hashes) root = sha256(NODE, h, root);
  pool.stack.push({ size: 1, hash: leaf });
  while (pool.stack.length >= 2 && pool.stack[pool.stack.length - 1].size === pool.stack[pool.stack.length - 2].size) {
    const right = pool.stack.pop()!;
    const left = pool.stack.pop()!;
    pool.stack.push({ size: left.size * 2, hash: sha256(NODE, left.hash, right.hash) });
  }
  const integratedTime = Math.floor(ms / 1000);
  const note = `${ORIGIN}\n${i + 1}\n${root.toString('base64')}\n`;
  const noteSig = crypto.sign('sha256', Buffer.from(note), pool.logKey);
  const entry = { body: body.toString('base64'), integratedTime, logID: pool.logId, logIndex: i };
  const set = crypto.sign('sha256', Buffer.from(canonical(entry)), pool.logKey).toString('base64');
  return {
    [leaf.toString('hex')]: {
      ...entry,
      verification: {
        inclusionProof: {
          checkpoint: `${note}\n\u2014 rekor.bench.local ${Buffer.concat([pool.keyHint, noteSig]).toString('base64')}\n`,
          hashes: hashes.map((h) => h.toString('hex')),
          logIndex: i,
          rootHash: root.toString('hex'),
          treeSize: i + 1,
        },
        signedEntryTimestamp: set,
      },
    },
  };
}
