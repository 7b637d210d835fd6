import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SigtrailError } from '../../src/errors.js';
import { decodeBody, KNOWN_KINDS } from '../../src/sigstore/body.js';
import { signerOf } from '../../src/sigstore/signer.js';
import {
  canonicalBody, createFulcioCa, emailIdentity, inTotoStatement, keySigner, keylessSigner, otherKindBody, signHashedrekord, signInToto, spkiSha256,
} from '../fixtures/sigstore.js';
import { realdata } from '../helpers/paths.js';

function bodyOf(dir: string, file: string): Buffer {
  const b = JSON.parse(fs.readFileSync(realdata('sigstore', dir, file), 'utf8')) as { verificationMaterial: { tlogEntries: { canonicalizedBody: string }[] } };
  return Buffer.from(b.verificationMaterial.tlogEntries[0].canonicalizedBody, 'base64');
}

describe('Rekor bodies from the real bundles', () => {
  it('hashedrekord 0.0.1: artefact digest and the certificate (base64 of a PEM)', () => {
    const b = decodeBody(bodyOf('bundles', 'py_Python-3.12.5.tgz.sigstore.json'));
    expect(b).toMatchObject({ kind: 'hashedrekord', apiVersion: '0.0.1', known: true, problem: null });
    expect(b.artifactDigest).toBe('sha256:38dc4e2c261d49c661196066edbfb70fdb16be4a79cc8220c224dfeb5636d405');
    expect(b.signatures[0].verifier!.type).toBe('cert');
    expect(signerOf(b.signatures[0].verifier!).cert!.san).toBe('thomas@python.org');
  });

  it('hashedrekord 0.0.1 with a bare public key (managed key): key fingerprint, no certificate', () => {
    const b = decodeBody(bodyOf('conformance', 'conf_managed-key-happy-path.sigstore.json'));
    const s = signerOf(b.signatures[0].verifier!);
    expect(s.kind).toBe('key');
    expect(s.cert).toBeNull();
    expect(s.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashedrekord 0.0.2 (Rekor v2): base64 digest and DER certificate', () => {
    const b = decodeBody(bodyOf('bundles', 'py_staging-rekor-v2.txt.sigstore.json'));
    expect(b.artifactDigest).toBe('sha256:15f67246115921bb7c1de0e7e9e9275c8016dc254a0c009888944b7ed3644aaa');
    expect(signerOf(b.signatures[0].verifier!).cert!.san).toBe('jku@goto.fi');
  });

  it('intoto 0.0.2: payload hash, and the double-base64 signature decoded to DER', () => {
    const b = decodeBody(bodyOf('bundles', 'go_sigstore.js@2.0.0-provenance.sigstore.json'));
    expect(b.payloadDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.signatures[0].signature![0]).toBe(0x30); // an ASN.1 SEQUENCE, not base64 text
  });

  it('dsse 0.0.1: payload hash and verifier', () => {
    const b = decodeBody(bodyOf('bundles', 'cosign_oci-attestation.sigstore.json'));
    expect(b).toMatchObject({ kind: 'dsse', apiVersion: '0.0.1', known: true });
    expect(b.payloadDigest).toBe('sha256:15692616e9c435907c41411466e493f195a39ca68c973a4f5390df3d301398bd');
    expect(signerOf(b.signatures[0].verifier!).cert!.san).toBe('cody@soyland.com');
  });
});

describe('Rekor bodies the real data lacks (generated)', () => {
  const statement = inTotoStatement([{ name: 'app.tgz', digest: { sha256: 'ab'.repeat(32) } }]);

  it('intoto 0.0.1 stores only hashes and the key', () => {
    const signer = keySigner();
    const b = decodeBody(signInToto(signer, statement, 'intoto/0.0.1').body);
    expect(b).toMatchObject({ kind: 'intoto', apiVersion: '0.0.1', known: true, problem: null });
    expect(signerOf(b.signatures[0].verifier!).keyFingerprint).toBe(spkiSha256(signer.publicKeyDer));
  });

  it('dsse 0.0.2 (Rekor v2): base64 payload digest and DER verifier', async () => {
    const signer = await keylessSigner(await createFulcioCa(), emailIdentity('v2@example.com'));
    const body = canonicalBody({
      apiVersion: '0.0.2', kind: 'dsse',
      spec: { dsseV002: {
        payloadHash: { algorithm: 'SHA2_256', digest: Buffer.alloc(32, 7).toString('base64') },
        signatures: [{ content: Buffer.from('sig').toString('base64'), verifier: { keyDetails: 'PKIX_ECDSA_P256_SHA_256', x509Certificate: { rawBytes: signer.certDer!.toString('base64') } } }],
      } },
    });
    const b = decodeBody(body);
    expect(b.payloadDigest).toBe(`sha256:${'07'.repeat(32)}`);
    expect(signerOf(b.signatures[0].verifier!).cert!.san).toBe('v2@example.com');
  });

  it('keeps an unknown kind as raw JSON, marked unknown', () => {
    const b = decodeBody(otherKindBody('rekord'));
    expect(b).toMatchObject({ kind: 'rekord', known: false, signatures: [] });
    expect(b.json.spec).toBeDefined();
    expect(KNOWN_KINDS).not.toContain('rekord/0.0.1');
  });

  it('reports a malformed field of a known kind as a problem naming the field', () => {
    const good = JSON.parse(signHashedrekord(keySigner(), Buffer.from('a')).body.toString()) as { spec: { signature: { publicKey: { content: string } } } };
    good.spec.signature.publicKey.content = Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----').toString('base64');
    expect(decodeBody(canonicalBody(good)).problem).toMatch(/spec.signature.publicKey.content holds a PEM PGP PUBLIC KEY BLOCK/);
  });

  it('throws a VERIFICATION error for a body that is not a Rekor body', () => {
    for (const text of ['not json', '[1,2]', '{"spec":{}}']) {
      expect(() => decodeBody(Buffer.from(text))).toThrow(SigtrailError);
    }
  });
});
