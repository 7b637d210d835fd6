import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniff } from '../../src/ingest/sniff.js';
import { chooseAdapter } from '../../src/ingest/pipeline.js';
import { githubActions } from '../../src/sources/github-actions/index.js';
import { githubAudit } from '../../src/sources/github-audit/index.js';
import { gitlabAudit } from '../../src/sources/gitlab-audit/index.js';
import { REALDATA, ROOT } from '../helpers/paths.js';

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

const CI = [githubAudit, githubActions, gitlabAudit];
const expected = (p: string): string | undefined => {
  const rel = path.relative(REALDATA, p);
  if (rel.startsWith('gitlab/')) return 'gitlab-audit';
  if (rel.startsWith('github/webhooks_actions/') || rel.includes('GitHub_Webhook')) return 'github-actions';
  if (rel.startsWith('github/')) return 'github-audit';
  return undefined;
};

describe('CI adapter detection', () => {
  it.each(files(REALDATA).filter((p) => expected(p)).map((p) => [path.relative(REALDATA, p), p]))(
    'picks the right adapter for %s',
    (_rel, p) => {
      expect(chooseAdapter(sniff(p))?.id).toBe(expected(p));
    },
  );

  it.each(files(REALDATA).filter((p) => !expected(p)).map((p) => [path.relative(REALDATA, p), p]))(
    'claims no cloud, Vault or Sigstore file: %s',
    (_rel, p) => {
      const sample = sniff(p);
      for (const a of CI) expect(a.detect(sample)).toBe(false);
    },
  );

  // The CI fixture folders (test/fixtures/<adapter>/); builders (*.ts) and other folders are not inputs.
  const ciFixtures = ['github-audit', 'github-actions', 'gitlab']
    .map((d) => path.join(ROOT, 'test/fixtures', d))
    .filter((d) => fs.existsSync(d))
    .flatMap((d) => files(d))
    .filter((p) => !p.endsWith('.md'));
  it.each(ciFixtures.map((p) => [path.relative(ROOT, p), p]))(
    'reads the fixture %s with the adapter of its folder',
    (_rel, p) => {
      const folder = path.basename(path.dirname(p));
      expect(chooseAdapter(sniff(p))?.id).toBe(folder === 'gitlab' ? 'gitlab-audit' : folder);
    },
  );
});
