/**
 * What a correct investigation of the demo must conclude, derived from the same story the logs
 * were rendered from: `case.json` (the key's aliases and what sanctioned signing looks like, in
 * SPEC.md's case format) and `expected.json` (the exposure window, every finding with the ids of
 * its evidence records, verdicts, distrust list, lateral movement and record counts).
 *
 * Evidence ids are looked up in the rendered records (CloudTrail eventID, GitHub _document_id,
 * Vault request.id, Rekor entry UUID); a lookup that does not match exactly one record throws, so
 * the expectations cannot drift from the data.
 */
import type { AuditRecord } from './github.js';
import type { CloudTrailRecord } from './cloudtrail.js';
import type { SignatureFact } from './transparency.js';
import type { VaultLine } from './vault.js';
import {
  ATTACKER_ACCESS_KEY, ATTACKER_IP, GITHUB_SECRET, KMS_KEY, LEGACY_ACCESS_KEY, LEGACY_USER, OIDC_ISSUER, PEOPLE, RELEASE_WORKFLOW, REPO,
  ROLES, SECRETS, T, VAULT, VAULT_TRANSIT_KEY, isoSeconds, type Story,
} from './story.js';

export interface Evidence {
  source: 'aws.cloudtrail' | 'github.audit' | 'vault.audit' | 'rekor';
  ts: string;
  what: string;
  /** eventID / _document_id / request.id / entry UUID (80 hex; the last 64 are the leaf hash). */
  id: string;
}

export interface ExpectedFinding {
  rule: string;
  summary: string;
  evidence: Evidence[];
}

/** Who used or read one of the key's aliases: `sigtrail access`. */
export interface AccessRow {
  principal: string;
  actions: string[];
  first_seen: string;
  last_seen: string;
  count: number;
}

export interface Bound {
  ts: string;
  why: string;
  evidence: Evidence[];
}

export interface SignedRef {
  id: string;
  uuid: string;
  logIndex: number;
  digests: string[];
}

export interface Counts {
  files: Record<'aws' | 'github' | 'sigstore' | 'vault', number>;
  records: {
    'aws.cloudtrail': number;
    'github.audit': number;
    'vault.audit_lines': number;
    'vault.audit_requests': number;
    rekor_v1_entries: number;
    sigstore_bundles: number;
    signatures: number;
    signatures_key: number;
    signatures_cert: number;
  };
  cloudtrail_by_native_action: Record<string, number>;
  cloudtrail_errors: Record<string, number>;
  github_by_action: Record<string, number>;
  vault_requests_by_path: Record<string, number>;
  ci: {
    workflow_runs: number;
    run_attempts: number;
    jobs: number;
    jobs_handed_cosign_key: number;
    jobs_handed_cosign_key_outside_release: number;
    releases: number;
  };
}

/** The shape of samples/expected.json. */
export interface ExpectedJson {
  about: string;
  matching: string;
  inputs: string[];
  not_inputs: string[];
  case: string;
  key: { fingerprint: string; aliases: string[]; kms_key_arn: string };
  window: {
    earliest_possible: Bound;
    first_exposure: Bound;
    first_evidence: Bound;
    contained_at: { ts: string; why: string; per_alias: Record<string, Evidence>; not_containable: string[] };
    last_use: Bound;
    open: boolean;
    open_why: string;
  };
  findings: ExpectedFinding[];
  may_also_report: ExpectedFinding[];
  must_not_report: { rules: string[]; about: string; baseline_signature_uuids: string[] };
  signed: { attested: SignedRef[]; anomalous: SignedRef[]; unattested: SignedRef[]; note: string };
  distrust: { digests: string[]; fingerprint: string };
  access: {
    aws: AccessRow[];
    vault: AccessRow[];
    jobs_handed_secret: { job_workflow_ref: string; run_id: number; ts: string }[];
  };
  lateral: {
    address: string;
    credentials: string[];
    principal: string;
    github_actor: string;
    other_secrets: string[];
    new_credentials: string[];
    roles_tried: string[];
  };
  counts: Counts;
}

