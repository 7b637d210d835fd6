/**
 * GitHub organisation audit log records, as the REST API (`GET /orgs/{org}/audit-log?include=all`)
 * and audit-log streaming return them: one JSON object per line, `@timestamp` / `created_at` in
 * epoch milliseconds, `_document_id`, keys in alphabetical order.
 *
 * Field names follow the records in ../shared/realdata/github and GitHub's documentation:
 * - `workflows.prepared_workflow_job` carries `job_name`, `job_workflow_ref`
 *   (`owner/repo/path@ref`), `secrets_passed`, `runner_*`, `is_hosted_runner` (documented, API and
 *   stream only; go-github's AuditEntry has the same names). No real example exists in realdata.
 * - `*_actions_secret` events name the secret in `key` (as the gh secret-history tooling reads it);
 *   GitHub does not document this field, so treat it as the best available guess.
 * - `actor_ip` appears for people's actions (acme enabled IP disclosure), not for workflow
 *   lifecycle events, which GitHub records on the run's behalf.
 */
import { createHash } from 'node:crypto';
import type { Rng } from './random.js';
import {
  ATTACKER_GIT_UA, ATTACKER_IP, CONSOLE_UA, DATA_END, ORG, PEOPLE, REPO, T, plus,
  type Job, type Person, type Story, type WorkflowRun,
} from './story.js';

