/**
 * The investigation: a case over a store, answered by the analyses in queries/.
 *
 * Order matters because answers feed each other, and each step runs once:
 *   1. resolve the case (src/case/resolve.ts): aliases, the key's events and signatures, KMS pairing
 *   2. attribution.sql → c_attr: which build made each signature
 *   3. rules of stage `use` and `governance` → c_finding (they need no window)
 *   4. window.sql: first_evidence is the earliest `use` finding; contained_at the first revocation after it
 *   5. rules of stage `window` (use after containment, logging gaps) with the bounds
 *   6. pivots from the findings → lateral.sql (following issued credentials) → rules of stage `lateral`
 *   7. signed.sql (verdicts from c_attr + findings), distrust.sql, access.sql, timeline.sql
 *
 * The case tables are TEMP tables on the store's connection, so one Investigation runs at a time
 * per Store.
 */
import { performance } from 'node:perf_hooks';
import { CASE_MACROS } from '../case/macros.js';
import { resolveCase, type ResolvedCase } from '../case/resolve.js';
import type { CaseSpec } from '../case/spec.js';
import type { Param, Store } from '../store/database.js';
import type { Plain, Row } from '../store/values.js';
import { CaseCache, dropCaseObjects } from './cache.js';
import { FileIndex, evidenceRef, findingFingerprint, rawEvidenceList } from './evidence.js';
import { fetchRows } from './fetch.js';
import { analysisById, loadAnalyses, SEVERITIES, type Analysis, type Severity } from './registry.js';
import { FINDINGS_DDL, materialise, runAnalysis, runRule, type Values } from './runner.js';
import type {
  AccessRow, Bound, BoundEvidence, DistrustDoc, Finding, InvestigationResult, LateralRow, RuleId, SignedRow, TimelineRow, Verdict, WindowDoc,
} from './types.js';

export interface InvestigateOptions {
  /** Trailing baseline for the novelty rules (default 30 days). */
  baselineDays?: number;
  /** Tolerance around CI job start/end for log delay and clock skew (default 300 s). */
  logDelaySeconds?: number;
  /** How long before a signature's integrated time its KMS sign call may be (default 300 s). */
  pairWindowSeconds?: number;
  /** How long after the integrated time a sign call may be logged (clock skew, default 5 s). */
  clockSkewSeconds?: number;
  /** Duration assumed for a CI job known only by its start event (default 6 h). */
  jobMaxHours?: number;
  /** LONG_LIVED_KEY: rotation limit (default 365 days). */
  maxKeyAgeDays?: number;
  /** LOGGING_GAP: the shortest silence reported (default 6 h). */
  gapHours?: number;
  /**
   * Where to keep this case's derived tables between commands (see cache.ts); none by default,
   * the CLI passes `<db>.cache`.
   */
  cacheDir?: string | null;
  /** Listing range for signed and timeline (default: the window). */
  from?: string | null;
  to?: string | null;
  /** distrust: every digest signed in the window, not only the unattested. */
  allInWindow?: boolean;
}

/** The order of a window's evidence rows. */
const BOUND_ORDER: readonly Bound[] = ['earliest_possible', 'first_exposure', 'first_evidence', 'contained_at', 'last_use', 'open'];

/** The tunables' defaults (see InvestigateOptions and docs/analyses.md). */
export const DEFAULT_OPTIONS = {
  baselineDays: 30,
  logDelaySeconds: 300,
  pairWindowSeconds: 300,
  clockSkewSeconds: 5,
  jobMaxHours: 6,
  maxKeyAgeDays: 365,
  gapHours: 6,
};

const MAX_HOPS = 3;

const PIVOTS_SQL = `CREATE OR REPLACE TEMP TABLE c_pivot AS
  WITH f AS (SELECT * FROM c_finding WHERE stage = 'use' OR rule = 'USE_AFTER_CONTAINMENT')
  SELECT DISTINCT 'principal' AS kind, f.principal AS value FROM f CROSS JOIN c_x x
  WHERE f.principal IS NOT NULL AND NOT c_match(f.principal, x.principals)
  UNION SELECT 'credential', credential_id FROM f WHERE credential_id IS NOT NULL
  UNION SELECT 'address', source_ip FROM f WHERE c_is_ip(source_ip)
  UNION SELECT 'run', run_id FROM f WHERE run_id IS NOT NULL`;