interface Sources {
  cloudtrail: readonly CloudTrailRecord[];
  github: readonly AuditRecord[];
  vault: readonly VaultLine[];
  signatures: readonly SignatureFact[];
  fingerprint: string;
}

function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function one<T>(items: readonly T[], pred: (x: T) => boolean, what: string): T {
  const hits = items.filter(pred);
  if (hits.length !== 1) throw new Error(`expected exactly one record for ${what}, found ${hits.length}`);
  return hits[0];
}

class Lookup {
  constructor(private readonly s: Sources) {}

  ct(name: string, t: Date, what?: string): Evidence {
    const rec = one(this.s.cloudtrail, (r) => r.eventName === name && r.eventTime === isoSeconds(t), `CloudTrail ${name} at ${isoSeconds(t)}`);
    const target = (rec.requestParameters as Record<string, unknown> | null)?.secretId ?? (rec.requestParameters as Record<string, unknown> | null)?.keyId;
    return { source: 'aws.cloudtrail', ts: isoSeconds(t), what: what ?? `${text(rec.eventSource).split('.')[0]}:${name}${target ? ` ${text(target)}` : ''}${rec.errorCode ? ` (${text(rec.errorCode)})` : ''}`, id: rec.eventID as string };
  }

  gh(action: string, t: Date, what?: string): Evidence {
    const rec = one(this.s.github, (r) => r.action === action && Math.floor((r['@timestamp'] as number) / 1000) === Math.floor(t.getTime() / 1000), `GitHub ${action} at ${isoSeconds(t)}`);
    return { source: 'github.audit', ts: isoSeconds(t), what: what ?? action, id: rec._document_id as string };
  }

  vault(path: string, t: Date, what?: string): Evidence {
    const rec = one(
      this.s.vault,
      (l) => l.type === 'request' && (l.request as { path: string }).path === path && (l.time as string).startsWith(t.toISOString().slice(0, 19)),
      `Vault ${path} at ${isoSeconds(t)}`,
    );
    return { source: 'vault.audit', ts: isoSeconds(t), what: what ?? `${path}${rec.error ? ` (${text(rec.error)})` : ''}`, id: (rec.request as { id: string }).id };
  }

  /**
   * The earliest record of the key's use or handling in any source: a read of the secret that holds
   * it, a KMS or Vault transit operation on it, a CI job handed it, an entry it signed. Key
   * metadata reads (DescribeKey, GetKeyRotationStatus) name the key but do not touch its material.
   */
  firstRecordOfKey(): Evidence {
    const kmsNames: readonly string[] = [KMS_KEY.arn, KMS_KEY.id, KMS_KEY.alias, `arn:aws:kms:${KMS_KEY.arn.split(':')[3]}:${KMS_KEY.arn.split(':')[4]}:${KMS_KEY.alias}`];
    const kmsUse = new Set(['Sign', 'Verify', 'GetPublicKey', 'DisableKey', 'ScheduleKeyDeletion', 'EnableKeyRotation', 'RotateKeyOnDemand']);
    const secretUse = new Set(['GetSecretValue', 'PutSecretValue', 'UpdateSecret', 'RotateSecret', 'DeleteSecret', 'CreateSecret']);
    const candidates: { t: number; ev: () => Evidence }[] = [];
    for (const r of this.s.cloudtrail) {
      const p = (r.requestParameters ?? {}) as Record<string, unknown>;
      const name = r.eventName as string;
      const onSecret = secretUse.has(name) && (p.secretId === SECRETS.cosignKey.name || p.secretId === SECRETS.cosignKey.arn);
      const onKey = kmsUse.has(name) && kmsNames.includes(String(p.keyId));
      if (onSecret || onKey) candidates.push({ t: Date.parse(r.eventTime as string), ev: () => this.ct(name, new Date(r.eventTime as string)) });
    }
    for (const r of this.s.github) {
      if (r.action === 'workflows.prepared_workflow_job' && ((r.secrets_passed ?? []) as string[]).includes(GITHUB_SECRET)) {
        const t = Math.floor((r['@timestamp'] as number) / 1000) * 1000;
        candidates.push({ t, ev: () => this.gh('workflows.prepared_workflow_job', new Date(t)) });
      }
    }
    for (const l of this.s.vault) {
      const path = (l.request as { path?: string } | undefined)?.path ?? '';
      if (l.type === 'request' && path.startsWith('transit/') && path.includes(`/${VAULT_TRANSIT_KEY}`)) {
        const t = Date.parse((l.time as string).slice(0, 19) + 'Z');
        candidates.push({ t, ev: () => this.vault(path, new Date(t)) });
      }
    }
    for (const f of this.s.signatures) candidates.push({ t: f.integratedTime * 1000, ev: () => this.sig(f.id) });
    candidates.sort((a, b) => a.t - b.t);
    if (candidates.length === 0) throw new Error('no record of the key in the samples');
    return candidates[0].ev();
  }

