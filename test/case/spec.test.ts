import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCase, loadCaseFile, parseCaseDocument, parseTime } from '../../src/case/spec.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/paths.js';

const FP = 'ab'.repeat(32);

/** SPEC.md's example case file, with a full fingerprint. */
const SPEC_EXAMPLE = {
  name: 'ledger release key leak',
  keys: [`fp:${FP}`, 'secret:COSIGN_KEY', 'secret:release/cosign-key'],
  expected: {
    workflows: ['acme/ledger/.github/workflows/release.yml'],
    refs: ['refs/tags/v*'],
    identities: ['https://github.com/acme/*/.github/workflows/release.yml@refs/tags/*'],
    issuers: ['https://token.actions.githubusercontent.com'],
    principals: ['arn:aws:iam::111122223333:role/secret-sync'],
  },
  window: { from: null, to: null },
};

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
}

function writeCase(doc: unknown): string {
  const p = path.join(tempDir(), 'case.json');
  fs.writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return p;
}

describe('case files', () => {
  it('reads the SPEC.md example', () => {
    const c = loadCaseFile(writeCase(SPEC_EXAMPLE));
    expect(c.name).toBe('ledger release key leak');
    expect(c.keys.map((k) => k.text)).toEqual(SPEC_EXAMPLE.keys);
    expect(c.expected).toEqual(SPEC_EXAMPLE.expected);
    expect(c.window).toEqual({ from: null, to: null });
  });

  it('reads window overrides as UTC', () => {
    const c = parseCaseDocument({ keys: [`fp:${FP}`], window: { from: '2025-03-10T14:00:00+02:00', to: '2025-03-11' } });
    expect(c.window).toEqual({ from: '2025-03-10T12:00:00.000Z', to: '2025-03-11T00:00:00.000Z' });
  });

  describe('when the case file is wrong, the usage error names the field', () => {
    it.each([
      [{ keys: ['nope'] }, /"keys\[0\]" "nope" does not start with a selector kind/],
      [{ keys: `fp:${FP}` }, /"keys" must be a list of selectors/],
      [{}, /"keys" must be a list/],
      [{ keys: [`fp:${FP}`], expected: { refs: ['refs/tags/v*', 7] } }, /"expected.refs\[1\]" must be a string/],
      [{ keys: [`fp:${FP}`], expected: { workflow: ['x'] } }, /unknown field "expected.workflow"/],
      [{ keys: [`fp:${FP}`], expected: { refs: 'refs/tags/v*' } }, /"expected.refs" must be a list of strings/],
      [{ keys: [`fp:${FP}`], windw: {} }, /unknown field "windw"/],
      [{ keys: [`fp:${FP}`], window: { from: 'last tuesday' } }, /"window.from" "last tuesday" is not an ISO-8601 time/],
      [{ keys: [`fp:${FP}`], window: { start: '2025-01-01' } }, /unknown field "window.start"/],
      [{ keys: [`fp:${FP}`], window: { from: '2025-02-01', to: '2025-01-01' } }, /from .* is after to/],
      [[1, 2], /must be a JSON object/],
    ])('%j', (doc, why) => {
      expect(usageMessage(() => loadCaseFile(writeCase(doc)))).toMatch(why);
    });

    it('says where the JSON is broken', () => {
      expect(usageMessage(() => loadCaseFile(writeCase('{"keys": [}')))).toMatch(/is not valid JSON/);
    });

    it('says when the file cannot be read', () => {
      expect(usageMessage(() => loadCaseFile('/nonexistent/case.json'))).toMatch(/cannot read case file/);
    });
  });
});

describe('buildCase', () => {
  it('merges --key and --expect-* flags into the case file, without duplicates', () => {
    const c = buildCase({
      caseFile: writeCase(SPEC_EXAMPLE), keys: ['kms:alias/release', 'secret:COSIGN_KEY'],
      expect: { refs: ['refs/tags/release-*', 'refs/tags/v*'], principals: ['arn:aws:iam::111122223333:role/release'] },
    });
    expect(c.keys.map((k) => k.text)).toEqual([...SPEC_EXAMPLE.keys, 'kms:alias/release']);
    expect(c.expected.refs).toEqual(['refs/tags/v*', 'refs/tags/release-*']);
    expect(c.expected.principals).toHaveLength(2);
  });

  it('needs at least one key', () => {
    expect(usageMessage(() => buildCase({}))).toMatch(/no key named/);
  });

  it('names the --expect flag that is wrong', () => {
    expect(usageMessage(() => buildCase({ keys: [`fp:${FP}`], expect: { refs: ['  '] } }))).toMatch(/--expect-ref #1 is empty/);
  });
});

describe('parseTime', () => {
  it.each([
    ['2025-03-10T14:00:00Z', '2025-03-10T14:00:00.000Z'],
    ['2025-03-10 14:00', '2025-03-10T14:00:00.000Z'],
    ['2025-03-10T14:00:00.123456789Z', '2025-03-10T14:00:00.123Z'],
    ['2025-03-10T14:00:00-0500', '2025-03-10T19:00:00.000Z'],
  ])('%s → %s', (v, iso) => expect(parseTime(v, '--from')).toBe(iso));

  it('refuses what Date.parse would guess at', () => {
    expect(usageMessage(() => parseTime('March 3, 2025', '--from'))).toMatch(/--from .* is not an ISO-8601 time/);
    expect(usageMessage(() => parseTime('2025-13-40', '--to'))).toMatch(/--to .* is not a valid time/);
  });
});
