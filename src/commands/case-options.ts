/**
 * The options every investigation command shares: the key (`--key`, `--case`), what a sanctioned
 * signing looks like (`--expect-*`), and the tunables of the analyses. Validation errors are usage
 * errors naming the flag.
 */
import { Command, Option } from 'commander';
import { Investigation, type InvestigateOptions } from '../analyses/investigate.js';
import { buildCase, EXPECT_FLAGS, type CaseSpec, type ExpectKind } from '../case/spec.js';
import { parseTime } from '../case/spec.js';
import { UsageError } from '../errors.js';
import type { CliContext } from './context.js';

export interface CaseFlags {
  key: string[];
  case?: string;
  expectWorkflow: string[];
  expectRef: string[];
  expectIdentity: string[];
  expectIssuer: string[];
  expectPrincipal: string[];
  baselineDays?: string;
  logDelay?: string;
  pairWindow?: string;
  maxKeyAge?: string;
  gapHours?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds the case options to a command. */
export function withCaseOptions(cmd: Command): Command {
  return cmd
    .option('--key <selector>', 'the key: fp:<sha256>, kms:<id|alias|arn>, vault:<name>, secret:<name>, identity:<SAN glob> (repeatable)', collect, [])
    .option('--case <file>', 'case file (JSON): name, keys, expected signers, window overrides')
    .option('--expect-workflow <glob>', 'a sanctioned signing workflow, e.g. acme/app/.github/workflows/release.yml (repeatable)', collect, [])
    .option('--expect-ref <glob>', 'a sanctioned ref, e.g. refs/tags/v* (repeatable)', collect, [])
    .option('--expect-identity <glob>', 'a sanctioned keyless identity (certificate SAN) (repeatable)', collect, [])
    .option('--expect-issuer <glob>', 'a sanctioned OIDC issuer (repeatable)', collect, [])
    .option('--expect-principal <glob>', 'a principal allowed to use or read the key (repeatable)', collect, [])
    .option('--baseline-days <n>', 'trailing baseline of the novelty rules, in days', '30')
    .addOption(new Option('--log-delay <seconds>', 'tolerance around CI job start/end when attributing signatures').default('300'))
    .addOption(new Option('--pair-window <seconds>', 'how long before a signature its KMS sign call may be').default('300'))
    .addOption(new Option('--max-key-age <days>', 'LONG_LIVED_KEY: rotation limit').default('365'))
    .addOption(new Option('--gap-hours <n>', 'LOGGING_GAP: shortest silence reported').default('6'));
}

function int(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}`);
  return n;
}

/** The case from --case, --key and --expect-* flags. */
export function caseFromFlags(flags: CaseFlags): CaseSpec {
  const expect: Partial<Record<ExpectKind, string[]>> = {
    workflows: flags.expectWorkflow, refs: flags.expectRef, identities: flags.expectIdentity,
    issuers: flags.expectIssuer, principals: flags.expectPrincipal,
  };
  return buildCase({ keys: flags.key, caseFile: flags.case, expect });
}

/** The analysis tunables from flags. */
export function optionsFromFlags(flags: CaseFlags & { from?: string; to?: string; allInWindow?: boolean }): InvestigateOptions {
  return {
    baselineDays: int(flags.baselineDays, '--baseline-days', 1, 3650),
    logDelaySeconds: int(flags.logDelay, '--log-delay', 0, 86_400),
    pairWindowSeconds: int(flags.pairWindow, '--pair-window', 1, 86_400),
    maxKeyAgeDays: int(flags.maxKeyAge, '--max-key-age', 1, 36_500),
    gapHours: int(flags.gapHours, '--gap-hours', 1, 8760),
    from: flags.from !== undefined ? parseTime(flags.from, '--from') : undefined,
    to: flags.to !== undefined ? parseTime(flags.to, '--to') : undefined,
    allInWindow: flags.allInWindow,
  };
}

/**
 * Validates the flags, opens the case database read-only and resolves the case; tells the analyst
 * (on stderr) which expectations were inferred from history and which selectors found nothing.
 */
export async function openInvestigation(c: CliContext, flags: CaseFlags & { from?: string; to?: string; allInWindow?: boolean }): Promise<Investigation> {
  const spec = caseFromFlags(flags);
  const options = optionsFromFlags(flags);
  const store = await c.openStore({ readOnly: true });
  const inv = new Investigation(store, spec, { ...options, cacheDir: c.cacheDir });
  c.onSuccess(() => inv.saveCache());
  const resolved = await inv.resolve();
  const inferred = resolved.expectations.filter((e) => e.inferred);
  if (inferred.length > 0) {
    c.out.note('inferred from history (confirm or correct them in a case file):');
    for (const e of inferred) c.out.note(`  ${EXPECT_FLAGS[e.kind]} ${e.value}   (seen on ${e.days} days, ${e.uses} uses)`);
  }
  if (resolved.counts.events === 0 && resolved.counts.signatures === 0) {
    c.out.warn(`nothing in ${c.dbPath} matches ${spec.keys.map((k) => k.text).join(', ')}`);
  }
  return inv;
}
