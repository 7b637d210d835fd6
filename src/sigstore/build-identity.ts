/**
 * The CI run behind a keyless signature, in the terms the other tables use: `repo` (`org/name`),
 * `workflow` (`org/name/.github/workflows/release.yml`, the form case files and ci_runs use),
 * `ref`, `run_id` and `run_attempt`, and the commit.
 *
 * Sources, in order: the provider-generic extensions (.12 source repository URI, .18 build config
 * URI, .14 ref, .21 run invocation URI, .13 digest), then the deprecated GitHub ones (.5, .6, .3)
 * that 2022-era certificates carry alone, then the SAN when it is a workflow URI.
 */

export interface BuildIdentity {
  repo: string | null;
  workflow: string | null;
  ref: string | null;
  commit: string | null;
  runId: string | null;
  runAttempt: number | null;
}

/** `https://host/a/b(.git)` → `a/b`; null when not an http(s) URL with a path. */
export function repoFromUri(uri: string | undefined | null): string | null {
  if (!uri) return null;
  const m = /^https?:\/\/[^/]+\/(.+?)(?:\.git)?\/?$/.exec(uri);
  return m ? m[1] : null;
}

/**
 * `https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1` → `o/r/.github/workflows/x.yml`.
 * GitLab's `gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main` loses its doubled slash.
 */
export function workflowFromUri(uri: string | undefined | null): string | null {
  if (!uri) return null;
  const m = /^(?:https?:\/\/)?[^/]+\/(.+?)@[^@]*$/.exec(uri);
  return m ? m[1].replace(/\/{2,}/g, '/') : null;
}

/** GitHub `…/actions/runs/<id>/attempts/<n>` or GitLab `…/-/jobs/<id>` → id and attempt. */
export function runFromUri(uri: string | undefined | null): { runId: string; runAttempt: number | null } | null {
  if (!uri) return null;
  const gh = /\/actions\/runs\/([0-9]+)(?:\/attempts\/([0-9]+))?\/?$/.exec(uri);
  if (gh) return { runId: gh[1], runAttempt: gh[2] ? Number(gh[2]) : null };
  const gl = /\/-\/jobs\/([0-9]+)\/?$/.exec(uri);
  if (gl) return { runId: gl[1], runAttempt: null };
  return null;
}

/** Builds the CI identity from a certificate's Fulcio extensions (by name) and SAN. */
export function buildIdentity(ext: Readonly<Record<string, string>>, san: string | null): BuildIdentity {
  const sanIsWorkflow = san !== null && /^https:\/\/[^/]+\/[^@]+@/.test(san);
  const run = runFromUri(ext.run_invocation_uri);
  const sanRepo = sanIsWorkflow && san.startsWith('https://github.com/') ? /^https:\/\/github\.com\/([^/]+\/[^/]+)\//.exec(san)?.[1] ?? null : null;
  return {
    repo: repoFromUri(ext.source_repository_uri) ?? ext.github_workflow_repository ?? sanRepo,
    workflow: workflowFromUri(ext.build_config_uri) ?? (sanIsWorkflow ? workflowFromUri(san) : null),
    ref: ext.source_repository_ref ?? ext.github_workflow_ref ?? null,
    commit: ext.source_repository_digest ?? ext.github_workflow_sha ?? null,
    runId: run?.runId ?? null,
    runAttempt: run?.runAttempt ?? null,
  };
}
