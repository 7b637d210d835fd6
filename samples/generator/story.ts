/**
 * The demo incident, as facts every source module renders from: who acme is, how a normal
 * release of acme/ledger runs, the five weeks of baseline, and the attack and containment with
 * their exact times. Nothing here is JSON of any vendor; the per-source modules (github.ts,
 * cloudtrail.ts, vault.ts, rekor.ts / sigstore.ts) turn these facts into the records each
 * system would have written, so the same run id, IP or key appears consistently everywhere.
 *
 * The times of the incident are fixed literals (samples/README.md quotes them); baseline times are
 * fixed per day plus seeded jitter.
 */
import { createHash } from 'node:crypto';
import { Rng } from './random.js';

export const SEED = 'sigtrail demo incident: acme/ledger release key leak';

// ---------------------------------------------------------------------------------------------
// Who is who
// ---------------------------------------------------------------------------------------------

export const ORG = { name: 'acme', id: 88442211 } as const;
export const REPO = { name: 'acme/ledger', id: 612384907, visibility: 'public' as const };
export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

export interface Person {
  login: string;
  id: number;
  /** Where they normally work from (GitHub records actor_ip for the org). */
  ip: string;
  bot?: boolean;
}

export const PEOPLE = {
  ana: { login: 'ana-ortiz', id: 5123401, ip: '198.51.100.200' },
  bilal: { login: 'bkumar', id: 5123402, ip: '198.51.100.200' },
  chen: { login: 'cwu', id: 5123403, ip: '192.0.2.31' },
  mei: { login: 'mchen-sec', id: 5123404, ip: '198.51.100.200' },
  // An outside collaborator whose personal access token the attacker used.
  jdoe: { login: 'jdoe-contractor', id: 7771205, ip: '192.0.2.55' },
  actionsBot: { login: 'github-actions[bot]', id: 41898282, ip: '', bot: true },
  dependabot: { login: 'dependabot[bot]', id: 49699333, ip: '', bot: true },
} satisfies Record<string, Person>;

export const DEVELOPERS: readonly Person[] = [PEOPLE.ana, PEOPLE.bilal, PEOPLE.chen, PEOPLE.jdoe];

/** The attacker's one address, used against GitHub, AWS and Vault alike. */
export const ATTACKER_IP = '203.0.113.77';
export const ATTACKER_AWS_UA =
  'aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.11-amd64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#kali.2024 md/prompt#off';
export const ATTACKER_GIT_UA = 'git/2.43.0';
export const OFFICE_IP = '198.51.100.200';
export const CONSOLE_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36';

export interface Runner {
  id: number;
  name: string;
  groupId: number;
  groupName: string;
  labels: string[];
  hosted: boolean;
  /** The public address its traffic leaves from. */
  egressIp: string;
}

/** Self-hosted release runners behind acme's NAT: the only machines that sign in the baseline. */
export const RELEASE_RUNNERS: readonly Runner[] = [
  { id: 31, name: 'release-runner-1', groupId: 3, groupName: 'release-runners', labels: ['self-hosted', 'linux', 'x64', 'release'], hosted: false, egressIp: '198.51.100.10' },
  { id: 32, name: 'release-runner-2', groupId: 3, groupName: 'release-runners', labels: ['self-hosted', 'linux', 'x64', 'release'], hosted: false, egressIp: '198.51.100.11' },
];
export const CI_RUNNERS: readonly Runner[] = [
  { id: 21, name: 'ci-runner-1', groupId: 2, groupName: 'ci-runners', labels: ['self-hosted', 'linux', 'x64', 'docker'], hosted: false, egressIp: '198.51.100.12' },
  { id: 22, name: 'ci-runner-2', groupId: 2, groupName: 'ci-runners', labels: ['self-hosted', 'linux', 'x64', 'docker'], hosted: false, egressIp: '198.51.100.12' },
];

