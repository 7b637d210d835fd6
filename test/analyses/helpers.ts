import { Investigation, type InvestigateOptions } from '../../src/analyses/investigate.js';
import type { Finding, InvestigationResult } from '../../src/analyses/types.js';
import { parseCaseDocument } from '../../src/case/spec.js';
import type { Store } from '../../src/store/database.js';

/** Runs a whole investigation for a case document (the case-file format). */
export async function investigateCase(store: Store, doc: Record<string, unknown>, options: InvestigateOptions = {}): Promise<InvestigationResult> {
  return new Investigation(store, parseCaseDocument(doc), options).all();
}

/** The findings of one rule. */
export function rule(r: InvestigationResult, id: string): Finding[] {
  return r.findings.filter((f) => f.rule === id);
}

/** The ids an evidence list points at. */
export function ids(f: Finding): string[] {
  return f.evidence.map((e) => e.event_uid ?? e.entry_uuid ?? e.ci_uid ?? '');
}
