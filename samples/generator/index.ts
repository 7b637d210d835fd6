/**
 * Generates the demo incident: every file under samples/ that `npm run samples` writes, as a map
 * from path (relative to samples/) to content. Nothing here touches the disk, so tests can
 * regenerate and compare with the committed files.
 */
import { caseFile, expectedFile, type Counts } from './expected.js';
import { cloudTrailFiles, cloudTrailRecords } from './cloudtrail.js';
import { githubFiles, githubRecords } from './github.js';
import { buildStory, type Story } from './story.js';
import { buildTransparency } from './transparency.js';
import { vaultFiles, vaultLines } from './vault.js';

/** Folders and files under samples/ that the generator owns (and replaces on every run). */
export const GENERATED_ROOTS = ['aws', 'github', 'sigstore', 'vault', 'trust', 'case.json', 'expected.json'];

export interface GeneratedSamples {
  files: Map<string, Buffer>;
  story: Story;
}

function countBy<T>(items: readonly T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export async function generateSamples(): Promise<GeneratedSamples> {
  const story = buildStory();
  const { rng } = story;

  const ct = cloudTrailRecords(story, rng.fork('cloudtrail'));
  const gh = githubRecords(story, rng.fork('github'));
  const vault = vaultLines(story, rng.fork('vault'));
  const tlog = await buildTransparency(story, rng.fork('transparency'));

  const files = new Map<string, Buffer>();
  for (const [name, body] of cloudTrailFiles(ct, rng.fork('cloudtrail objects'))) files.set(name, body);
  for (const [name, body] of githubFiles(gh)) files.set(name, Buffer.from(body));
  for (const [name, body] of vaultFiles(vault)) files.set(name, Buffer.from(body));
  for (const [name, body] of tlog.files) files.set(name, Buffer.from(body));

  const inDir = (d: string): number => [...files.keys()].filter((k) => k.startsWith(`${d}/`)).length;
  const jobs = story.runs.flatMap((run) => run.jobs.map((j) => ({ run, j })));
  const counts: Counts = {
    files: { aws: inDir('aws'), github: inDir('github'), sigstore: inDir('sigstore'), vault: inDir('vault') },
    records: {
      'aws.cloudtrail': ct.length,
      'github.audit': gh.length,
      'vault.audit_lines': vault.length,
      'vault.audit_requests': vault.filter((l) => l.type === 'request').length,
      rekor_v1_entries: tlog.facts.filter((f) => f.kind === 'hashedrekord').length,
      sigstore_bundles: [...files.keys()].filter((k) => k.startsWith('sigstore/bundles/')).length,
      signatures: tlog.facts.length,
      signatures_key: tlog.facts.filter((f) => f.signer === 'key').length,
      signatures_cert: tlog.facts.filter((f) => f.signer === 'cert').length,
    },
    cloudtrail_by_native_action: countBy(ct, (r) => `${String(r.eventSource).split('.')[0]}:${String(r.eventName)}`),
    cloudtrail_errors: countBy(ct.filter((r) => r.errorCode), (r) => String(r.errorCode)),
    github_by_action: countBy(gh, (r) => String(r.action)),
    vault_requests_by_path: countBy(vault.filter((l) => l.type === 'request'), (l) => (l.request as { path: string }).path),
    ci: {
      workflow_runs: new Set(story.runs.map((r) => r.runId)).size,
      run_attempts: story.runs.length,
      jobs: jobs.length,
      jobs_handed_cosign_key: jobs.filter(({ j }) => j.secrets.includes('COSIGN_KEY')).length,
      jobs_handed_cosign_key_outside_release: jobs.filter(({ run, j }) => j.secrets.includes('COSIGN_KEY') && run.kind !== 'release').length,
      releases: story.releases.length,
    },
  };

  files.set('case.json', Buffer.from(JSON.stringify(caseFile(tlog.cosignFingerprint), null, 2) + '\n'));
  files.set(
    'expected.json',
    Buffer.from(JSON.stringify(expectedFile(story, { cloudtrail: ct, github: gh, vault, signatures: tlog.facts, fingerprint: tlog.cosignFingerprint }, counts), null, 2) + '\n'),
  );
  return { files, story };
}