/** A GitHub-hosted runner: a fresh VM with a fresh Azure address every job. */
export function hostedRunner(rng: Rng): Runner {
  const id = rng.int(1_000_010_000, 1_000_099_999);
  const prefix = rng.pick(['20.51', '20.57', '172.183', '4.227', '52.238', '40.84']);
  return {
    id,
    name: `GitHub Actions ${id}`,
    groupId: 0,
    groupName: 'GitHub Actions',
    labels: ['ubuntu-latest'],
    hosted: true,
    egressIp: `${prefix}.${rng.int(1, 254)}.${rng.int(1, 254)}`,
  };
}

// ---------------------------------------------------------------------------------------------
// The signing key and its aliases
// ---------------------------------------------------------------------------------------------

/** Seed labels for keys derived in ecdsa.ts; no private key is ever written to samples/. */
export const KEY_LABELS = {
  cosign: 'acme/ledger cosign release key (COSIGN_KEY)',
  rekorLog: 'demo transparency log (stand-in for rekor.sigstore.dev)',
  fulcioRoot: 'demo fulcio root CA',
  fulcioIntermediate: 'demo fulcio intermediate CA',
} as const;

export const KMS_KEY = {
  id: '5f2b8c1e-7d4a-4c9b-8e3f-0a6d1b2c3e4f',
  arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/5f2b8c1e-7d4a-4c9b-8e3f-0a6d1b2c3e4f`,
  alias: 'alias/ledger-sbom-signing',
} as const;
/** The AWS-managed key Secrets Manager decrypts with (its Decrypt calls are ordinary noise). */
export const SECRETSMANAGER_KMS_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/8d1f6a2b-3c4e-4f5a-9b7c-1e2d3f4a5b6c`;

export interface Secret {
  name: string;
  arn: string;
}
function secret(name: string, suffix: string): Secret {
  return { name, arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${suffix}` };
}
export const SECRETS = {
  cosignKey: secret('release/cosign-key', 'Xq3bT9'),
  dbPassword: secret('prod/db-password', 'a1B2c3'),
  npmToken: secret('npm/publish-token', 'Kp8Zr2'),
  stripeKey: secret('prod/stripe-api-key', 'm4N7sQ'),
} as const;

export const VAULT_TRANSIT_KEY = 'release-signing';
export const GITHUB_SECRET = 'COSIGN_KEY';
export const RELEASE_WORKFLOW = { path: '.github/workflows/release.yml', name: 'Release', id: 104738291 } as const;
export const OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

/** Secrets the release workflow's sign job is handed (and, in the attack, the rogue job too). */
export const SIGN_JOB_SECRETS = ['COSIGN_KEY', 'COSIGN_PASSWORD', 'VAULT_ROLE_ID', 'VAULT_SECRET_ID'];
/** The legacy static AWS key kept as repo secrets for the nightly image push. */
export const LEGACY_AWS_SECRETS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

// ---------------------------------------------------------------------------------------------
// AWS principals
// ---------------------------------------------------------------------------------------------

export interface RolePrincipal {
  kind: 'role';
  name: string;
  arn: string;
  roleId: string;
}
export interface UserPrincipal {
  kind: 'user';
  name: string;
  arn: string;
  userId: string;
}

function role(name: string, roleId: string, path = ''): RolePrincipal {
  return { kind: 'role', name, arn: `arn:aws:iam::${ACCOUNT}:role/${path}${name}`, roleId };
}

export const ROLES = {
  releaseSigner: role('release-signer', 'AROARZ4QW7XKJ3MNB2PLC'),
  secretSync: role('secret-sync', 'AROARZ4QW7XKF8TYV6DHE'),
  secretRotation: role('secret-rotation', 'AROARZ4QW7XKC2WRA9GNU'),
  ledgerApi: role('ledger-api-task', 'AROARZ4QW7XKM5ZQS1BVX'),
  billingWorker: role('billing-worker-task', 'AROARZ4QW7XKP7HLD4CWY'),
  ecsInstance: role('ecs-cluster-instance', 'AROARZ4QW7XKT3NEE8FQA'),
  configRecorder: role('aws-config-recorder', 'AROARZ4QW7XKW9UGH2JRB'),
  securityAdmin: role('AWSReservedSSO_SecurityAdmin_3f9c1d2e7b6a5c48', 'AROARZ4QW7XKZ1PMK6LSD', 'aws-reserved/sso.amazonaws.com/'),
} as const;

export const LEGACY_USER: UserPrincipal = {
  kind: 'user',
  name: 'ledger-ci-legacy',
  arn: `arn:aws:iam::${ACCOUNT}:user/ledger-ci-legacy`,
  userId: 'AIDARZ4QW7XKLEGACY7Q2',
};
/** Created in 2023 for the nightly image push and never rotated. */
export const LEGACY_ACCESS_KEY = 'AKIARZ4QW7XKNIGHTLY3M';
/** Created by the attacker at 2025-10-06T22:41:19Z. */
export const ATTACKER_ACCESS_KEY = 'AKIARZ4QW7XKX5C9VB2TD';

export const GITHUB_OIDC_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

// ---------------------------------------------------------------------------------------------
// Vault
// ---------------------------------------------------------------------------------------------

export const VAULT = {
  /** The CI AppRole entity: every release run logs in as it. */
  approleEntity: 'a3c4e5f6-7b8c-4d9e-8f0a-1b2c3d4e5f60',
  approleRole: 'ledger-release',
  apiEntity: 'c0ffee00-1d2e-4f3a-8b4c-5d6e7f8a9b0c',
  securityEntity: '5ec0a0d1-2b3c-4d5e-8f6a-7b8c9d0e1f2a',
  version: 'v1.17.6+builtin.vault',
} as const;

// ---------------------------------------------------------------------------------------------
// Workflow runs
// ---------------------------------------------------------------------------------------------

export interface Job {
  name: string;
  id: number;
  startedAt: Date;
  completedAt: Date;
  runner: Runner;
  secrets: string[];
}

export type RunKind = 'release' | 'ci' | 'codeql' | 'nightly' | 'attack';

export interface WorkflowRun {
  kind: RunKind;
  workflowPath: string;
  workflowName: string;
  workflowId: number;
  runId: number;
  runNumber: number;
  attempt: number;
  event: 'push' | 'pull_request' | 'schedule' | 'workflow_dispatch';
  /** GitHub's head_branch: the branch, or the tag name for tag pushes. */
  headBranch: string;
  /** The ref the run executes on (refs/tags/…, refs/heads/…, refs/pull/N/merge). */
  ref: string;
  headSha: string;
  actor: Person;
  createdAt: Date;
  completedAt: Date;
  conclusion: 'success' | 'failure';
  jobs: Job[];
  /** For pull_request runs. */
  pullRequest?: number;
}

export interface Artifact {
  name: string;
  sha256: string;
}

export interface Release {
  tag: string;
  version: string;
  /** The attempt that signed (a failed earlier attempt, if any, is in `failed`). */
  run: WorkflowRun;
  failed?: WorkflowRun;
  artifacts: Artifact[];
  /** Each artefact's cosign (key-based) signature time, inside the sign job. */
  cosignTimes: Date[];
  /** The keyless provenance attestation's Rekor time, inside the provenance job. */
  provenanceTime: Date;
  kmsSignTimes: Date[];
  vaultSignTime: Date;
  assumeRoleTime: Date;
  vaultLoginTime: Date;
  signRunner: Runner;
  sbomRunner: Runner;
}

export function at(iso: string): Date {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`bad time literal ${iso}`);
  return d;
}

export function plus(d: Date, seconds: number): Date {
  return new Date(d.getTime() + Math.round(seconds * 1000));
}

/** ISO-8601 UTC with whole seconds, as CloudTrail writes eventTime. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function sha1Hex(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

export function sha256Hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

export const BASELINE_START = at('2025-09-01T00:00:00Z');
/** Last instant any generated record may carry. */
export const DATA_END = at('2025-10-07T23:59:59Z');
/** When the responder exported Rekor entries (the inclusion proofs are against this tree). */
export const REKOR_EXPORT_TIME = at('2025-10-07T18:00:00Z');

/** Tag push times of the ten baseline releases (Tuesdays and Thursdays). */
const RELEASE_TAGS: readonly [string, string][] = [
  ['v1.3.0', '2025-09-02T14:07:12Z'],
  ['v1.3.1', '2025-09-04T15:21:40Z'],
  ['v1.3.2', '2025-09-09T13:48:05Z'],
  ['v1.3.3', '2025-09-11T16:02:33Z'],
  ['v1.4.0', '2025-09-16T14:31:57Z'],
  ['v1.4.1', '2025-09-18T15:10:21Z'],
  ['v1.4.2', '2025-09-23T13:55:48Z'],
  ['v1.4.3', '2025-09-25T14:44:09Z'], // attempt 1 fails in build; re-run 22 minutes later
  ['v1.4.4', '2025-09-30T15:36:26Z'],
  ['v1.4.5', '2025-10-02T14:12:50Z'],
];
const RERUN_TAG = 'v1.4.3';

export const PLATFORMS = ['linux_amd64', 'linux_arm64', 'darwin_arm64'] as const;

/** Monotonic GitHub ids: run ids and job ids grow with time, as GitHub's do. */
class IdClock {
  constructor(
    private readonly base: number,
    private readonly perSecond: number,
    private readonly rng: Rng,
  ) {}
  private last = 0;
  at(t: Date): number {
    const v = this.base + Math.floor(((t.getTime() - BASELINE_START.getTime()) / 1000) * this.perSecond) + this.rng.int(0, 999);
    this.last = Math.max(this.last + 1, v);
    return this.last;
  }
}

export interface Story {
  rng: Rng;
  releases: Release[];
  /** Every workflow run (baseline and attack), sorted by creation time. */
  runs: WorkflowRun[];
  attack: Attack;
}

export interface Attack {
  pushRun: WorkflowRun;
  prRun: WorkflowRun;
  /** ci.yml on the same pull request: ordinary, handed no secret. */
  prCiRun: WorkflowRun;
  /** Key-based signatures the attacker made with the exfiltrated cosign key. */
  signatures: { id: string; time: Date; artifact: Artifact; note: string }[];
}

/** The incident's fixed times (UTC). samples/README.md and expected.json quote these. */
export const T = {
  gitClone: at('2025-10-06T20:58:40Z'),
  gitPush: at('2025-10-06T21:01:57Z'),
  pushRunCreated: at('2025-10-06T21:02:03Z'),
  pushJobPrepared: at('2025-10-06T21:02:31Z'),
  assumeRoleDenied: at('2025-10-06T21:03:40Z'),
  pushRunCompleted: at('2025-10-06T21:04:12Z'),
  prOpened: at('2025-10-06T21:04:55Z'),
  prRunCreated: at('2025-10-06T21:05:01Z'),
  prJobPrepared: at('2025-10-06T21:05:29Z'),
  prCiJobPrepared: at('2025-10-06T21:05:33Z'),
  testSignature: at('2025-10-06T21:06:15Z'),
  prRunCompleted: at('2025-10-06T21:07:02Z'),
  prCiRunCompleted: at('2025-10-06T21:09:40Z'),
  deleteRun1: at('2025-10-06T21:11:26Z'),
  deleteRun2: at('2025-10-06T21:11:31Z'),
  prClosed: at('2025-10-06T21:12:10Z'),
  readCosignSecret: at('2025-10-06T22:31:07Z'),
  listSecrets: at('2025-10-06T22:33:52Z'),
  readDbPassword: at('2025-10-06T22:34:30Z'),
  readNpmToken: at('2025-10-06T22:34:41Z'),
  readStripeDenied: at('2025-10-06T22:35:03Z'),
  createAccessKey: at('2025-10-06T22:41:19Z'),
  kmsGetPublicKey: at('2025-10-06T22:52:40Z'),
  kmsSign1: at('2025-10-06T22:53:05Z'),
  kmsSign2: at('2025-10-06T22:53:31Z'),
  kmsSign3: at('2025-10-06T22:58:12Z'),
  rogueSignature1: at('2025-10-07T01:13:09Z'),
  rogueSignature2: at('2025-10-07T01:14:55Z'),
  rogueSignature3: at('2025-10-07T02:47:31Z'),
  vaultLogin: at('2025-10-07T03:02:18Z'),
  vaultSign1: at('2025-10-07T03:02:44Z'),
  vaultSign2: at('2025-10-07T03:03:10Z'),
  // Containment, by mchen-sec (Mei Chen, security) from the office.
  removeCollaborator: at('2025-10-07T09:05:12Z'),
  removeCosignKeySecret: at('2025-10-07T09:12:40Z'),
  removeCosignPassword: at('2025-10-07T09:12:58Z'),
  removeAwsKeyIdSecret: at('2025-10-07T09:13:20Z'),
  removeAwsSecretSecret: at('2025-10-07T09:13:27Z'),
  updateVaultSecretId: at('2025-10-07T09:14:30Z'),
  rotateCosignSecret: at('2025-10-07T09:18:22Z'),
  rotationPutValue: at('2025-10-07T09:18:26Z'),
  rotationStage: at('2025-10-07T09:18:29Z'),
  lockCosignSecretPolicy: at('2025-10-07T09:19:05Z'),
  deactivateLegacyKey: at('2025-10-07T09:20:10Z'),
  disableKmsKey: at('2025-10-07T09:21:47Z'),
  rotateVaultKey: at('2025-10-07T09:24:03Z'),
  revokeAttackerToken: at('2025-10-07T09:25:40Z'),
  destroySecretId: at('2025-10-07T09:26:15Z'),
  rotateDbPassword: at('2025-10-07T09:31:02Z'),
  rotateNpmToken: at('2025-10-07T09:33:45Z'),
  // The attacker comes back with the access key the responders missed.
  readCosignSecretDenied: at('2025-10-07T10:01:30Z'),
  kmsSignDenied1: at('2025-10-07T10:02:15Z'),
  kmsSignDenied2: at('2025-10-07T10:02:48Z'),
  vaultSignDenied: at('2025-10-07T10:04:48Z'),
  vaultLoginFailed: at('2025-10-07T10:05:30Z'),
  deactivateAttackerKey: at('2025-10-07T10:31:12Z'),
  deleteAttackerKey: at('2025-10-07T10:31:40Z'),
  deleteLegacyKey: at('2025-10-07T10:32:05Z'),
  // The cosign private key is still in the attacker's hands: only downstream distrust stops this.
  rogueSignature4: at('2025-10-07T13:40:22Z'),
  scheduleKeyDeletion: at('2025-10-07T16:05:33Z'),
} as const;

function artifactDigest(rng: Rng, name: string): Artifact {
  return { name, sha256: createHash('sha256').update(`${name}:${rng.hex(32)}`).digest('hex') };
}

function job(ids: IdClock, name: string, startedAt: Date, seconds: number, runner: Runner, secrets: string[] = []): Job {
  return { name, id: ids.at(startedAt), startedAt, completedAt: plus(startedAt, seconds), runner, secrets };
}

/** Builds the whole story deterministically from the seed. */
export function buildStory(seed = SEED): Story {
  const rng = new Rng(seed);
  const r = rng.fork('story');
  const runIds = new IdClock(17_381_000_000, 62, r.fork('run-ids'));
  const jobIds = new IdClock(49_120_000_000, 171, r.fork('job-ids'));
  const runNumbers = new Map<string, number>([['release', 212], ['ci', 3140], ['codeql', 905], ['nightly', 688], ['attack', 0]]);
  const nextNumber = (kind: string): number => {
    const n = (runNumbers.get(kind) ?? 0) + 1;
    runNumbers.set(kind, n);
    return n;
  };
  const runs: WorkflowRun[] = [];
  const releases: Release[] = [];

  // --- releases ------------------------------------------------------------------------------
  for (const [i, [tag, pushed]] of RELEASE_TAGS.entries()) {
    const rr = r.fork(`release ${tag}`);
    const version = tag.slice(1);
    const headSha = sha1Hex(`acme/ledger ${tag}`);
    const signRunner = RELEASE_RUNNERS[i % 2];
    const sbomRunner = RELEASE_RUNNERS[(i + 1) % 2];
    let created = at(pushed);
    let failed: WorkflowRun | undefined;
    const number = nextNumber('release');
    if (tag === RERUN_TAG) {
      const build = job(jobIds, 'build', plus(created, 9), 131, hostedRunner(rr));
      failed = {
        kind: 'release', workflowPath: RELEASE_WORKFLOW.path, workflowName: RELEASE_WORKFLOW.name, workflowId: RELEASE_WORKFLOW.id,
        runId: runIds.at(created), runNumber: number, attempt: 1, event: 'push', headBranch: tag, ref: `refs/tags/${tag}`, headSha,
        actor: PEOPLE.ana, createdAt: created, completedAt: plus(build.completedAt, 4), conclusion: 'failure', jobs: [build],
      };
      runs.push(failed);
      created = plus(failed.completedAt, 22 * 60 + 13);
    }
    const build = job(jobIds, 'build', plus(created, rr.int(7, 12)), rr.int(170, 200), hostedRunner(rr));
    const signStart = plus(build.completedAt, rr.int(4, 9));
    const sign = job(jobIds, 'sign', signStart, rr.int(140, 170), signRunner, SIGN_JOB_SECRETS);
    const sbom = job(jobIds, 'sbom', plus(build.completedAt, rr.int(4, 9)), rr.int(95, 120), sbomRunner);
    const provenance = job(jobIds, 'provenance', plus(build.completedAt, rr.int(5, 10)), rr.int(50, 70), hostedRunner(rr));
    const completed = plus(new Date(Math.max(sign.completedAt.getTime(), sbom.completedAt.getTime(), provenance.completedAt.getTime())), rr.int(3, 8));
    const run: WorkflowRun = {
      kind: 'release', workflowPath: RELEASE_WORKFLOW.path, workflowName: RELEASE_WORKFLOW.name, workflowId: RELEASE_WORKFLOW.id,
      runId: failed ? failed.runId : runIds.at(created), runNumber: number, attempt: failed ? 2 : 1, event: 'push', headBranch: tag,
      ref: `refs/tags/${tag}`, headSha, actor: PEOPLE.ana, createdAt: created, completedAt: completed, conclusion: 'success',
      jobs: [build, sign, sbom, provenance],
    };
    runs.push(run);
    const artifacts = [
      ...PLATFORMS.map((p) => artifactDigest(rr, `ledger_${version}_${p}.tar.gz`)),
      artifactDigest(rr, `ledger_${version}_checksums.txt`),
    ];
    const cosignTimes: Date[] = [];
    let t = plus(sign.startedAt, rr.int(38, 50));
    for (let k = 0; k < artifacts.length; k++) {
      cosignTimes.push(t);
      t = plus(t, rr.int(6, 14));
    }
    releases.push({
      tag, version, run, failed, artifacts, cosignTimes,
      provenanceTime: plus(provenance.startedAt, rr.int(24, 34)),
      assumeRoleTime: plus(sbom.startedAt, rr.int(14, 20)),
      kmsSignTimes: [plus(sbom.startedAt, rr.int(48, 56)), plus(sbom.startedAt, rr.int(60, 70))],
      vaultLoginTime: plus(sign.startedAt, rr.int(18, 24)),
      vaultSignTime: plus(sign.startedAt, rr.int(26, 33)),
      signRunner, sbomRunner,
    });
  }

  // --- ordinary CI: pushes to main and pull requests on weekdays, nightly image, weekly CodeQL ---
  const days = Math.round((DATA_END.getTime() - BASELINE_START.getTime()) / 86_400_000);
  let pr = 340;
  for (let day = 0; day < days; day++) {
    const d0 = plus(BASELINE_START, day * 86_400);
    const dr = r.fork(`day ${day}`);
    const weekday = d0.getUTCDay() >= 1 && d0.getUTCDay() <= 5;
    const nightlyAt = plus(d0, 3 * 3600 + 15 * 60 + dr.int(0, 50));
    const nightlyRunner = CI_RUNNERS[day % CI_RUNNERS.length];
    const nightlyJob = job(jobIds, 'image', plus(nightlyAt, dr.int(6, 11)), dr.int(240, 320), nightlyRunner, LEGACY_AWS_SECRETS);
    runs.push({
      kind: 'nightly', workflowPath: '.github/workflows/nightly.yml', workflowName: 'Nightly image', workflowId: 104738295,
      runId: runIds.at(nightlyAt), runNumber: nextNumber('nightly'), attempt: 1, event: 'schedule', headBranch: 'main', ref: 'refs/heads/main',
      headSha: sha1Hex(`main ${day}`), actor: PEOPLE.ana, createdAt: nightlyAt, completedAt: plus(nightlyJob.completedAt, 3),
      conclusion: 'success', jobs: [nightlyJob],
    });
    if (d0.getUTCDay() === 0) {
      const codeqlAt = plus(d0, 5 * 3600 + 41 * 60 + dr.int(0, 120));
      const analyse = job(jobIds, 'analyze', plus(codeqlAt, 8), dr.int(400, 520), hostedRunner(dr));
      runs.push({
        kind: 'codeql', workflowPath: '.github/workflows/codeql.yml', workflowName: 'CodeQL', workflowId: 104738301,
        runId: runIds.at(codeqlAt), runNumber: nextNumber('codeql'), attempt: 1, event: 'schedule', headBranch: 'main', ref: 'refs/heads/main',
        headSha: sha1Hex(`main ${day}`), actor: PEOPLE.ana, createdAt: codeqlAt, completedAt: plus(analyse.completedAt, 4),
        conclusion: 'success', jobs: [analyse],
      });
    }
    // 7 October is the incident response: a merge freeze, no ordinary CI.
    if (!weekday || day >= 36) continue;
    const n = dr.int(2, 4);
    for (let k = 0; k < n; k++) {
      const dev = dr.pick(DEVELOPERS);
      const isPr = dr.chance(0.6);
      const createdAt = plus(d0, dr.int(8 * 3600, 18 * 3600));
      const number = isPr ? ++pr : undefined;
      const test = job(jobIds, 'test', plus(createdAt, dr.int(6, 14)), dr.int(150, 260), hostedRunner(dr));
      runs.push({
        kind: 'ci', workflowPath: '.github/workflows/ci.yml', workflowName: 'CI', workflowId: 104738288,
        runId: runIds.at(createdAt), runNumber: nextNumber('ci'), attempt: 1, event: isPr ? 'pull_request' : 'push',
        headBranch: isPr ? `${dev.login.split('-')[0]}/change-${number}` : 'main', ref: isPr ? `refs/pull/${number}/merge` : 'refs/heads/main',
        headSha: sha1Hex(`${dev.login} ${day} ${k}`), actor: dev, createdAt, completedAt: plus(test.completedAt, 3),
        conclusion: dr.chance(0.9) ? 'success' : 'failure', jobs: [test], pullRequest: number,
      });
    }
  }

  // --- the attack's workflow runs --------------------------------------------------------------
  const ar = r.fork('attack');
  const rogueSha = sha1Hex('fix/flaky-cache: add ci-debug.yml');
  const rogueRunner = hostedRunner(ar);
  const pushJob: Job = { name: 'debug', id: jobIds.at(T.pushJobPrepared), startedAt: T.pushJobPrepared, completedAt: plus(T.pushRunCompleted, -3), runner: rogueRunner, secrets: [...LEGACY_AWS_SECRETS, ...SIGN_JOB_SECRETS].sort() };
  const pushRun: WorkflowRun = {
    kind: 'attack', workflowPath: '.github/workflows/ci-debug.yml', workflowName: 'CI debug', workflowId: 187450213,
    runId: runIds.at(T.pushRunCreated), runNumber: nextNumber('attack'), attempt: 1, event: 'push', headBranch: 'fix/flaky-cache',
    ref: 'refs/heads/fix/flaky-cache', headSha: rogueSha, actor: PEOPLE.jdoe, createdAt: T.pushRunCreated, completedAt: T.pushRunCompleted,
    conclusion: 'failure', jobs: [pushJob],
  };
  const prJob: Job = { name: 'debug', id: jobIds.at(T.prJobPrepared), startedAt: T.prJobPrepared, completedAt: plus(T.prRunCompleted, -4), runner: hostedRunner(ar), secrets: [...LEGACY_AWS_SECRETS, ...SIGN_JOB_SECRETS].sort() };
  const prRun: WorkflowRun = {
    kind: 'attack', workflowPath: '.github/workflows/ci-debug.yml', workflowName: 'CI debug', workflowId: 187450213,
    runId: runIds.at(T.prRunCreated), runNumber: nextNumber('attack'), attempt: 1, event: 'pull_request', headBranch: 'fix/flaky-cache',
    ref: 'refs/pull/418/merge', headSha: rogueSha, actor: PEOPLE.jdoe, createdAt: T.prRunCreated, completedAt: T.prRunCompleted,
    conclusion: 'success', jobs: [prJob], pullRequest: 418,
  };
  const prCiJob: Job = { name: 'test', id: jobIds.at(T.prCiJobPrepared), startedAt: T.prCiJobPrepared, completedAt: plus(T.prCiRunCompleted, -3), runner: hostedRunner(ar), secrets: [] };
  const prCiRun: WorkflowRun = {
    kind: 'ci', workflowPath: '.github/workflows/ci.yml', workflowName: 'CI', workflowId: 104738288,
    runId: runIds.at(T.prRunCreated), runNumber: nextNumber('ci'), attempt: 1, event: 'pull_request', headBranch: 'fix/flaky-cache',
    ref: 'refs/pull/418/merge', headSha: rogueSha, actor: PEOPLE.jdoe, createdAt: T.prRunCreated, completedAt: T.prCiRunCompleted,
    conclusion: 'success', jobs: [prCiJob], pullRequest: 418,
  };
  runs.push(pushRun, prRun, prCiRun);
  runs.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.runId - b.runId);

  const sr = r.fork('attack signatures');
  const attack: Attack = {
    pushRun, prRun, prCiRun,
    signatures: [
      { id: 'S0', time: T.testSignature, artifact: artifactDigest(sr, 'cosign-test.txt'), note: 'test signature from the rogue pull-request job' },
      { id: 'S1', time: T.rogueSignature1, artifact: artifactDigest(sr, 'ledger_1.4.6_linux_amd64.tar.gz'), note: 'fake v1.4.6 release' },
      { id: 'S2', time: T.rogueSignature2, artifact: artifactDigest(sr, 'ledger_1.4.6_darwin_arm64.tar.gz'), note: 'fake v1.4.6 release' },
      { id: 'S3', time: T.rogueSignature3, artifact: artifactDigest(sr, 'ledger_1.4.6_checksums.txt'), note: 'fake v1.4.6 release' },
      { id: 'S4', time: T.rogueSignature4, artifact: artifactDigest(sr, 'ledger_1.4.7_linux_amd64.tar.gz'), note: 'signed after containment' },
    ],
  };

  return { rng, releases, runs, attack };
}
