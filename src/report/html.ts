/**
 * report.html: the postmortem as one self-contained page — inline CSS, inline SVG, one small
 * inline script, nothing loaded from anywhere.
 *
 * Safety model: every value from the model goes through htmlText/attrText (escapeHtml plus visible
 * invisible characters); class names, ids and URLs are sigtrail's own constants or built from
 * validated numbers (a Rekor log index). The Content-Security-Policy allows exactly this page's
 * style and script by hash and nothing else, so even a bug in escaping could not load or run
 * anything: no external request, no injected script, no inline handler, no style attribute.
 */
import { createHash } from 'node:crypto';
import { PAGE_SIZE, REPORT_CSS, REPORT_JS } from './assets.js';
import { containmentChecklist, type CheckItem, type CheckStatus } from './checklist.js';
import type { AccessRow, Finding, FindingEvidence, LateralRow, RecordPointer, ReportModel, SignedRow, TimelineRow, WindowEvidence } from './model.js';
import { severityRank, worstFirst } from './model.js';
import { detailRange, renderTimelineSvg } from './timeline-svg.js';
import { attrText, htmlText, rekorUrl } from './text.js';

/** Evidence rows listed under one finding before "N more". */
const MAX_EVIDENCE_PER_FINDING = 50;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The page's policy: only its own inline style and script (by hash); nothing may be fetched. */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `style-src ${cspHash(REPORT_CSS)}`,
    `script-src ${cspHash(REPORT_JS)}`,
    "img-src 'none'",
    "font-src 'none'",
    "connect-src 'none'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "manifest-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    // The script only moves rows and sets textContent; with no policy any HTML sink would throw.
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

// ---- small pieces ---------------------------------------------------------------------------

const BADGE: Readonly<Record<string, string>> = {
  attested: 'b-attested', unattested: 'b-unattested', anomalous: 'b-anomalous',
  critical: 'b-critical', high: 'b-high', medium: 'b-medium', low: 'b-low', info: 'b-info',
  done: 'b-done', not_done: 'b-not_done', unknown: 'b-unknown', open: 'b-open', contained: 'b-contained', inferred: 'b-inferred',
};

/** A badge whose class comes from a fixed table (an unknown value gets the neutral style). */
function badge(value: string, text: string = value): string {
  const cls = Object.hasOwn(BADGE, value) ? BADGE[value] : 'b-unknown';
  return `<span class="badge ${cls}">${htmlText(text)}</span>`;
}

function recordNo(n: number | null): string {
  if (n === null) return '';
  return Number.isSafeInteger(n) ? String(n) : htmlText(String(n));
}

/** "file #record": the record behind a row. */
function pointer(p: RecordPointer): string {
  if (p.file === null && p.record_no === null) return '<span class="muted">—</span>';
  return `${htmlText(p.file ?? '(unknown file)')} #${recordNo(p.record_no)}`;
}

function rekorLink(logIndex: number | string | null): string {
  const url = rekorUrl(logIndex);
  // The href is the validated URL; the text is the same digits, so nothing from the log reaches it.
  if (url) return `<a href="${url}" rel="noreferrer">${typeof logIndex === 'number' ? logIndex : htmlText(logIndex)}</a>`;
  return htmlText(logIndex === null ? '' : String(logIndex));
}

function list(items: readonly string[], render: (s: string) => string = (s) => htmlText(s)): string {
  if (items.length === 0) return '';
  if (items.length === 1) return render(items[0]);
  return `<ul class="ev">${items.map((i) => `<li>${render(i)}</li>`).join('')}</ul>`;
}

function num(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : htmlText(String(n));
}

// ---- tables ----------------------------------------------------------------------------------

interface Column<T> {
  head: string;
  /** Relative width; the table's widths are scaled to 100%. */
  weight: number;
  cell: (row: T) => string;
  /** Sort key when the cell's text is not the right one (numbers, ranks). */
  sortValue?: (row: T) => string | number | null;
  numeric?: boolean;
  /** Identifiers and digests: set in monospace (a cell class, not an element per cell). */
  mono?: boolean;
}