  sig(id: string): Evidence & { digest: string; logIndex: number } {
    const f = one(this.s.signatures, (x) => x.id === id, `signature ${id}`);
    return {
      source: 'rekor', ts: isoSeconds(new Date(f.integratedTime * 1000)), what: `${f.kind} by the cosign key, logIndex ${f.logIndex}`,
      id: f.uuid, digest: f.digests[0], logIndex: f.logIndex,
    };
  }
}

export const KEY_ALIASES = (fingerprint: string): string[] => [
  `fp:${fingerprint}`,
  `secret:${GITHUB_SECRET}`,
  `secret:${SECRETS.cosignKey.name}`,
  `kms:${KMS_KEY.arn}`,
  `kms:${KMS_KEY.alias}`,
  `vault:${VAULT_TRANSIT_KEY}`,
  `identity:https://github.com/${REPO.name}/${RELEASE_WORKFLOW.path}@refs/tags/*`,
];

/** samples/case.json */
export function caseFile(fingerprint: string): Record<string, unknown> {
  return {
    name: 'acme/ledger release signing key leak (October 2025)',
    keys: KEY_ALIASES(fingerprint),
    expected: {
      workflows: [`${REPO.name}/${RELEASE_WORKFLOW.path}`],
      refs: ['refs/tags/v*'],
      identities: [`https://github.com/${REPO.name}/${RELEASE_WORKFLOW.path}@refs/tags/*`],
      issuers: [OIDC_ISSUER],
      principals: [ROLES.releaseSigner.arn, ROLES.secretSync.arn, ROLES.secretRotation.arn, VAULT.approleEntity],
    },
    window: { from: null, to: null },
  };
}

