import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Investigation } from '../../src/analyses/investigate.js';
import { loadAnalyses, queriesDir, SEVERITIES } from '../../src/analyses/registry.js';
import { RULES } from '../../src/analyses/types.js';
import { buildCase } from '../../src/case/spec.js';
import { Store } from '../../src/store/database.js';

const analyses = loadAnalyses();
const KINDS = ['analysis', 'rule', 'stage'];
const STAGES = ['use', 'governance', 'window', 'lateral'];
/** Bound by the runner itself when a rule's rows are stamped into c_finding. */
const RUNNER_PARAMS = new Set(['rule_id', 'rule_severity', 'rule_stage']);

describe('every queries/*.sql declares itself', () => {
  it('the folder holds the investigation analyses and one rule per SPEC.md rule id', () => {
    const ids = analyses.map((a) => a.id);
    for (const id of ['attribution', 'window', 'signed', 'lateral', 'access', 'timeline', 'distrust']) expect(ids).toContain(id);
    const rules = analyses.filter((a) => a.extra.kind === 'rule').map((a) => a.extra.rule).sort();
    expect(rules).toEqual([...RULES].sort());
  });

  describe.each(analyses.map((a) => [a.id, a] as const))('%s', (_id, a) => {
    it('has an id equal to its file name, a title, a description and a known severity', () => {
      expect(a.id).toBe(path.basename(a.file, '.sql'));
      expect(a.title.length).toBeGreaterThan(5);
      expect(a.description.length).toBeGreaterThan(40);
      expect(SEVERITIES).toContain(a.severity);
    });

    it('declares its kind and scope; a rule its rule id and stage', () => {
      expect(KINDS).toContain(a.extra.kind);
      expect(a.extra.scope).toBe('case');
      if (a.extra.kind === 'rule') {
        expect(RULES).toContain(a.extra.rule);
        expect(STAGES).toContain(a.extra.stage);
      }
    });

    it('maps to ATT&CK technique ids and OWASP NHI Top 10 (2025) ids', () => {
      for (const m of a.mitre) expect(m).toMatch(/^T\d{4}(\.\d{3})?$/);
      for (const o of a.owaspNhi) expect(o).toMatch(/^NHI([1-9]|10):2025$/);
      if (a.extra.kind === 'rule' && !['KEY_SHARED_ACROSS_REPOS', 'LONG_LIVED_KEY', 'LOGGING_GAP'].includes(a.extra.rule)) {
        expect(a.mitre.length).toBeGreaterThan(0);
      }
    });

    it('binds exactly the parameters it declares (nothing else reaches its SQL)', () => {
      const body = a.sql.split('\n').filter((l) => !l.startsWith('--')).join('\n');
      const used = new Set([...body.matchAll(/\$([a-z_][a-z0-9_]*)/g)].map((m) => m[1]).filter((n) => !RUNNER_PARAMS.has(n)));
      expect([...used].sort()).toEqual(a.params.map((p) => p.name).sort());
    });
  });

  it('keeps the header format the registry parses (no stray header keys)', () => {
    const known = new Set(['kind', 'rule', 'stage', 'scope']);
    for (const a of analyses) for (const k of Object.keys(a.extra)) expect(known.has(k), `${a.id}: ${k}`).toBe(true);
    expect(fs.readdirSync(queriesDir()).filter((f) => f.endsWith('.sql'))).toHaveLength(analyses.length);
  });
});

describe('on an empty store', () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(':memory:');
  });
  afterAll(() => store.close());

  it('every analysis and rule runs and finds nothing', async () => {
    const inv = new Investigation(store, buildCase({ keys: ['fp:' + 'ab'.repeat(32), 'kms:alias/x', 'secret:S'] }));
    const r = await inv.all();
    expect(r.findings).toEqual([]);
    expect(r.signed).toEqual([]);
    expect(r.window).toMatchObject({ earliest_possible: null, first_evidence: null, contained_at: null, last_use: null, open: false, evidence: [] });
    for (const a of analyses) {
      const out = await inv.query(a.id);
      expect(out.rows, a.id).toEqual([]);
    }
  });
});
