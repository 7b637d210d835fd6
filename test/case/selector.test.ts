import { describe, expect, it } from 'vitest';
import { globMatch, globToLike } from '../../src/case/glob.js';
import { parseSelector, selectorPatterns } from '../../src/case/selector.js';
import { UsageError } from '../../src/errors.js';

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).code).toBe('USAGE');
    return e as UsageError;
  }
  throw new Error('expected a usage error');
}

const FP = '3f1c5b2a9d8e7f60a1b2c3d4e5f607182093a4b5c6d7e8f90112233445566778'.slice(0, 64);

describe('parseSelector', () => {
  it('reads every kind and keeps what the user wrote as text', () => {
    expect(parseSelector(`fp:${FP}`)).toEqual({ kind: 'fp', value: FP, text: `fp:${FP}` });
    expect(parseSelector('kms:alias/release').kind).toBe('kms');
    expect(parseSelector('vault:release-signing').value).toBe('release-signing');
    expect(parseSelector('secret:COSIGN_KEY').value).toBe('COSIGN_KEY');
    expect(parseSelector('identity:https://github.com/acme/*/.github/workflows/release.yml@refs/tags/*').kind).toBe('identity');
  });

  it('normalises fingerprints written as sha256:AB:CD… to lower-case hex', () => {
    const colons = FP.toUpperCase().match(/../g)!.join(':');
    expect(parseSelector(`fp:sha256:${colons}`).value).toBe(FP);
  });

  describe('when a selector is malformed', () => {
    it.each([
      ['COSIGN_KEY', /does not start with a selector kind/],
      ['gpg:ABCDEF', /does not start with a selector kind/],
      ['fp:', /names no key/],
      ['secret:*', /names no key/],
      ['fp:abc', /64 hex digits, this has 3/],
      ['fp:zz' + 'a'.repeat(62), /hex/],
      ['fp:abc*', /at least 8 hex digits/],
      ['vault:transit key', /letters, digits/],
      ['kms:alias/has space', /whitespace/],
      ['secret:a\u001bb', /control characters/],
    ])('refuses %j as a usage error naming the field', (text, why) => {
      const e = usage(() => parseSelector(text, 'keys[3]'));
      expect(e.message).toMatch(/^keys\[3\]/);
      expect(e.message).toMatch(why);
    });

    it('refuses a non-string (a case file with a number in keys)', () => {
      expect(usage(() => parseSelector(42, 'case.json: "keys[0]"')).message).toMatch(/"keys\[0\]" must be a string/);
    });
  });
});

describe('selectorPatterns: one key, every spelling', () => {
  const pats = (s: string) => selectorPatterns(parseSelector(s)).map((p) => [p.kind, p.pattern, p.ci]);

  it('matches an AWS key id against key ARNs in any region and account, and as given', () => {
    expect(pats('kms:1234abcd-12ab-34cd-56ef-1234567890ab')).toEqual([
      ['key', 'arn:aws%:kms:%:%:key/1234abcd-12ab-34cd-56ef-1234567890ab', false],
      ['key', '1234abcd-12ab-34cd-56ef-1234567890ab', false],
    ]);
  });

  it('resolves an alias through the events that name it (alias pattern) as well as alias ARNs', () => {
    expect(pats('kms:alias/release')).toEqual([['key', 'arn:aws%:kms:%:%:alias/release', false], ['alias', 'alias/release', false]]);
    expect(pats('kms:arn:aws:kms:us-east-1:111122223333:alias/release')).toEqual([
      ['key', 'arn:aws:kms:us-east-1:111122223333:alias/release', false], ['alias', 'alias/release', false],
    ]);
  });

  it('names the cryptoKey for a GCP cryptoKeyVersion (and the //cloudkms form)', () => {
    const key = 'projects/p/locations/global/keyRings/r/cryptoKeys/release';
    expect(pats(`kms:${key}/cryptoKeyVersions/3`)).toEqual([['key', key, false]]);
    expect(pats(`kms://cloudkms.googleapis.com/${key}`)).toEqual([['key', key, false]]);
  });

  it('drops the version of an Azure key URI and compares case-insensitively', () => {
    expect(pats('kms:https://Acme-Vault.vault.azure.net/keys/Release/0123456789abcdef')).toEqual([
      ['key', 'https://acme-vault.vault.azure.net/keys/release', true],
    ]);
  });

  it('maps a Vault transit key to vault:<name>', () => {
    expect(pats('vault:release')).toEqual([['key', 'vault:release', false]]);
  });

  it('names a Secrets Manager secret by name (ARN suffix dropped), a GCP secret without version, a KV v2 path both ways', () => {
    expect(pats('secret:arn:aws:secretsmanager:us-east-1:111122223333:secret:release/cosign-key-AbCdEf')).toEqual([['secret', 'release/cosign-key', false]]);
    expect(pats('secret:projects/p/secrets/cosign/versions/4')).toEqual([['secret', 'projects/p/secrets/cosign', false]]);
    expect(pats('secret:kv/data/release/cosign')).toEqual([['secret', 'kv/data/release/cosign', false], ['secret', 'kv/release/cosign', false]]);
  });

  it('escapes LIKE metacharacters so that a _ in a secret name matches only itself', () => {
    expect(pats('secret:COSIGN_KEY')).toEqual([['secret', 'COSIGN\\_KEY', false]]);
  });
});

describe('globs', () => {
  it('translate * only, escaping % _ and \\', () => {
    expect(globToLike('refs/tags/v*')).toBe('refs/tags/v%');
    expect(globToLike('a%b_c\\d*')).toBe('a\\%b\\_c\\\\d%');
  });

  it('match in JavaScript as in SQL', () => {
    expect(globMatch('https://github.com/acme/*/.github/workflows/release.yml@refs/tags/*', 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1')).toBe(true);
    expect(globMatch('refs/tags/v*', 'refs/heads/v1')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });
});