function widths(columns: readonly { weight: number }[]): number[] {
  const total = columns.reduce((n, c) => n + c.weight, 0);
  return columns.map((c) => Math.max(1, Math.min(100, Math.floor((c.weight / total) * 100))));
}

/**
 * A sortable, filterable table. `id` is one of sigtrail's constants (it names the table for the
 * script); rows are rendered server-side, so the page reads and prints without the script.
 */
function dataTable<T>(id: string, caption: string, columns: readonly Column<T>[], rows: readonly T[], options: { empty: string; rowClass?: (row: T) => string }): string {
  if (rows.length === 0) return `<p class="empty">${htmlText(options.empty)}</p>`;
  const cols = widths(columns).map((w) => `<col class="p${w}">`).join('');
  const head = columns
    .map((c, i) => `<th scope="col" aria-sort="none"><button type="button" data-col="${i}"${c.numeric ? ' data-type="num"' : ''}>${htmlText(c.head)}</button></th>`)
    .join('');
  const body: string[] = [];
  rows.forEach((row, i) => {
    // Rows past the first page start paged out (the script pages; without it they all show).
    const cls = [options.rowClass?.(row) ?? '', i >= PAGE_SIZE ? 'off' : ''].filter(Boolean).join(' ');
    body.push(cls ? `<tr class="${cls}">` : '<tr>');
    for (const c of columns) {
      const v = c.sortValue?.(row);
      const attrs = (c.mono ? ' class="m"' : '') + (v === undefined || v === null ? '' : ` data-v="${attrText(String(v))}"`);
      body.push(`<td${attrs}>`, c.cell(row), '</td>');
    }
    body.push('</tr>');
  });
  const pager = rows.length > PAGE_SIZE
    ? '<span class="pager"><button type="button" data-page="prev">‹ Previous</button> <button type="button" data-page="next">Next ›</button> ' +
      `<label>per page <select><option value="${PAGE_SIZE}" selected>${PAGE_SIZE}</option><option value="${PAGE_SIZE * 10}">${PAGE_SIZE * 10}</option><option value="0">all</option></select></label></span>`
    : '';
  return (
    `<div class="controls" data-controls-for="${id}"><label>Filter <input type="search" aria-controls="${id}" placeholder="text in any column"></label>` +
    `<output aria-live="polite">${num(rows.length)} ${rows.length === 1 ? 'row' : 'rows'}</output>${pager}</div>` +
    `<div class="scroll"><table id="${id}" class="data" data-sortable><caption class="muted">${htmlText(caption)}</caption>` +
    `<colgroup>${cols}</colgroup><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>`
  );
}

const recordColumn = <T extends RecordPointer>(weight = 12): Column<T> => ({ head: 'Record', weight, cell: pointer });

// ---- sections --------------------------------------------------------------------------------

const BOUNDS = ['earliest_possible', 'first_evidence', 'contained_at', 'last_use'] as const;
/** Evidence rows also cite the first exposure (between the two first bounds) and what reopened the window. */
const EVIDENCE_ORDER: readonly string[] = ['earliest_possible', 'first_exposure', 'first_evidence', 'contained_at', 'last_use', 'open'];

function windowTable(model: ReportModel): string {
  const w = model.window;
  const rows = BOUNDS.map((b) => `<tr><th scope="row">${b.replace('_', ' ')}</th><td>${htmlText(w[b] ?? '—')}</td></tr>`).join('');
  const evidence: Column<WindowEvidence>[] = [
    { head: 'Bound', weight: 10, cell: (e) => htmlText(e.bound) },
    { head: 'Time', weight: 11, cell: (e) => htmlText(e.ts) },
    { head: 'Source', weight: 9, cell: (e) => htmlText(e.source) },
    { head: 'Ref', weight: 18, cell: (e) => htmlText(e.ref), mono: true },
    { head: 'Summary', weight: 30, cell: (e) => htmlText(e.summary) },
    recordColumn(16),
  ];
  // Evidence in bound order; a bound name sigtrail does not know goes last (the sort is stable).
  const rank = (bound: string): number => EVIDENCE_ORDER.indexOf(bound) >>> 0;
  const ordered = [...w.evidence].sort((a, b) => rank(a.bound) - rank(b.bound));
  return (
    `<table class="bounds"><tbody>${rows}<tr><th scope="row">open</th><td>${w.open ? badge('open', 'yes — not contained, or used after containment') : badge('contained', 'no')}</td></tr></tbody></table>` +
    '<h3>Evidence behind each bound</h3>' +
    dataTable('t-window', 'Window evidence', evidence, ordered, { empty: 'The window analysis cited no evidence rows.' })
  );
}

