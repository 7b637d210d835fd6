import { Command } from 'commander';
import { runCaseQuery } from '../analyses/query.js';
import { analysisById, loadAnalyses } from '../analyses/registry.js';
import { UsageError } from '../errors.js';
import type { Param } from '../store/database.js';
import type { CliContext } from './context.js';

export function queriesCommand(ctx: () => CliContext): Command {
  return new Command('queries')
    .description('list the canned analyses')
    .action(() => {
      const rows = loadAnalyses().map((a) => ({
        id: a.id,
        title: a.title,
        severity: a.severity,
        // Case-scoped analyses also take the case: key= (repeatable), case=, expect_<kind>=.
        params: [...(a.extra.scope === 'case' ? ['key:varchar[]', 'case:varchar', 'expect_*:varchar[]'] : []), ...a.params.map((p) => `${p.name}:${p.type}`)].join(', '),
        mitre: a.mitre.join(', '),
        owasp_nhi: a.owaspNhi.join(', '),
      }));
      ctx().out.rows(['id', 'title', 'severity', 'params', 'mitre', 'owasp_nhi'], rows, { empty: 'no analyses installed' });
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses repeated `--param k=v` into bound parameters; list-typed params may repeat. */
export function parseParams(pairs: readonly string[], specs: readonly { name: string; type: string; default?: string }[]): Record<string, Param> {
  const values: Record<string, Param> = {};
  for (const p of specs) {
    if (p.type.endsWith('[]')) values[p.name] = p.default ? p.default.split('|') : [];
    else values[p.name] = p.default ?? null;
  }
  const seen = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--param "${pair}" is not key=value`);
    const k = pair.slice(0, eq);
    const v = pair.slice(eq + 1);
    const spec = specs.find((s) => s.name === k);
    if (!spec) throw new UsageError(`unknown parameter "${k}"`, { hint: specs.length ? `parameters: ${specs.map((s) => s.name).join(', ')}` : 'this analysis takes no parameters' });
    if (spec.type.endsWith('[]')) values[k] = [...(seen.has(k) ? (values[k] as string[]) : []), v];
    else values[k] = v;
    seen.add(k);
  }
  return values;
}

export function queryCommand(ctx: () => CliContext): Command {
  return new Command('query')
    .description('run one canned analysis by id')
    .argument('<id>', 'analysis id (see `sigtrail queries`)')
    .option('--param <key=value>', 'bind a parameter (repeatable)', collect, [])
    .action(async (id: string, flags: { param: string[] }) => {
      const c = ctx();
      const a = analysisById(id);
      if (a.extra.scope === 'case') {
        // Investigation analyses read the case tables: the case comes from key=/case=/expect_*= params.
        const store = await c.openStore({ readOnly: true });
        const { columns, rows } = await runCaseQuery(store, a, flags.param, { dir: c.cacheDir, saved: (inv) => c.onSuccess(() => inv.saveCache()) });
        c.out.rows(columns, rows, { title: a.title });
        return;
      }
      const params = parseParams(flags.param, a.params);
      const store = await c.openStore({ readOnly: true });
      const used = Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`\\$${k}\\b`).test(a.sql)));
      const { columns, rows } = await store.table(a.sql, used);
      c.out.rows(columns, rows, { title: a.title });
    });
}
