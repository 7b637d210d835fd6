/**
 * Synthetic GitHub organisation audit-log stream records, shaped like
 * ../shared/realdata/github/elastic/elastic_github_audit_org.excerpt.ndjson: `@timestamp` and
 * `created_at` in epoch milliseconds, `_document_id`, git traffic dominating, and the workflow
 * events (`workflows.*`, including `prepared_workflow_job` with `secrets_passed`) an investigation
 * follows.
 */
import type { Random } from '../random.js';

const ORG = 'acme';
const REPOS = ['acme/ledger', 'acme/app', 'acme/infra', 'acme/web', 'acme/docs', 'acme/sdk-js', 'acme/sdk-go'];
const ACTORS = ['alice', 'bob', 'chris', 'dana', 'erin', 'github-actions[bot]', 'dependabot[bot]', 'renovate[bot]'];
const WORKFLOWS = ['.github/workflows/ci.yml', '.github/workflows/release.yml', '.github/workflows/codeql.yml', '.github/workflows/nightly.yml'];
const SECRETS = ['COSIGN_KEY', 'COSIGN_PASSWORD', 'NPM_TOKEN', 'DOCKERHUB_TOKEN', 'AWS_ROLE_ARN', 'SLACK_WEBHOOK'];
const AGENTS = [
  'git/2.43.0', 'git/2.39.3.windows.1', 'GitHub Actions', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
  'octokit-rest.js/20.0.2 octokit-core.js/5.0.2 Node.js/20', 'terraform-provider-github/6.2.1',
];

type Rec = Record<string, unknown>;

function common(r: Random, ms: number, action: string, actor: string): Rec {
  const repo = r.pick(REPOS);
  return {
    '@timestamp': ms,
    _document_id: r.alnum(22),
    action,
    actor,
    actor_id: 1000 + ACTORS.indexOf(actor) * 7919,
    actor_ip: r.ipv4(),
    actor_is_bot: actor.endsWith('[bot]'),
    actor_location: { country_code: r.pick(['US', 'US', 'DE', 'GB', 'IN']) },
    business: 'acme-enterprise',
    business_id: 67609,
    created_at: ms,
    org: ORG,
    org_id: 142831595,
    repo,
    repo_id: 266143714 + REPOS.indexOf(repo),
    repository: repo,
    repository_public: false,
    user_agent: r.pick(AGENTS),
  };
}

function token(r: Random): Rec {
  return {
    hashed_token: Buffer.from(r.hex(64), 'hex').toString('base64'),
    token_id: 213123634 + r.int(50),
    programmatic_access_type: r.pick(['OAuth access token', 'GitHub App server-to-server token', 'Fine-grained personal access token']),
    token_scopes: 'repo,workflow',
  };
}

function workflowRun(r: Random, ms: number): Rec {
  const sha = r.hex(40);
  return {
    workflow_id: 44444444 + r.int(4),
    workflow_run_id: 5555555555 + r.int(1_000_000),
    head_sha: sha,
    head_branch: r.weighted([[5, 'main'], [1, `v1.${r.int(40)}.${r.int(9)}`], [1, `dependabot/npm_and_yarn/lodash-4.17.${r.int(22)}`]] as const),
    run_number: 1 + r.int(5000),
    run_attempt: r.chance(0.05) ? 2 : 1,
    event: r.pick(['push', 'push', 'pull_request', 'schedule', 'workflow_dispatch', 'release']),
    name: r.pick(['CI', 'Release', 'CodeQL', 'Nightly']),
    started_at: new Date(ms - 120_000).toISOString(),
  };
}

/** One audit-log record at time `ms`. */
export function githubAuditRecord(r: Random, ms: number): Rec {
  const kind = r.weighted([
    [40, 'git.clone'], [15, 'git.fetch'], [5, 'git.push'], [8, 'workflows.created_workflow_run'],
    [8, 'workflows.completed_workflow_run'], [10, 'workflows.prepared_workflow_job'], [3, 'repo.download_zip'],
    [0.2, 'repo.create_actions_secret'], [0.1, 'org.update_actions_secret'], [0.3, 'org.add_member'],
    [0.3, 'hook.create'], [0.3, 'protected_branch.update'], [1, 'oauth_access.create'],
  ] as const);
  const human = r.pick(ACTORS.slice(0, 5));
  switch (kind) {
    case 'git.clone':
    case 'git.fetch':
    case 'git.push':
    case 'repo.download_zip':
      return { ...common(r, ms, kind, r.chance(0.6) ? 'github-actions[bot]' : human), ...token(r), transport_protocol: 1, transport_protocol_name: 'http', user: '' };
    case 'workflows.created_workflow_run':
      return { ...common(r, ms, kind, human), ...workflowRun(r, ms), operation_type: 'create', workflow: r.pick(WORKFLOWS) };
    case 'workflows.completed_workflow_run':
      return { ...common(r, ms, kind, human), ...workflowRun(r, ms), operation_type: 'modify', completed_at: new Date(ms).toISOString(), conclusion: r.weighted([[9, 'success'], [1, 'failure'], [0.3, 'cancelled']] as const) };
    case 'workflows.prepared_workflow_job': {
      const wf = r.pick(WORKFLOWS);
      const run = workflowRun(r, ms);
      const hosted = r.chance(0.9);
      return {
        ...common(r, ms, kind, 'github-actions[bot]'), ...run, operation_type: 'create',
        job_name: r.pick(['build', 'test', 'lint', 'sign', 'publish']),
        job_workflow_ref: `acme/ledger/${wf}@refs/heads/main`,
        calling_workflow_refs: [], calling_workflow_shas: [],
        secrets_passed: SECRETS.filter(() => r.chance(0.3)),
        is_hosted_runner: hosted,
        runner_id: 1 + r.int(400),
        runner_name: hosted ? `GitHub Actions ${1 + r.int(400)}` : `self-hosted-${r.int(12)}`,
        runner_group_name: hosted ? 'GitHub Actions' : 'build-farm',
        runner_labels: hosted ? ['ubuntu-latest'] : ['self-hosted', 'linux', 'x64'],
      };
    }
    case 'repo.create_actions_secret':
    case 'org.update_actions_secret':
      return { ...common(r, ms, kind, human), ...token(r), operation_type: kind.includes('create') ? 'create' : 'modify', secret_name: r.pick(SECRETS) };
    case 'org.add_member':
      return { ...common(r, ms, kind, human), operation_type: 'create', permission: r.pick(['read', 'admin']), user: r.pick(ACTORS.slice(0, 5)), user_id: 4562345 };
    case 'hook.create':
      return { ...common(r, ms, kind, human), ...token(r), active: true, events: ['push'], hook_id: 23122678 + r.int(1000), name: 'webhook', operation_type: 'create' };
    case 'protected_branch.update':
      return { ...common(r, ms, kind, human), name: 'main', operation_type: 'modify', required_status_checks_enforcement_level: 'non_admins' };
    case 'oauth_access.create':
      return { ...common(r, ms, kind, human), ...token(r), operation_type: 'create', oauth_application: 'Terraform', oauth_application_id: 1201 };
  }
}