function counts(model: ReportModel): string {
  const by = (v: string): number => model.signed.filter((s) => s.verdict === v).length;
  const sev = (s: string): number => model.findings.filter((f) => f.severity === s).length;
  const records = model.custody.files.reduce((n, f) => n + (Number.isFinite(f.records) ? f.records : 0), 0);
  const rejected = model.custody.files.reduce((n, f) => n + (Number.isFinite(f.rejected) ? f.rejected : 0), 0);
  const unexpected = model.access.filter((a) => a.expected === false).length;
  const card = (n: number, what: string, href: string): string => `<a class="card" href="#${href}"><b>${num(n)}</b><span>${htmlText(what)}</span></a>`;
  return (
    '<div class="cards">' +
    card(model.signed.length, 'signatures in the window', 'signed') +
    card(by('anomalous'), 'anomalous signatures', 'signed') +
    card(by('unattested'), 'unattested signatures', 'signed') +
    card(by('attested'), 'attested signatures', 'signed') +
    card(model.findings.length, `findings (${sev('critical')} critical, ${sev('high')} high)`, 'findings') +
    card(model.lateral.length, 'lateral actions', 'lateral') +
    card(model.access.length, `identities with access (${unexpected} unexpected)`, 'access') +
    card(model.distrust.digests.length, 'digests to distrust', 'distrust') +
    card(model.custody.files.length, 'input files', 'custody') +
    card(records, 'records ingested', 'custody') +
    card(rejected, 'records rejected', 'custody') +
    '</div>'
  );
}

function caseInfo(model: ReportModel): string {
  const c = model.case;
  const expected = c.expected.length
    ? `<ul class="ev">${c.expected.map((e) => `<li><span class="muted">${htmlText(e.kind)}</span> <code>${htmlText(e.value)}</code>${e.inferred ? ' ' + badge('inferred', 'inferred — confirm in a case file') : ''}</li>`).join('')}</ul>`
    : '<span class="muted">none given or inferred</span>';
  return (
    '<dl class="kv">' +
    `<dt>Case</dt><dd>${htmlText(c.name ?? '(unnamed)')}</dd>` +
    `<dt>Key selectors</dt><dd>${list(c.keys, (k) => `<code>${htmlText(k)}</code>`) || '<span class="muted">none</span>'}</dd>` +
    `<dt>Aliases</dt><dd>${list(c.aliases, (k) => `<code>${htmlText(k)}</code>`) || '<span class="muted">none resolved</span>'}</dd>` +
    `<dt>Window key</dt><dd>${list(model.window.key, (k) => `<code>${htmlText(k)}</code>`) || '<span class="muted">—</span>'}</dd>` +
    `<dt>Expected signers</dt><dd>${expected}</dd>` +
    `<dt>Baseline</dt><dd>${c.baseline_days === null ? '—' : `${num(c.baseline_days)} days`}</dd>` +
    '</dl>'
  );
}