// Credentials the pivots were issued (roles assumed, access keys created) are followed too.
const HOP_SQL = `INSERT INTO c_pivot
  SELECT DISTINCT 'credential', issued_credential_id FROM c_lateral
  WHERE issued_credential_id IS NOT NULL AND outcome = 'success' AND action IN ('credential.assume', 'credential.create')
    AND issued_credential_id NOT IN (SELECT value FROM c_pivot WHERE kind = 'credential')`;

function str(v: Plain | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function text(v: Plain | undefined): string {
  return str(v) ?? '';
}

function strList(v: Plain | undefined): string[] {
  return Array.isArray(v) ? v.filter((x) => x !== null).map((x) => text(x)) : [];
}

function num(v: Plain | undefined): number | null {
  return typeof v === 'number' ? v : null;
}

/** One case over one store; each step runs once, on demand (see the file comment for the order). */
export class Investigation {
  private readonly opts: typeof DEFAULT_OPTIONS & InvestigateOptions;
  private resolved?: ResolvedCase;
  private files?: FileIndex;
  private done = new Set<string>();
  private bounds?: BoundEvidence[];
  private windowDoc?: WindowDoc;
  private findingsList?: Finding[];
  private readonly analyses: Map<string, Analysis>;
  private cache?: CaseCache;
  /** The steps the cache entry this investigation started from had done (none: computed afresh). */
  private cachedSteps?: string;

  constructor(
    readonly store: Store,
    readonly spec: CaseSpec,
    options: InvestigateOptions = {},
  ) {
    this.opts = { ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
    this.analyses = new Map(loadAnalyses().map((a) => [a.id, a]));
  }

  /** The selectors, as written in the output's `key` list. */
  get scope(): string[] {
    return this.spec.keys.map((k) => k.text);
  }

  private analysis(id: string): Analysis {
    return this.analyses.get(id) ?? analysisById(id);
  }

  /** Values every analysis may bind (each binds only what its header declares). */
  private values(extra: Values = {}): Values {
    const o = this.opts;
    return {
      baseline_days: o.baselineDays, log_delay_s: o.logDelaySeconds, pair_window_s: o.pairWindowSeconds,
      clock_skew_s: o.clockSkewSeconds, job_max_h: o.jobMaxHours, max_key_age_days: o.maxKeyAgeDays, gap_hours: o.gapHours,
      window_from: this.spec.window.from, window_to: this.spec.window.to, all_in_window: o.allInWindow ?? false,
      ...extra,
    };
  }

  /** Milliseconds spent in each step (resolve, attribution, rules, window, lateral, …), for the benchmark. */
  readonly timings: Record<string, number> = {};

  private async timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.timings[step] = (this.timings[step] ?? 0) + (performance.now() - t0);
    }
  }

  private async once(step: string, fn: () => Promise<void>): Promise<void> {
    if (this.done.has(step)) return;
    await this.timed(step, fn);
    this.done.add(step);
  }

  /** Step 1: the case tables (restored from the case cache when it has them). */
  async resolve(): Promise<ResolvedCase> {
    if (!this.resolved) {
      const restored = this.opts.cacheDir ? await this.restore(this.opts.cacheDir) : false;
      if (!restored) {
        // Views restored by an earlier cached investigation on this connection would block the tables.
        await dropCaseObjects(this.store);
        this.resolved = await this.timed('resolve', () => resolveCase(this.store, this.spec, {
          log_delay_s: this.opts.logDelaySeconds, job_max_h: this.opts.jobMaxHours,
          pair_window_s: this.opts.pairWindowSeconds, clock_skew_s: this.opts.clockSkewSeconds,
        }));
      }
      this.files = await FileIndex.load(this.store);
    }
    return this.resolved!;
  }

  /** What the cached tables depend on besides the data and the code (the listing range does not). */
  private cacheInputs(): unknown {
    const { from: _from, to: _to, allInWindow: _all, cacheDir: _dir, ...tunables } = this.opts;
    return { spec: this.spec, tunables };
  }

  private async restore(dir: string): Promise<boolean> {
    return this.timed('cache', async () => {
      this.cache = await CaseCache.for(this.store, dir, this.cacheInputs());
      const state = await this.cache.load();
      if (!state) return false;
      await this.store.exec(CASE_MACROS);
      this.resolved = state.resolved as ResolvedCase;
      this.bounds = (state.bounds as BoundEvidence[] | undefined) ?? undefined;
      this.done = new Set(state.done);
      this.cachedSteps = [...this.done].sort().join(',');
      return true;
    });
  }

  /**
   * Saves the tables and steps computed so far to the case cache, when there is one and this
   * investigation computed something it did not have. Returns true when an entry was written.
   */
  async saveCache(): Promise<boolean> {
    if (!this.cache || !this.resolved) return false;
    const steps = [...this.done].sort().join(',');
    if (this.cachedSteps !== undefined && steps === this.cachedSteps) return false;
    const saved = await this.cache.save({ done: [...this.done], resolved: this.resolved, bounds: this.bounds });
    if (saved) this.cachedSteps = steps;
    return saved;
  }

  private rules(stage: string): Analysis[] {
    return [...this.analyses.values()].filter((a) => a.extra.kind === 'rule' && a.extra.stage === stage);
  }

  private async attribution(): Promise<void> {
    await this.resolve();
    await this.once('attribution', async () => {
      await materialise(this.store, 'c_attr', this.analysis('attribution'), this.values());
      await this.store.exec(FINDINGS_DDL);
    });
  }

  private async phaseUse(): Promise<void> {
    await this.attribution();
    await this.once('use', async () => {
      // A single rule run by query() is run again with the others.
      await this.store.exec('DELETE FROM c_finding');
      for (const a of [...this.rules('use'), ...this.rules('governance')]) await this.timed(a.id, () => runRule(this.store, a, this.values()));
    });
  }

  /** Step 4: the bound rows (before use-after-containment decides `open`). */
  private async windowBounds(): Promise<BoundEvidence[]> {
    await this.phaseUse();
    if (!this.bounds) {
      const { rows } = await this.timed('window', () => runAnalysis(this.store, this.analysis('window'), this.values()));
      this.bounds = rows.map((r) => {
        const ev = this.files!.evidence({ tbl: str(r.tbl), id: str(r.id), file_id: num(r.file_id), record_no: num(r.record_no) });
        return {
          bound: r.bound as Bound, ts: str(r.ts), source: str(r.source) ?? 'unknown',
          ref: r.tbl === 'case' || r.tbl === 'alias' ? `${text(r.tbl)}:${str(r.id)}` : evidenceRef(ev), summary: str(r.summary) ?? '',
          file: ev.file, record_no: ev.record_no, ...(r.alias ? { alias: text(r.alias) } : {}),
        };
      });
      // A UNION ALL keeps no order: bounds in their conceptual order, revocations by time (never-revoked last), then alias.
      this.bounds.sort((a, b) => BOUND_ORDER.indexOf(a.bound) - BOUND_ORDER.indexOf(b.bound)
        || (a.ts === null ? 1 : 0) - (b.ts === null ? 1 : 0) || (a.ts ?? '').localeCompare(b.ts ?? '') || (a.alias ?? '').localeCompare(b.alias ?? ''));
    }
    return this.bounds;
  }

  private bound(rows: readonly BoundEvidence[], b: Bound): string | null {
    return rows.find((r) => r.bound === b)?.ts ?? null;
  }

  /**
   * The window is contained when the last of the key's aliases is: the latest of the per-alias
   * revocations, or null while any alias in use was never revoked (or an analyst override).
   */
  private containedAt(rows: readonly BoundEvidence[]): string | null {
    const c = rows.filter((r) => r.bound === 'contained_at');
    if (c.length === 0 || c.some((r) => r.ts === null)) return null;
    return c.map((r) => r.ts!).sort().at(-1) ?? null;
  }

  private async phaseWindow(): Promise<void> {
    const rows = await this.windowBounds();
    await this.once('window', async () => {
      const contained = this.containedAt(rows);
      const extra = { contained_at: contained, window_start: this.bound(rows, 'earliest_possible'), window_end: contained };
      // Each alias's own revocation, for attempts on it afterwards (use_after_containment.sql).
      await this.store.exec('CREATE OR REPLACE TEMP TABLE c_contained (alias VARCHAR, ts TIMESTAMPTZ, event_uid VARCHAR)');
      for (const r of rows) {
        if (r.bound === 'contained_at' && r.alias && r.ts && r.ref.startsWith('events:')) {
          await this.store.run('INSERT INTO c_contained VALUES ($1, CAST($2 AS TIMESTAMPTZ), $3)', [r.alias, r.ts, r.ref.slice('events:'.length)]);
        }
      }
      for (const a of this.rules('window')) await this.timed(a.id, () => runRule(this.store, a, this.values(extra)));
    });
  }

  /** The exposure window with the evidence behind each bound. */
  async window(): Promise<WindowDoc> {
    await this.phaseWindow();
    if (!this.windowDoc) {
      const rows = [...(await this.windowBounds())];
      const first = this.bound(rows, 'first_evidence');
      const contained = this.containedAt(rows);
      const exists = first !== null || this.spec.window.from !== null;
      // Only a successful use keeps the window open; refused attempts are findings, not exposure.
      const uac = await this.store.one<Row>(
        `SELECT ts, summary, evidence FROM c_finding
         WHERE rule = 'USE_AFTER_CONTAINMENT'
           AND (subject IN (SELECT entry_uuid FROM c_sig) OR subject IN (SELECT event_uid FROM c_ev WHERE outcome = 'success'))
         ORDER BY ts, subject LIMIT 1`,
      );
      if (uac) {
        const ev = this.files!.evidence(rawEvidenceList(uac.evidence)[0] ?? { tbl: null, id: null, file_id: null, record_no: null });
        rows.push({
          bound: 'open', ts: str(uac.ts), source: ev.table === 'signatures' ? 'rekor' : ev.table, ref: evidenceRef(ev),
          summary: `USE_AFTER_CONTAINMENT: ${str(uac.summary) ?? ''}`, file: ev.file, record_no: ev.record_no,
        });
      }
      const resolved = await this.resolve();
      this.windowDoc = {
        key: this.scope,
        name: this.spec.name,
        earliest_possible: exists ? this.bound(rows, 'earliest_possible') : null,
        first_evidence: first,
        contained_at: exists ? contained : null,
        last_use: this.bound(rows, 'last_use'),
        open: exists && (contained === null || uac !== undefined),
        evidence: exists ? rows : rows.filter((r) => r.bound === 'last_use'),
        expected: resolved.expectations,
        aliases: resolved.aliases,
      };
    }
    return this.windowDoc;
  }

  /** The listing range: --from/--to, else [earliest_possible, contained_at] (open-ended while open). */
  private async range(from?: string | null, to?: string | null, openEnded = false): Promise<{ range_from: string | null; range_to: string | null }> {
    const w = await this.window();
    const exists = w.first_evidence !== null || this.spec.window.from !== null;
    return {
      range_from: from ?? this.opts.from ?? (exists ? w.earliest_possible : null),
      range_to: to ?? this.opts.to ?? (exists && !w.open && !openEnded ? w.contained_at : null),
    };
  }

  private async phaseLateral(): Promise<void> {
    const w = await this.window();
    await this.once('lateral', async () => {
      await this.store.exec(PIVOTS_SQL);
      const lateral = this.analysis('lateral');
      const values = this.values({ window_start: w.earliest_possible });
      await materialise(this.store, 'c_lateral', lateral, values);
      for (let hop = 0; hop < MAX_HOPS; hop++) {
        if ((await this.store.run(HOP_SQL)) === 0) break;
        await materialise(this.store, 'c_lateral', lateral, values);
      }
      for (const a of this.rules('lateral')) await this.timed(a.id, () => runRule(this.store, a, this.values()));
    });
  }

  /** Every finding, ordered by time then severity. */
  async findings(): Promise<Finding[]> {
    await this.phaseLateral();
    this.findingsList ??= await this.readFindings();
    return this.findingsList;
  }

  /** c_finding as Finding objects (optionally one rule's), ordered by time then severity. */
  private async readFindings(rule?: string): Promise<Finding[]> {
    const { rows } = await fetchRows(this.store, 'SELECT * FROM c_finding WHERE $rule IS NULL OR rule = $rule', { rule: rule ?? null });
    const meta = new Map([...this.analyses.values()].filter((a) => a.extra.rule).map((a) => [a.extra.rule, a]));
    const rank = (s: string): number => SEVERITIES.indexOf(s as Severity);
    return rows.map((r): Finding => {
      const a = meta.get(text(r.rule))!;
      const evidence = rawEvidenceList(r.evidence).map((e) => this.files!.evidence(e));
      return {
        rule: r.rule as RuleId, severity: r.severity as Severity, ts: str(r.ts), actor: str(r.actor), summary: text(r.summary),
        evidence, mitre: a.mitre, owasp_nhi: a.owaspNhi, fingerprint: findingFingerprint(text(r.rule), this.scope, evidence),
        title: a.title, stage: text(r.stage),
        pivots: { principal: str(r.principal), credential_id: str(r.credential_id), source_ip: str(r.source_ip), run_id: str(r.run_id) },
      };
    }).sort((x, y) => (x.ts ?? '').localeCompare(y.ts ?? '') || rank(y.severity) - rank(x.severity)
      || x.rule.localeCompare(y.rule) || x.fingerprint.localeCompare(y.fingerprint));
  }

  /** Signatures in the range, with verdicts and reasons. */
  async signed(from?: string | null, to?: string | null): Promise<SignedRow[]> {
    // Verdicts need the findings of stages use and window only (lateral ones never cite an entry).
    await this.window();
    const range = await this.range(from, to);
    const { rows } = await this.timed('signed', () => runAnalysis(this.store, this.analysis('signed'), this.values(range)));
    return rows.map((r) => ({
      log_index: (r.log_index as number | string | null) ?? null, entry_uuid: text(r.entry_uuid), integrated_time: str(r.integrated_time),
      artifact_digest: str(r.artifact_digest), subjects: r.subjects ?? null, signer: str(r.signer), key_fingerprint: str(r.key_fingerprint),
      run_id: str(r.run_id), verdict: r.verdict as Verdict, reasons: strList(r.reasons), mode: text(r.mode), rules: strList(r.rules),
      file: this.files!.path(num(r.file_id)), record_no: num(r.record_no),
    }));
  }

  /** Digests to reject: non-attested signatures in the window (all of them with allInWindow). */
  async distrust(allInWindow = this.opts.allInWindow ?? false): Promise<DistrustDoc> {
    const w = await this.window();
    if (w.first_evidence === null && this.spec.window.from === null) return { digests: [], entries: [] };
    const range = await this.range(null, null);
    const { rows } = await this.timed('distrust', async () => {
      await materialise(this.store, 'c_signed', this.analysis('signed'), this.values(range));
      return runAnalysis(this.store, this.analysis('distrust'), this.values({ all_in_window: allInWindow }));
    });
    const entries = rows.map((r) => ({ digest: text(r.digest), entries: strList(r.entries), verdicts: strList(r.verdicts) }));
    return { digests: entries.map((e) => e.digest), entries };
  }

  /** What else the suspicious actors, credentials, addresses and runs touched. */
  async lateral(): Promise<LateralRow[]> {
    await this.findings();
    const { rows } = await fetchRows(this.store, 'SELECT * FROM c_lateral ORDER BY ts, pivot_kind, "pivot", event_uid');
    return rows.map((r) => ({
      pivot: text(r.pivot), pivot_kind: r.pivot_kind as LateralRow['pivot_kind'], ts: str(r.ts), source: text(r.source),
      action: text(r.action), target: str(r.target), actor: str(r.actor), native_action: str(r.native_action),
      outcome: text(r.outcome), issued_credential_id: str(r.issued_credential_id), event_uid: text(r.event_uid),
      file: this.files!.path(num(r.file_id)), record_no: num(r.record_no),
    }));
  }

  /** Who read, was passed, or used the key. */
  async access(): Promise<AccessRow[]> {
    await this.resolve();
    const { rows } = await this.timed('access', () => runAnalysis(this.store, this.analysis('access'), this.values()));
    return rows.map((r) => ({
      kind: r.kind as AccessRow['kind'], who: text(r.who), actions: strList(r.actions), first_seen: str(r.first_seen),
      last_seen: str(r.last_seen), count: Number(r.count), failed: Number(r.failed), sources: strList(r.sources),
      expected: typeof r.expected === 'boolean' ? r.expected : null,
    }));
  }

  /** The merged timeline in the range. */
  async timeline(from?: string | null, to?: string | null): Promise<TimelineRow[]> {
    await this.findings();
    // What happened after containment belongs on the timeline, so it runs to the end unless told.
    const range = await this.range(from, to, true);
    const { rows } = await this.timed('timeline', () => runAnalysis(this.store, this.analysis('timeline'), this.values(range)));
    return rows.map((r) => {
      const ev = this.files!.evidence({ tbl: str(r.tbl), id: str(r.id), file_id: num(r.file_id), record_no: num(r.record_no) });
      return {
        ts: str(r.ts), source: text(r.source), action: text(r.action), native_action: str(r.native_action), outcome: str(r.outcome),
        actor: str(r.actor), target: str(r.target), detail: str(r.detail), rules: strList(r.rules), ref: evidenceRef(ev),
        file: ev.file, record_no: ev.record_no,
      };
    });
  }

  /**
   * Runs one analysis or rule by id for `sigtrail query <id>`, computing only what it depends on
   * (a `use` rule needs the case tables and the attribution, not the window or lateral movement);
   * declared parameters may be overridden.
   */
  async query(id: string, overrides: Record<string, Param> = {}): Promise<{ columns: string[]; rows: Row[] }> {
    const a = this.analysis(id);
    // First, so that the steps a cached investigation already did count below.
    await this.resolve();
    if (a.extra.kind === 'rule') {
      const stage = a.extra.stage;
      if ((stage === 'use' || stage === 'governance') && !this.done.has('use')) {
        await this.attribution();
        await this.store.exec('DELETE FROM c_finding');
        await this.timed(a.id, () => runRule(this.store, a, this.values(overrides)));
      } else if (stage === 'window') await this.phaseWindow();
      else await this.phaseLateral();
      const findings = await this.readFindings(a.extra.rule);
      const columns = ['rule', 'severity', 'ts', 'actor', 'summary', 'evidence', 'mitre', 'owasp_nhi', 'fingerprint'];
      return { columns, rows: findings.map((f) => ({ ...f, evidence: f.evidence as unknown as Plain, pivots: null })) };
    }
    switch (a.id) {
      case 'attribution':
      case 'access':
        await (a.id === 'access' ? this.resolve() : this.attribution());
        return this.timed(a.id, () => runAnalysis(this.store, a, this.values(overrides)));
      case 'window':
        await this.phaseUse();
        return this.timed(a.id, () => runAnalysis(this.store, a, this.values(overrides)));
      default:
        break;
    }
    const w = await this.window();
    if (a.id === 'lateral' || a.id === 'timeline') await this.phaseLateral();
    const range = await this.range(null, null, a.id === 'timeline');
    if (a.id === 'distrust') await materialise(this.store, 'c_signed', this.analysis('signed'), this.values(range));
    return this.timed(a.id, () => runAnalysis(this.store, a, this.values({
      ...range, window_start: w.earliest_possible, contained_at: w.contained_at, window_end: w.contained_at, ...overrides,
    })));
  }

  /** Everything, for the report. */
  async all(): Promise<InvestigationResult> {
    const findings = await this.findings();
    return {
      window: await this.window(),
      signed: await this.signed(),
      findings,
      lateral: await this.lateral(),
      access: await this.access(),
      timeline: await this.timeline(),
      distrust: await this.distrust(),
    };
  }
}

/**
 * Investigates a case over a store: window, signed artefacts with verdicts, findings, lateral
 * movement, access, timeline and the digests to distrust. The programmatic entry point that the
 * HTML report and the nightly scan build on.
 */
export async function investigate(store: Store, spec: CaseSpec, options: InvestigateOptions = {}): Promise<InvestigationResult> {
  return new Investigation(store, spec, options).all();
}
