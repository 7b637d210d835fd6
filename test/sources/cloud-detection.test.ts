import { describe, expect, it } from 'vitest';
import { sniff } from '../../src/ingest/sniff.js';
import { walk } from '../../src/ingest/walk.js';
import { ADAPTERS } from '../../src/sources/registry.js';
import { REALDATA } from '../helpers/paths.js';

const MINE = new Map([['gcp', 'gcp-audit'], ['azure', 'azure'], ['vault', 'vault-audit']]);

function claimants(file: string): string[] {
  const s = sniff(file);
  return ADAPTERS.filter((a) => a.detect(s)).map((a) => a.id);
}

describe('cloud and vault detectors', () => {
  const files = walk([REALDATA]).files.filter((f) => /\.(json|ndjson|log|txt|gz|pub)$/.test(f));

  it.each(files.map((f) => [f.slice(REALDATA.length + 1)]))('%s is claimed by its own adapter only', (rel) => {
    const folder = rel.split('/')[0];
    const mine = [...MINE.values()];
    const claimed = claimants(`${REALDATA}/${rel}`).filter((id) => mine.includes(id));
    // GCP, Azure and Vault files go to their adapter; CloudTrail, GitHub, GitLab and Sigstore files to none of them.
    expect(claimed).toEqual(MINE.has(folder) ? [MINE.get(folder)] : []);
  });
});