/** samples/expected.json */
export function expectedFile(story: Story, s: Sources, counts: Counts): ExpectedJson {
  const L = new Lookup(s);
  const { pushRun, prRun } = story.attack;
  const rogueJob = (run: typeof pushRun, t: Date): Evidence =>
    L.gh('workflows.prepared_workflow_job', t, `job "${run.jobs[0].name}" of ${run.workflowPath}@${run.ref} (run ${run.runId}) handed ${run.jobs[0].secrets.join(', ')}`);
  const S = ['S0', 'S1', 'S2', 'S3', 'S4'].map((id) => L.sig(id));
  const firstRecord = L.firstRecordOfKey();
  const kmsSigns = [T.kmsSign1, T.kmsSign2, T.kmsSign3].map((t) => L.ct('Sign', t));
  const kmsDenied = [T.kmsSignDenied1, T.kmsSignDenied2].map((t) => L.ct('Sign', t));
  const vaultSigns = [T.vaultSign1, T.vaultSign2].map((t) => L.vault(`transit/sign/${VAULT_TRANSIT_KEY}`, t));
  const vaultDenied = L.vault(`transit/sign/${VAULT_TRANSIT_KEY}`, T.vaultSignDenied);
  const cosignRead = L.ct('GetSecretValue', T.readCosignSecret);
  const cosignReadDenied = L.ct('GetSecretValue', T.readCosignSecretDenied);
  const newKey = L.ct('CreateAccessKey', T.createAccessKey, `iam:CreateAccessKey for ${LEGACY_USER.name} → ${ATTACKER_ACCESS_KEY}`);

  const findings: ExpectedFinding[] = [
    {
      rule: 'SECRET_TO_UNEXPECTED_JOB',
      summary: `${GITHUB_SECRET} handed to a push-triggered job of ${pushRun.workflowPath} on ${pushRun.ref}, not the release workflow`,
      evidence: [rogueJob(pushRun, T.pushJobPrepared)],
    },
    {
      rule: 'SECRET_TO_UNEXPECTED_JOB',
      summary: `${GITHUB_SECRET} handed to a pull-request job of ${prRun.workflowPath} on ${prRun.ref}`,
      evidence: [rogueJob(prRun, T.prJobPrepared)],
    },
    {
      rule: 'UNEXPECTED_REF',
      summary: `signature by the cosign key from inside run ${prRun.runId} on ${prRun.ref} (pull request #418), outside refs/tags/v*`,
      evidence: [S[0]],
    },
    {
      rule: 'SIGNED_WITHOUT_BUILD',
      summary: 'cosign-key signatures with no sanctioned release run behind them (S0 inside the rogue PR run, S1–S4 outside any run)',
      evidence: S,
    },
    {
      rule: 'UNKNOWN_SIGNER',
      summary: `KMS key signed by ${LEGACY_USER.arn}, neither expected nor seen on this key before`,
      evidence: kmsSigns,
    },
    {
      rule: 'UNEXPECTED_SOURCE_IP',
      summary: `the key's aliases used from ${ATTACKER_IP}, an address never seen on them`,
      evidence: [cosignRead, ...kmsSigns, ...vaultSigns],
    },
    {
      rule: 'LATERAL_SECRET_READ',
      summary: `${LEGACY_USER.name} (from ${ATTACKER_IP}) read secrets unrelated to signing`,
      evidence: [L.ct('GetSecretValue', T.readDbPassword), L.ct('GetSecretValue', T.readNpmToken), L.ct('GetSecretValue', T.readStripeDenied)],
    },
    {
      rule: 'NEW_CREDENTIAL',
      summary: `${LEGACY_USER.name} created a second access key (${ATTACKER_ACCESS_KEY}) from ${ATTACKER_IP}; it survived the first round of containment`,
      evidence: [newKey],
    },
    {
      rule: 'SIGN_DENIED',
      summary: 'signing attempts refused after containment (KMS key disabled, Vault token revoked)',
      evidence: [...kmsDenied, vaultDenied],
    },
    {
      rule: 'USE_AFTER_CONTAINMENT',
      summary: 'the key used or tried after it was contained; S4 succeeded because the cosign private key itself is out',
      evidence: [cosignReadDenied, ...kmsDenied, vaultDenied, S[4]],
    },
  ];

  const mayAlso: ExpectedFinding[] = [
    {
      rule: 'UNEXPECTED_REF',
      summary: 'the two rogue jobs themselves (refs/heads/fix/flaky-cache, refs/pull/418/merge) and the OIDC role assumption refused for refs/heads/fix/flaky-cache',
      evidence: [rogueJob(pushRun, T.pushJobPrepared), rogueJob(prRun, T.prJobPrepared), L.ct('AssumeRoleWithWebIdentity', T.assumeRoleDenied)],
    },
    {
      rule: 'UNKNOWN_SIGNER',
      summary: `${LEGACY_USER.arn} reading the key's secret and public key, and its refused signs`,
      evidence: [cosignRead, L.ct('GetPublicKey', T.kmsGetPublicKey), cosignReadDenied, ...kmsDenied],
    },
    {
      rule: 'SIGNED_WITHOUT_BUILD',
      summary: 'KMS Sign calls with no CI run behind them (KMS does not log the digest, so only time links a Sign to a run)',
      evidence: kmsSigns,
    },
    {
      rule: 'UNEXPECTED_SOURCE_IP',
      summary: `every other use or attempt from ${ATTACKER_IP}`,
      evidence: [L.ct('GetPublicKey', T.kmsGetPublicKey), cosignReadDenied, ...kmsDenied, vaultDenied, L.vault('auth/approle/login', T.vaultLogin)],
    },
  ];

  const factsBy = (pred: (f: SignatureFact) => boolean): SignedRef[] =>
    s.signatures.filter(pred).map((f) => ({ id: f.id, uuid: f.uuid, logIndex: f.logIndex, digests: f.digests }));

  return {
    about: 'What a correct investigation of samples/ concludes. Generated by `npm run samples` from the same story as the logs; see samples/README.md.',
    matching:
      'A tool matches when, for every entry of `findings`, it reports the same rule with evidence covering each listed record (by id, or by source and ts); '
      + 'splitting or merging findings is free. `may_also_report` entries are optional; no finding may cite a record named in `must_not_report`.',
    inputs: ['aws', 'github', 'sigstore', 'vault'],
    not_inputs: ['trust', 'case.json', 'expected.json', 'README.md', 'generate.ts', 'generator'],
    case: 'case.json',
    key: {
      fingerprint: s.fingerprint,
      aliases: KEY_ALIASES(s.fingerprint),
      kms_key_arn: KMS_KEY.arn,
    },
    window: {
      earliest_possible: {
        ts: firstRecord.ts,
        why: 'no creation or rotation of the key material is in the logs, so the window reaches back to the earliest record of the key: '
          + 'anyone who could read the secret before the first exposure could have copied it',
        evidence: [firstRecord],
      },
      first_exposure: { ts: isoSeconds(T.pushJobPrepared), why: `${GITHUB_SECRET} first handed to a job outside the release path`, evidence: [rogueJob(pushRun, T.pushJobPrepared)] },
      first_evidence: { ts: isoSeconds(T.testSignature), why: 'first use of the key outside a sanctioned release run', evidence: [S[0]] },
      contained_at: {
        ts: isoSeconds(T.rotateVaultKey),
        why: 'the last of the key\'s revocable aliases contained',
        per_alias: {
          [`secret:${GITHUB_SECRET}`]: L.gh('repo.remove_actions_secret', T.removeCosignKeySecret),
          [`secret:${SECRETS.cosignKey.name}`]: L.ct('RotateSecret', T.rotateCosignSecret),
          [`kms:${KMS_KEY.arn}`]: L.ct('DisableKey', T.disableKmsKey),
          [`vault:${VAULT_TRANSIT_KEY}`]: L.vault(`transit/keys/${VAULT_TRANSIT_KEY}/rotate`, T.rotateVaultKey),
        },
        not_containable: [`fp:${s.fingerprint}`],
      },
      last_use: { ts: isoSeconds(T.rogueSignature4), why: 'S4: a Rekor entry signed with the cosign key after containment', evidence: [S[4]] },
      open: true,
      open_why: 'the cosign private key is in the attacker\'s hands; only downstream distrust of its fingerprint closes the window',
    },
    findings,
    may_also_report: mayAlso,
    must_not_report: {
      rules: ['KEY_SHARED_ACROSS_REPOS', 'LOGGING_GAP'],
      about: 'No finding may cite the baseline: the 10 release runs (their signatures, KMS Sign and Vault transit signs), nightly/CI jobs (handed no signing secret), the daily secret-sync reads, the API/billing reads of their own secrets, AWS Config, or the rotation Lambda\'s writes.',
      baseline_signature_uuids: factsBy((f) => f.release !== undefined).map((f) => f.uuid),
    },
    signed: {
      attested: factsBy((f) => f.release !== undefined),
      anomalous: factsBy((f) => f.id === 'S0'),
      unattested: factsBy((f) => ['S1', 'S2', 'S3', 'S4'].includes(f.id)),
      note: 'S4 may also be reported anomalous (signed after containment).',
    },
    distrust: { digests: S.map((x) => x.digest), fingerprint: s.fingerprint },
    access: accessOf(s),
    lateral: {
      address: ATTACKER_IP,
      credentials: [LEGACY_ACCESS_KEY, ATTACKER_ACCESS_KEY],
      principal: LEGACY_USER.arn,
      github_actor: PEOPLE.jdoe.login,
      other_secrets: [SECRETS.dbPassword.name, SECRETS.npmToken.name, SECRETS.stripeKey.name],
      new_credentials: [ATTACKER_ACCESS_KEY],
      roles_tried: [ROLES.releaseSigner.arn],
    },
    counts,
  };
}