function summary(model: ReportModel, checklist: readonly CheckItem[]): string {
  const w = model.window;
  const status = w.open
    ? `${badge('open', 'Window open')} ${w.contained_at ? 'the key was used after containment' : 'no containment found: the key may still be usable'}`
    : `${badge('contained', 'Contained')} at ${htmlText(w.contained_at ?? '—')}`;
  const worst = worstFirst(model.findings).slice(0, 5);
  const worstList = worst.length
    ? `<ol>${worst.map((f) => `<li>${badge(f.severity)} <code>${htmlText(f.rule)}</code> ${htmlText(f.ts ?? '')} — ${htmlText(f.summary)}</li>`).join('')}</ol>` +
      (model.findings.length > worst.length ? `<p><a href="#findings">All ${num(model.findings.length)} findings</a></p>` : '')
    : '<p class="empty">No findings.</p>';
  const checks = `<ul class="plain">${checklist.map((c) => `<li>${statusBadge(c.status)} <a href="#check-${c.id}">${htmlText(c.title)}</a></li>`).join('')}</ul>`;
  return (
    `<p class="status">${status}</p>` +
    caseInfo(model) +
    '<h3>Exposure window</h3>' + windowTable(model) +
    '<h3>Counts</h3>' + counts(model) +
    '<h3>Worst findings</h3>' + worstList +
    '<h3>Containment</h3>' + checks
  );
}

function statusBadge(s: CheckStatus): string {
  return badge(s, s === 'not_done' ? 'not done' : s);
}

function timelineSection(model: ReportModel): string {
  const sw = (cls: string, shape: 'rect' | 'circle' | 'diamond'): string =>
    `<svg class="sw" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">${
      shape === 'rect' ? `<rect class="${cls}" x="4" y="0" width="4" height="12"/>` : shape === 'circle' ? `<circle class="${cls}" cx="6" cy="6" r="5"/>` : `<path class="${cls}" d="M6 0L12 6L6 12L0 6Z"/>`
    }</svg>`;
  const legend =
    `<figcaption>Shaded: exposure window${model.window.open && model.window.contained_at ? ' (dashed: used after containment)' : ''}. ` +
    `${sw('v-attested', 'rect')}attested ${sw('v-unattested', 'rect')}unattested ${sw('v-anomalous', 'rect')}anomalous signature ` +
    `${sw('k-key', 'circle')}key event ${sw('k-secret', 'circle')}secret event ${sw('k-ci', 'circle')}CI secret change ` +
    `${sw('s-critical', 'diamond')}critical ${sw('s-high', 'diamond')}high ${sw('s-medium', 'diamond')}medium ${sw('s-low', 'diamond')}low finding. ` +
    'Marks on the same pixel merge; hover for counts.</figcaption>';
  const detail = detailRange(model);
  const columns: Column<TimelineRow>[] = [
    { head: 'Time', weight: 11, cell: (e) => htmlText(e.ts) },
    { head: 'Source', weight: 8, cell: (e) => htmlText(e.source) },
    { head: 'Action', weight: 9, cell: (e) => htmlText(e.action) },
    { head: 'Actor', weight: 16, cell: (e) => htmlText(e.actor) },
    { head: 'Target', weight: 16, cell: (e) => htmlText(e.target) },
    { head: 'Summary', weight: 24, cell: (e) => htmlText(e.summary) },
    recordColumn(16),
  ];
  return (
    `<figure>${renderTimelineSvg(model, { id: 'chart-case', title: 'Timeline of the case: exposure window, signatures, key and secret events, findings' })}${legend}</figure>` +
    (detail
      ? `<h3>Detail: from a day before the first evidence to a day after the last use</h3><figure>${renderTimelineSvg(model, { id: 'chart-detail', title: 'Detail of the incident', range: detail })}</figure>`
      : '') +
    '<h3>Merged timeline</h3>' +
    dataTable('t-timeline', 'Every event of the case across sources, in time order', columns, model.timeline, { empty: 'No timeline events.' })
  );
}

const VERDICT_RANK: Readonly<Record<string, number>> = { anomalous: 2, unattested: 1, attested: 0 };

