// The cryptographic building blocks of the samples generator, checked against published test
// vectors and independent implementations (node:crypto, @sigstore/core).
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import {
  P256, P384, deriveKey, fingerprint, privateKeyObject, publicKeyObject, signHash, signMessage, spkiDer, toDer, verifyHash, type EcKey,
} from '../samples/generator/ecdsa.js';
import { Rng } from '../samples/generator/random.js';
import { TransparencyLog, leafHash, rootFromProof } from '../samples/generator/rekor.js';
import { createCertificateAuthority, derUtf8String, issueFulcioCertificate, workflowSan, type GitHubWorkflowIdentity } from '../samples/generator/sigstore.js';

const hex = (v: bigint): string => v.toString(16).toUpperCase().padStart(64, '0');

describe('deterministic ECDSA (RFC 6979)', () => {
  it('reproduces the RFC 6979 A.2.5 vector for P-256/SHA-256 and message "sample"', () => {
    const key: EcKey = {
      curve: P256,
      d: 0xc9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721n,
      x: 0x60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6n,
      y: 0x7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299n,
    };
    const sig = signHash(key, createHash('sha256').update('sample').digest());
    expect(hex(sig.r)).toBe('EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716');
    expect(hex(sig.s)).toBe('F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8');
  });

  it('reproduces the RFC 6979 A.2.6 vector for P-384/SHA-384 and message "sample"', () => {
    const key: EcKey = { curve: P384, d: 0x6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5n, x: 0n, y: 0n };
    const sig = signHash(key, createHash('sha384').update('sample').digest());
    expect(sig.r.toString(16)).toBe('94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46');
    expect(sig.s.toString(16)).toBe('99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8');
  });

  it.each([P256, P384])('signs so that node:crypto verifies, and verifies what node:crypto signs (%s)', (curve) => {
    const key = deriveKey(curve, `test key ${curve.name}`);
    const msg = Buffer.from('ledger_1.4.0_linux_amd64.tar.gz');
    expect(verify(curve.hash, msg, publicKeyObject(key), signMessage(key, msg))).toBe(true);
    const raw = sign(curve.hash, msg, { key: privateKeyObject(key), dsaEncoding: 'ieee-p1363' });
    const r = BigInt(`0x${raw.subarray(0, curve.bytes).toString('hex')}`);
    const s = BigInt(`0x${raw.subarray(curve.bytes).toString('hex')}`);
    const digest = createHash(curve.hash).update(msg).digest();
    expect(verifyHash(curve, key, digest, { r, s })).toBe(true);
    expect(verifyHash(curve, key, digest, { r, s: s + 1n })).toBe(false);
  });

  it('gives the same key and signature for the same seed, and different ones otherwise', () => {
    const a = deriveKey(P256, 'seed');
    expect(deriveKey(P256, 'seed')).toEqual(a);
    expect(deriveKey(P256, 'seed 2').d).not.toBe(a.d);
    const digest = createHash('sha256').update('x').digest();
    expect(toDer(signHash(a, digest))).toEqual(toDer(signHash(a, digest)));
  });

  it('fingerprints a key as the hex SHA-256 of its DER SubjectPublicKeyInfo', () => {
    const key = deriveKey(P256, 'fp');
    const der = createPublicKey(publicKeyObject(key).export({ type: 'spki', format: 'pem' })).export({ type: 'spki', format: 'der' });
    expect(fingerprint(key)).toBe(createHash('sha256').update(der).digest('hex'));
    expect(spkiDer(key)).toEqual(der);
  });
});

