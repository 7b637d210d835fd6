import fs from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { describe, expect, it } from 'vitest';
import { buildIdentity, runFromUri, workflowFromUri } from '../../src/sigstore/build-identity.js';
import { bundleCertificate } from '../../src/sigstore/consistency.js';
import { FULCIO_EXTENSIONS, certificateIdentity, decodeExtensionValue } from '../../src/sigstore/fulcio.js';
import {
  FULCIO_EXTENSION_ARCS, createFulcioCa, derUtf8String, emailIdentity, githubWorkflowIdentity, keylessSigner, spkiSha256,
} from '../fixtures/sigstore.js';
import { realdata } from '../helpers/paths.js';

function realCert(file: string): Buffer {
  const b = bundleFromJSON(JSON.parse(fs.readFileSync(realdata('sigstore', 'bundles', file), 'utf8')));
  return bundleCertificate(b)!;
}

describe('Fulcio identity of the real npm provenance certificate (sigstore@2.0.0)', () => {
  const id = certificateIdentity(realCert('go_sigstore.js@2.0.0-provenance.sigstore.json'));

  it('reads the SAN, issuer, serial and the 10-minute validity', () => {
    expect(id.san).toBe('https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main');
    expect(id.issuer).toBe('https://token.actions.githubusercontent.com');
    expect(id.serial).toBe('7ddff914df3c117e1bc29edced0e59ace5e0470e');
    expect(id.notAfter.getTime() - id.notBefore.getTime()).toBe(10 * 60 * 1000);
  });

  it('decodes every extension by name, without the DER tag bytes of .8+', () => {
    expect(id.extensions).toMatchObject({
      issuer_v1: 'https://token.actions.githubusercontent.com',
      github_workflow_trigger: 'push',
      github_workflow_sha: 'f0b49a04e5a62250e0f60fb128004a73110fe311',
      github_workflow_name: 'Release',
      github_workflow_repository: 'sigstore/sigstore-js',
      github_workflow_ref: 'refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
      build_signer_uri: 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main',
      runner_environment: 'github-hosted',
      source_repository_uri: 'https://github.com/sigstore/sigstore-js',
      source_repository_digest: 'f0b49a04e5a62250e0f60fb128004a73110fe311',
      source_repository_identifier: '495574555',
      source_repository_owner_uri: 'https://github.com/sigstore',
      source_repository_owner_identifier: '71096353',
      build_trigger: 'push',
      run_invocation_uri: 'https://github.com/sigstore/sigstore-js/actions/runs/5904696764/attempts/1',
      source_repository_visibility_at_signing: 'public',
    });
    // A naive read of a DER UTF8String leaves its tag and length in front: "\f+https://…".
    expect(Object.values(id.extensions).every((v) => /^[\x20-\x7e]+$/.test(v))).toBe(true);
  });

  it('derives repo, workflow, ref, commit and run from the extensions', () => {
    expect(buildIdentity(id.extensions, id.san)).toEqual({
      repo: 'sigstore/sigstore-js',
      workflow: 'sigstore/sigstore-js/.github/workflows/release.yml',
      ref: 'refs/heads/main',
      commit: 'f0b49a04e5a62250e0f60fb128004a73110fe311',
      runId: '5904696764',
      runAttempt: 1,
    });
  });
});

describe('Fulcio extensions encoded as Fulcio encodes them (generated certificates)', () => {
  it('reads .23 deployment environment and .24 token subject, and names every arc .1–.24 except .7', async () => {
    const ca = await createFulcioCa();
    const identity = githubWorkflowIdentity({
      repo: 'acme/ledger', workflow: 'release.yml', ref: 'refs/tags/v2.1.0', sha: 'c'.repeat(40), runId: '9911', attempt: 3, environment: 'production',
    });
    const signer = await keylessSigner(ca, identity);
    const id = certificateIdentity(signer.certDer!);
    expect(id.extensions).toEqual(identity.extensions);
    expect(id.extensions.deployment_environment).toBe('production');
    expect(id.extensions.token_subject).toBe('repo:acme/ledger:ref:refs/tags/v2.1.0');
    expect(id.keyFingerprint).toBe(spkiSha256(signer.publicKeyDer));
    expect(Object.keys(FULCIO_EXTENSIONS).map(Number)).toEqual(Object.values(FULCIO_EXTENSION_ARCS).sort((a, b) => a - b));
    expect(buildIdentity(id.extensions, id.san)).toMatchObject({ repo: 'acme/ledger', runId: '9911', runAttempt: 3, ref: 'refs/tags/v2.1.0' });
  });

  it('falls back to the deprecated .1 issuer (and .5/.6/.3) on a 2022-era certificate without .8+', async () => {
    const ca = await createFulcioCa();
    const signer = await keylessSigner(ca, {
      san: { uri: 'https://github.com/acme/old/.github/workflows/sign.yml@refs/heads/main' },
      extensions: {
        issuer_v1: 'https://token.actions.githubusercontent.com',
        github_workflow_trigger: 'workflow_dispatch',
        github_workflow_sha: 'd'.repeat(40),
        github_workflow_repository: 'acme/old',
        github_workflow_ref: 'refs/heads/main',
      },
    });
    const id = certificateIdentity(signer.certDer!);
    expect(id.issuer).toBe('https://token.actions.githubusercontent.com');
    expect(buildIdentity(id.extensions, id.san)).toEqual({
      repo: 'acme/old', workflow: 'acme/old/.github/workflows/sign.yml', ref: 'refs/heads/main', commit: 'd'.repeat(40), runId: null, runAttempt: null,
    });
  });

  it('reads an e-mail SAN', async () => {
    const signer = await keylessSigner(await createFulcioCa(), emailIdentity('dev@example.com'));
    expect(certificateIdentity(signer.certDer!)).toMatchObject({ san: 'dev@example.com', issuer: 'https://github.com/login/oauth' });
  });

  it('decodes .8+ as DER UTF8String but .1–.6 as raw bytes', () => {
    expect(decodeExtensionValue(8, derUtf8String('https://issuer.example'))).toBe('https://issuer.example');
    // A value longer than 127 bytes uses the long DER length form.
    const long = `https://github.com/acme/app/.github/workflows/${'x'.repeat(200)}.yml@refs/heads/main`;
    expect(decodeExtensionValue(9, derUtf8String(long))).toBe(long);
    expect(decodeExtensionValue(1, Buffer.from('https://issuer.example'))).toBe('https://issuer.example');
    // An issuer that wrote .8+ raw still yields the value rather than nothing.
    expect(decodeExtensionValue(8, Buffer.from('raw-value'))).toBe('raw-value');
  });

  it('rejects bytes that are not a certificate', () => {
    expect(() => certificateIdentity(Buffer.from('not a certificate'))).toThrow();
  });
});

describe('CI identity helpers', () => {
  it('parses GitHub and GitLab run URIs', () => {
    expect(runFromUri('https://github.com/o/r/actions/runs/123/attempts/2')).toEqual({ runId: '123', runAttempt: 2 });
    expect(runFromUri('https://github.com/o/r/actions/runs/123')).toEqual({ runId: '123', runAttempt: null });
    expect(runFromUri('https://gitlab.com/g/p/-/jobs/777')).toEqual({ runId: '777', runAttempt: null });
    expect(runFromUri('https://example.com/build/1')).toBeNull();
  });

  it('turns build config URIs into the workflow form case files use', () => {
    expect(workflowFromUri('https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1')).toBe('o/r/.github/workflows/release.yml');
    expect(workflowFromUri('https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main')).toBe('g/p/.gitlab-ci.yml');
  });
});