/** Subject names, with their digest where it differs from the entry's artifact digest. */
function subjects(s: SignedRow): string {
  const items = s.subjects.map((x) => `${htmlText(x.name)}${x.digest && x.digest !== s.artifact_digest ? ` <code>${htmlText(x.digest)}</code>` : ''}`);
  if (items.length <= 1) return items.join('');
  return `<ul class="ev">${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
}

function signedSection(model: ReportModel): string {
  const columns: Column<SignedRow>[] = [
    { head: 'Log index', weight: 7, cell: (s) => rekorLink(s.log_index), sortValue: (s) => (s.log_index === null ? null : String(s.log_index)), numeric: true },
    { head: 'Entry UUID', weight: 12, cell: (s) => htmlText(s.entry_uuid), mono: true },
    { head: 'Integrated', weight: 9, cell: (s) => htmlText(s.integrated_time) },
    { head: 'Artifact digest', weight: 12, cell: (s) => htmlText(s.artifact_digest), mono: true },
    { head: 'Subjects', weight: 12, cell: subjects },
    { head: 'Signer', weight: 12, cell: (s) => htmlText(s.signer) },
    { head: 'Key fingerprint', weight: 10, cell: (s) => htmlText(s.key_fingerprint), mono: true },
    { head: 'Run', weight: 7, cell: (s) => htmlText(s.run_id) },
    { head: 'Verdict', weight: 7, cell: (s) => badge(s.verdict), sortValue: (s) => VERDICT_RANK[s.verdict] ?? 3, numeric: true },
    { head: 'Reasons', weight: 14, cell: (s) => list(s.reasons) },
    recordColumn(11),
  ];
  return (
    '<p>Every transparency-log entry on the key (any alias) in the window. Log indexes link to the public Rekor search.</p>' +
    dataTable('t-signed', 'Signed artefacts with verdicts', columns, model.signed, { empty: 'No signatures on the key in the window.' })
  );
}

function findingEvidence(f: Finding, logIndexOf: Map<string, number | string | null>): string {
  const shown = f.evidence.slice(0, MAX_EVIDENCE_PER_FINDING);
  const items = shown.map((e: FindingEvidence) => {
    const idx = e.table === 'signatures' ? logIndexOf.get(e.id) : undefined;
    const link = idx !== undefined && rekorUrl(idx) ? ` Rekor ${rekorLink(idx)}` : '';
    return `<li><span class="muted">${htmlText(e.table)}</span> <code>${htmlText(e.id)}</code> — ${pointer(e)}${link}</li>`;
  });
  const more = f.evidence.length > shown.length ? `<li class="muted">… ${f.evidence.length - shown.length} more in findings.json</li>` : '';
  return items.length ? `<ul class="ev">${items.join('')}${more}</ul>` : '<span class="muted">—</span>';
}

const SEVERITY_CLASS: Readonly<Record<string, string>> = { critical: 'sev-critical', high: 'sev-high' };

function findingsSection(model: ReportModel): string {
  const logIndexOf = new Map(model.signed.map((s) => [s.entry_uuid, s.log_index]));
  const columns: Column<Finding>[] = [
    { head: 'Severity', weight: 7, cell: (f) => badge(f.severity), sortValue: (f) => severityRank(f.severity), numeric: true },
    { head: 'Rule', weight: 11, cell: (f) => htmlText(f.rule), mono: true },
    { head: 'Time', weight: 9, cell: (f) => htmlText(f.ts) },
    { head: 'Actor', weight: 13, cell: (f) => htmlText(f.actor) },
    { head: 'Summary', weight: 22, cell: (f) => htmlText(f.summary) },
    { head: 'Evidence', weight: 24, cell: (f) => findingEvidence(f, logIndexOf), sortValue: (f) => f.evidence.length, numeric: true },
    { head: 'ATT&CK', weight: 7, cell: (f) => list(f.mitre) },
    { head: 'OWASP NHI', weight: 7, cell: (f) => list(f.owasp_nhi) },
  ];
  return dataTable('t-findings', 'Findings, worst first', columns, worstFirst(model.findings), {
    empty: 'No findings.',
    rowClass: (f) => SEVERITY_CLASS[f.severity] ?? '',
  });
}

function lateralSection(model: ReportModel): string {
  const columns: Column<LateralRow>[] = [
    { head: 'Pivot', weight: 14, cell: (l) => htmlText(l.pivot) },
    { head: 'Pivot kind', weight: 7, cell: (l) => htmlText(l.pivot_kind) },
    { head: 'Time', weight: 10, cell: (l) => htmlText(l.ts) },
    { head: 'Source', weight: 8, cell: (l) => htmlText(l.source) },
    { head: 'Action', weight: 9, cell: (l) => htmlText(l.action) },
    { head: 'Target', weight: 18, cell: (l) => htmlText(l.target) },
    { head: 'Actor', weight: 16, cell: (l) => htmlText(l.actor) },
    recordColumn(14),
  ];
  return (
    '<p>What each suspicious actor, credential, address or run touched besides the key, in and after the window.</p>' +
    dataTable('t-lateral', 'Lateral use', columns, model.lateral, { empty: 'No lateral use found.' })
  );
}

function accessSection(model: ReportModel): string {
  const columns: Column<AccessRow>[] = [
    { head: 'Identity', weight: 22, cell: (a) => htmlText(a.identity) },
    { head: 'Kind', weight: 7, cell: (a) => htmlText(a.kind) },
    { head: 'Access', weight: 12, cell: (a) => list(a.access) },
    { head: 'First seen', weight: 10, cell: (a) => htmlText(a.first_seen) },
    { head: 'Last seen', weight: 10, cell: (a) => htmlText(a.last_seen) },
    { head: 'Count', weight: 6, cell: (a) => num(a.count), sortValue: (a) => a.count, numeric: true },
    {
      head: 'Expected',
      weight: 8,
      cell: (a) => (a.expected === null ? '<span class="muted">—</span>' : a.expected ? badge('attested', 'expected') : badge('anomalous', 'unexpected')),
      sortValue: (a) => (a.expected === null ? 1 : a.expected ? 0 : 2),
      numeric: true,
    },
    recordColumn(14),
  ];
  return (
    '<p>Every principal, workflow and job that read the key or its secret, was passed it, or used it: the list to review and re-enrol. The record is the first one seen.</p>' +
    dataTable('t-access', 'Access review', columns, model.access, { empty: 'No access records.' })
  );
}

interface DistrustRow extends RecordPointer {
  digest: string;
  signatures: SignedRow[];
}

function distrustSection(model: ReportModel): string {
  const byDigest = new Map<string, SignedRow[]>();
  for (const s of model.signed) {
    if (s.artifact_digest === null) continue;
    const rows = byDigest.get(s.artifact_digest) ?? [];
    rows.push(s);
    byDigest.set(s.artifact_digest, rows);
  }
  const rows: DistrustRow[] = model.distrust.digests.map((d) => {
    const sigs = byDigest.get(d) ?? [];
    return { digest: d, signatures: sigs, file: sigs[0]?.file ?? null, record_no: sigs[0]?.record_no ?? null };
  });
  const columns: Column<DistrustRow>[] = [
    { head: 'Digest', weight: 30, cell: (r) => htmlText(r.digest), mono: true },
    { head: 'Signatures', weight: 8, cell: (r) => num(r.signatures.length), sortValue: (r) => r.signatures.length, numeric: true },
    { head: 'Verdicts', weight: 10, cell: (r) => [...new Set(r.signatures.map((s) => s.verdict))].map((v) => badge(v)).join(' ') },
    { head: 'Log indexes', weight: 14, cell: (r) => r.signatures.slice(0, 5).map((s) => rekorLink(s.log_index)).join(' ') + (r.signatures.length > 5 ? ' …' : '') },
    { head: 'First signed', weight: 11, cell: (r) => htmlText(r.signatures.map((s) => s.integrated_time ?? '').filter(Boolean).sort()[0] ?? '') },
    recordColumn(16),
  ];
  return (
    '<p>Digests that downstream consumers must reject: everything signed in the window that is not attested (distrust.csv has one per row).</p>' +
    dataTable('t-distrust', 'Distrust list', columns, rows, { empty: 'Nothing to distrust.' })
  );
}

function custodySection(model: ReportModel): string {
  type File = ReportModel['custody']['files'][number];
  const columns: Column<File>[] = [
    { head: 'Path', weight: 30, cell: (f) => htmlText(f.path) },
    { head: 'SHA-256', weight: 30, cell: (f) => htmlText(f.sha256), mono: true },
    { head: 'Bytes', weight: 8, cell: (f) => num(f.bytes), sortValue: (f) => f.bytes, numeric: true },
    { head: 'Adapter', weight: 11, cell: (f) => htmlText(f.adapter) },
    { head: 'Records', weight: 8, cell: (f) => num(f.records), sortValue: (f) => f.records, numeric: true },
    { head: 'Rejected', weight: 8, cell: (f) => num(f.rejected), sortValue: (f) => f.rejected, numeric: true },
  ];
  const tlog = model.custody.tlog.length
    ? `<table class="bounds"><thead><tr><th scope="col">Proof status</th><th scope="col">Entries</th></tr></thead><tbody>${model.custody.tlog
        .map((t) => `<tr><td>${htmlText(t.status)}</td><td>${num(t.count)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="empty">No transparency-log entries were ingested.</p>';
  return (
    '<p>Every input file as ingested: its SHA-256 at ingest time, size, the adapter that read it, records loaded and rejected.</p>' +
    dataTable('t-custody', 'Chain of custody', columns, model.custody.files, { empty: 'No input files recorded.' }) +
    '<h3>Transparency-log verification</h3>' + tlog
  );
}

function checklistSection(checklist: readonly CheckItem[]): string {
  return checklist
    .map((c) => {
      const ev = c.evidence.length ? `<ul class="ev">${c.evidence.map((p) => `<li>${pointer(p)}</li>`).join('')}</ul>` : '';
      return (
        `<div class="check" id="check-${c.id}"><h3>${statusBadge(c.status)} ${htmlText(c.title)}</h3>` +
        `<p>${htmlText(c.detail)}</p>${ev}<p class="rule">Rule: ${htmlText(c.rule)}</p></div>`
      );
    })
    .join('');
}

const SECTIONS = [
  ['summary', 'Summary'],
  ['timeline', 'Timeline'],
  ['signed', 'Signed artefacts'],
  ['findings', 'Findings'],
  ['lateral', 'Lateral use'],
  ['access', 'Access review'],
  ['distrust', 'Distrust list'],
  ['custody', 'Chain of custody'],
  ['checklist', 'Containment checklist'],
] as const;

/**
 * The whole report page for a model. Pure: the same model gives the same bytes.
 * @param checklist the containment checklist (computed from the model when omitted)
 */
export function renderReportHtml(model: ReportModel, checklist: readonly CheckItem[] = containmentChecklist(model)): string {
  const title = model.case.name ?? (model.case.keys.join(', ') || 'signing key');
  const body: Record<(typeof SECTIONS)[number][0], string> = {
    summary: summary(model, checklist),
    timeline: timelineSection(model),
    signed: signedSection(model),
    findings: findingsSection(model),
    lateral: lateralSection(model),
    access: accessSection(model),
    distrust: distrustSection(model),
    custody: custodySection(model),
    checklist: checklistSection(checklist),
  };
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>sigtrail postmortem: ${attrText(title, 200)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    // In <head> so that rows past the first page are hidden before the tables are laid out.
    `<script>${REPORT_JS}</script>`,
    '</head><body>',
    `<header><h1>Postmortem: ${htmlText(title)}</h1>`,
    `<p class="meta">Generated ${htmlText(model.generated_at)} by sigtrail. All times UTC. Values from logs are shown verbatim: invisible and ` +
      'direction-changing characters appear as <span class="ctl">\\u…</span> escapes; very long values are cut here and kept whole in the CSVs.</p>',
    `<nav aria-label="Sections">${SECTIONS.map(([id, name]) => `<a href="#${id}">${name}</a>`).join('')}</nav></header>`,
    '<main>',
    ...SECTIONS.map(([id, name]) => `<section id="${id}" aria-labelledby="h-${id}"><h2 id="h-${id}">${name}</h2>${body[id]}</section>`),
    '</main>',
    '</body></html>',
    '',
  ].join('\n');
}