export type AuditRecord = Record<string, unknown>;

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64 SHA-256 of a token, the form GitHub logs in `hashed_token`. */
function hashedToken(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

/** jdoe-contractor's classic PAT: the same token hash from his laptop and, later, the attacker's. */
const JDOE_TOKEN = { hashed: hashedToken('ghp_jdoeContractorFineTokenNotReal0001'), id: 3148502217 };

class Recorder {
  readonly records: AuditRecord[] = [];
  constructor(private readonly rng: Rng) {}

  add(action: string, when: Date, fields: AuditRecord): void {
    // GitHub stamps milliseconds; the story's times are whole seconds.
    const ms = when.getTime() + (when.getUTCMilliseconds() === 0 ? this.rng.int(0, 999) : 0);
    const rec: AuditRecord = {
      '@timestamp': ms,
      _document_id: this.rng.chars(22, B64URL),
      action,
      created_at: ms,
      org: ORG.name,
      org_id: ORG.id,
      ...fields,
    };
    this.records.push(Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  }
}

function actorFields(p: Person, withIp: boolean): AuditRecord {
  return {
    actor: p.login,
    actor_id: p.id,
    actor_is_bot: p.bot ?? false,
    actor_ip: withIp && p.ip ? p.ip : undefined,
    actor_location: withIp && p.ip ? { country_code: p === PEOPLE.jdoe ? 'PT' : 'US' } : undefined,
  };
}

function repoFields(): AuditRecord {
  return { repo: REPO.name, repo_id: REPO.id, public_repo: REPO.visibility === 'public' };
}

function runFields(run: WorkflowRun): AuditRecord {
  return {
    event: run.event,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    name: run.workflowName,
    run_attempt: run.attempt,
    run_number: run.runNumber,
    workflow_id: run.workflowId,
    workflow_run_id: run.runId,
  };
}

function iso(d: Date): string {
  return d.toISOString();
}

function renderRun(rec: Recorder, run: WorkflowRun): void {
  const actor = actorFields(run.actor, false);
  if (run.attempt > 1) {
    // A re-run is requested by a person (with their address), then runs as attempt N.
    rec.add('workflows.rerun_workflow_run', plus(run.createdAt, -2), { ...actorFields(run.actor, true), ...repoFields(), ...runFields(run), operation_type: 'modify', user_agent: CONSOLE_UA });
  } else {
    rec.add('workflows.created_workflow_run', run.createdAt, {
      ...actor, ...repoFields(), ...runFields(run), operation_type: 'create', started_at: iso(run.createdAt), trigger_id: run.runId + 7,
    });
  }
  for (const job of run.jobs) renderJob(rec, run, job);
  rec.add('workflows.completed_workflow_run', run.completedAt, {
    ...actor, ...repoFields(), ...runFields(run), operation_type: 'modify', conclusion: run.conclusion,
    started_at: iso(run.createdAt), completed_at: iso(run.completedAt),
  });
}

function renderJob(rec: Recorder, run: WorkflowRun, job: Job): void {
  rec.add('workflows.prepared_workflow_job', job.startedAt, {
    ...actorFields(run.actor, false), ...repoFields(), ...runFields(run),
    operation_type: 'modify',
    job_name: job.name,
    job_workflow_ref: `${REPO.name}/${run.workflowPath}@${run.ref}`,
    secrets_passed: [...job.secrets],
    is_hosted_runner: job.runner.hosted,
    runner_group_id: job.runner.groupId,
    runner_group_name: job.runner.groupName,
    runner_id: job.runner.id,
    runner_labels: job.runner.labels,
    runner_name: job.runner.name,
    started_at: iso(job.startedAt),
  });
}

function gitEvent(rec: Recorder, action: 'git.push' | 'git.clone', when: Date, who: Person, via: 'ssh' | 'http', ip = who.ip, ua?: string): void {
  const token = who === PEOPLE.jdoe && via === 'http' ? JDOE_TOKEN : undefined;
  rec.add(action, when, {
    ...actorFields(who, true),
    actor_ip: ip,
    actor_location: { country_code: ip === ATTACKER_IP ? 'NL' : who === PEOPLE.jdoe ? 'PT' : 'US' },
    repo: REPO.name,
    repository: REPO.name,
    repository_public: REPO.visibility === 'public',
    transport_protocol: via === 'http' ? 1 : 2,
    transport_protocol_name: via,
    hashed_token: token?.hashed,
    token_id: token?.id,
    programmatic_access_type: token ? 'Personal access token (classic)' : undefined,
    token_scopes: token ? 'repo,workflow' : undefined,
    user_agent: ua ?? (via === 'ssh' ? 'SSH-2.0-OpenSSH_9.6' : 'git/2.46.0'),
  });
}

function secretEvent(rec: Recorder, verb: 'create' | 'update' | 'remove', when: Date, who: Person, key: string): void {
  rec.add(`repo.${verb}_actions_secret`, when, {
    ...actorFields(who, true), ...repoFields(), key,
    operation_type: verb === 'create' ? 'create' : verb === 'update' ? 'modify' : 'remove',
    user_agent: CONSOLE_UA,
  });
}

/** All audit records of the story, sorted by time. */
export function githubRecords(story: Story, rng: Rng): AuditRecord[] {
  const rec = new Recorder(rng);
  const r = rng.fork('people');

  for (const run of story.runs) {
    // What started the run, as a person's (or the scheduler's) action.
    if (run.kind === 'release' && run.attempt === 1) gitEvent(rec, 'git.push', plus(run.createdAt, -3), run.actor, 'ssh');
    if (run.kind === 'ci' && run.pullRequest !== 418) {
      const via = run.actor === PEOPLE.jdoe ? 'http' : 'ssh';
      gitEvent(rec, 'git.push', plus(run.createdAt, -r.int(2, 5)), run.actor, via);
      if (run.event === 'pull_request' && r.chance(0.5)) {
        rec.add('pull_request.create', plus(run.createdAt, -1), {
          ...actorFields(run.actor, true), ...repoFields(), operation_type: 'create', pull_request_id: 2_400_000_000 + run.pullRequest!,
          pull_request_title: `Change #${run.pullRequest}`, pull_request_url: `https://github.com/${REPO.name}/pull/${run.pullRequest}`,
          user_agent: CONSOLE_UA,
        });
      }
    }
    renderRun(rec, run);
  }

  // Ordinary secret maintenance: the npm token was rotated in September.
  secretEvent(rec, 'update', new Date('2025-09-17T10:42:19Z'), PEOPLE.ana, 'NPM_TOKEN');

  // --- the attack ------------------------------------------------------------------------------
  gitEvent(rec, 'git.clone', T.gitClone, PEOPLE.jdoe, 'http', ATTACKER_IP, ATTACKER_GIT_UA);
  gitEvent(rec, 'git.push', T.gitPush, PEOPLE.jdoe, 'http', ATTACKER_IP, ATTACKER_GIT_UA);
  const attackerActor = { ...actorFields(PEOPLE.jdoe, true), actor_ip: ATTACKER_IP, actor_location: { country_code: 'NL' }, hashed_token: JDOE_TOKEN.hashed, token_id: JDOE_TOKEN.id, programmatic_access_type: 'Personal access token (classic)', user_agent: 'GitHub CLI 2.63.0' };
  rec.add('pull_request.create', T.prOpened, {
    ...attackerActor, ...repoFields(), operation_type: 'create', pull_request_id: 2_400_000_418,
    pull_request_title: 'ci: stabilise flaky cache restore', pull_request_url: `https://github.com/${REPO.name}/pull/418`,
  });
  for (const [when, run] of [[T.deleteRun1, story.attack.pushRun], [T.deleteRun2, story.attack.prRun]] as const) {
    // Deleting the runs removes their logs from the UI; the audit log keeps the record of it.
    rec.add('workflows.delete_workflow_run', when, { ...attackerActor, ...repoFields(), ...runFields(run), operation_type: 'remove' });
  }
  rec.add('pull_request.close', T.prClosed, {
    ...attackerActor, ...repoFields(), operation_type: 'modify', pull_request_id: 2_400_000_418,
    pull_request_title: 'ci: stabilise flaky cache restore', pull_request_url: `https://github.com/${REPO.name}/pull/418`,
  });

  // --- containment by the security team ----------------------------------------------------------
  rec.add('repo.remove_member', T.removeCollaborator, {
    ...actorFields(PEOPLE.mei, true), ...repoFields(), operation_type: 'remove', user: PEOPLE.jdoe.login, user_id: PEOPLE.jdoe.id, user_agent: CONSOLE_UA,
  });
  secretEvent(rec, 'remove', T.removeCosignKeySecret, PEOPLE.mei, 'COSIGN_KEY');
  secretEvent(rec, 'remove', T.removeCosignPassword, PEOPLE.mei, 'COSIGN_PASSWORD');
  secretEvent(rec, 'remove', T.removeAwsKeyIdSecret, PEOPLE.mei, 'AWS_ACCESS_KEY_ID');
  secretEvent(rec, 'remove', T.removeAwsSecretSecret, PEOPLE.mei, 'AWS_SECRET_ACCESS_KEY');
  secretEvent(rec, 'update', T.updateVaultSecretId, PEOPLE.mei, 'VAULT_SECRET_ID');

  const out = rec.records.filter((x) => (x['@timestamp'] as number) <= DATA_END.getTime());
  out.sort((a, b) => (a['@timestamp'] as number) - (b['@timestamp'] as number));
  return out;
}

/** One NDJSON file per week (Monday start), named after the week's first day. */
export function githubFiles(records: readonly AuditRecord[]): Map<string, string> {
  const files = new Map<string, string[]>();
  for (const r of records) {
    const d = new Date(r['@timestamp'] as number);
    const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
    const name = `github/audit-log/acme-audit-log-week-${monday.toISOString().slice(0, 10)}.ndjson`;
    if (!files.has(name)) files.set(name, []);
    files.get(name)!.push(JSON.stringify(r));
  }
  return new Map([...files].map(([k, v]) => [k, v.join('\n') + '\n']));
}