describe('the demo transparency log', () => {
  it('produces inclusion proofs that RFC 9162 verification accepts for every leaf of every tree size', () => {
    const log = new TransparencyLog(
      { key: deriveKey(P256, 'log'), origin: 'log.test', baseUrl: 'https://log.test', treeId: 42n, shardOffset: 1000 },
      new Rng('filler'),
    );
    const entries = Array.from({ length: 9 }, (_, i) => log.append(Buffer.from(`entry ${i}`), 1_700_000_000 + i, i % 3));
    for (let size = 1; size <= log.size; size++) {
      for (const e of entries.filter((x) => x.treeIndex < size)) {
        const p = log.proof(e, size, 0n);
        expect(rootFromProof(leafHash(Buffer.from(`entry ${entries.indexOf(e)}`)), e.treeIndex, size, p.hashes)).toEqual(log.root(size));
      }
    }
    expect(entries[3].logIndex).toBe(1000 + entries[3].treeIndex);
    expect(entries[3].uuid).toBe(`000000000000002a${entries[3].leafHash.toString('hex')}`);
  });

  it('rejects a proof for the wrong leaf', () => {
    const log = new TransparencyLog({ key: deriveKey(P256, 'log'), origin: 'o', baseUrl: 'u', treeId: 1n, shardOffset: 0 }, new Rng('f'));
    const a = log.append(Buffer.from('a'), 1, 0);
    log.append(Buffer.from('b'), 2, 5);
    const p = log.proof(a, log.size, 0n);
    expect(rootFromProof(leafHash(Buffer.from('not a')), a.treeIndex, log.size, p.hashes)).not.toEqual(log.root(log.size));
  });
});

describe('Fulcio certificates', () => {
  const identity: GitHubWorkflowIdentity = {
    issuer: 'https://token.actions.githubusercontent.com', repository: 'acme/ledger', repositoryId: 612384907, ownerId: 88442211, visibility: 'public',
    workflowPath: '.github/workflows/release.yml', workflowName: 'Release', ref: 'refs/tags/v9.9.9', sha: 'a'.repeat(40), event: 'push',
    runId: 17000000001, attempt: 2, runnerEnvironment: 'github-hosted',
  };

  it('chain to the CA and carry the SAN and Fulcio extensions in their real encodings', async () => {
    const ca = await createCertificateAuthority({
      rootKey: deriveKey(P384, 'r'), intermediateKey: deriveKey(P384, 'i'), organization: 'test', rootName: 'root', intermediateName: 'int',
      uri: 'https://fulcio.test', notBefore: new Date('2025-01-01T00:00:00Z'), rootSerial: '01', intermediateSerial: '02',
    });
    const der = await issueFulcioCertificate(ca, deriveKey(P256, 'leaf'), identity, new Date('2025-09-02T14:00:00Z'), '3f00aa');
    const cert = X509Certificate.parse(Buffer.from(der));
    const intermediate = X509Certificate.parse(Buffer.from(ca.intermediate.rawData));
    expect(cert.verify(intermediate)).toBe(true);
    expect(intermediate.verify(X509Certificate.parse(Buffer.from(ca.root.rawData)))).toBe(true);
    expect(cert.extSubjectAltName?.uri).toBe('https://github.com/acme/ledger/.github/workflows/release.yml@refs/tags/v9.9.9');
    expect(cert.extSubjectAltName?.critical).toBe(true);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(10 * 60_000);
    // .1–.6 are raw UTF-8; .8 and above are DER UTF8String.
    expect(cert.extension('1.3.6.1.4.1.57264.1.6')?.value.toString()).toBe('refs/tags/v9.9.9');
    expect(cert.extension('1.3.6.1.4.1.57264.1.9')?.value).toEqual(derUtf8String(workflowSan(identity)));
    expect(cert.extension('1.3.6.1.4.1.57264.1.21')?.value).toEqual(derUtf8String('https://github.com/acme/ledger/actions/runs/17000000001/attempts/2'));
    // Byte-reproducible: issuing again gives the same certificate.
    expect(await issueFulcioCertificate(ca, deriveKey(P256, 'leaf'), identity, new Date('2025-09-02T14:00:00Z'), '3f00aa')).toEqual(der);
  });
});