/** Principals, Vault entities and jobs that used, read or were handed one of the key's aliases. */
function accessOf(s: Sources): ExpectedJson['access'] {
  const rows = new Map<string, AccessRow>();
  const note = (bucket: string, principal: string, action: string, ts: string): void => {
    const k = `${bucket} ${principal}`;
    const row = rows.get(k) ?? { principal, actions: [], first_seen: ts, last_seen: ts, count: 0 };
    if (!row.actions.includes(action)) row.actions.push(action);
    if (ts < row.first_seen) row.first_seen = ts;
    if (ts > row.last_seen) row.last_seen = ts;
    row.count += 1;
    rows.set(k, row);
  };
  for (const r of s.cloudtrail) {
    const rp = (r.requestParameters ?? {}) as Record<string, unknown>;
    const ui = r.userIdentity as { arn?: string; type?: string; sessionContext?: { sessionIssuer?: { arn?: string } } };
    const onKey = r.eventName === 'Sign' || r.eventName === 'GetPublicKey';
    const onSecret = r.eventName === 'GetSecretValue' && String(rp.secretId).includes(SECRETS.cosignKey.name);
    if (!onKey && !onSecret) continue;
    note('aws', ui.sessionContext?.sessionIssuer?.arn ?? ui.arn ?? '', `${text(r.eventSource).split('.')[0]}:${text(r.eventName)}${r.errorCode ? ` (${text(r.errorCode)})` : ''}`, text(r.eventTime));
  }
  for (const l of s.vault) {
    const req = l.request as { path: string };
    const auth = l.auth as { entity_id?: string; display_name?: string };
    if (l.type !== 'request' || req.path !== `transit/sign/${VAULT_TRANSIT_KEY}`) continue;
    note('vault', auth.entity_id ?? '(unknown token)', `${req.path}${l.error ? ' (denied)' : ''}`, text(l.time).replace(/\.\d+Z$/, 'Z'));
  }
  const jobs = s.github
    .filter((r) => r.action === 'workflows.prepared_workflow_job' && (r.secrets_passed as string[]).includes(GITHUB_SECRET))
    .map((r) => ({ job_workflow_ref: text(r.job_workflow_ref), run_id: r.workflow_run_id as number, ts: isoSeconds(new Date(r['@timestamp'] as number)) }));
  const list = (bucket: string): AccessRow[] => [...rows].filter(([k]) => k.startsWith(`${bucket} `)).map(([, v]) => v).sort((a, b) => (a.first_seen < b.first_seen ? -1 : 1));
  return { aws: list('aws'), vault: list('vault'), jobs_handed_secret: jobs };
}
