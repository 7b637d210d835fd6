import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containmentChecklist } from '../../src/report/checklist.js';
import { reportTables } from '../../src/report/csv.js';
import { writeReport } from '../../src/report/write.js';
import { hostileModel, HOSTILE } from '../fixtures/hostile.js';
import { launch, openReport, screenshotOnFailure, type Browser } from '../helpers/browser.js';
import { tempDir } from '../helpers/paths.js';

/** Every element the report itself writes; anything else came from data. */
const OWN_ELEMENTS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'script', 'body', 'header', 'nav', 'main', 'section', 'h1', 'h2', 'h3', 'p', 'a',
  'dl', 'dt', 'dd', 'ul', 'ol', 'li', 'span', 'code', 'b', 'div', 'label', 'input', 'output', 'button', 'select', 'option',
  'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tr', 'th', 'td', 'figure', 'figcaption',
  'svg', 'rect', 'line', 'circle', 'path', 'text',
]);

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = tempDir('sigtrail-hostile-');
  await writeReport(dir, hostileModel());
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('a report whose every field is hostile', () => {
  it('runs no injected script, opens no dialog, loads nothing, and adds no element of its own', async () => {
    const { page, watch, url } = await openReport(browser.context, path.join(dir, 'report.html'));
    await screenshotOnFailure(page, 'hostile-injection', async () => {
      // Show every row of every table (pages past the first are laid out only on demand).
      for (const select of await page.locator('.pager select').all()) await select.selectOption('0');
      // Focus and hover everything focusable, in case an injected handler waits for it.
      for (const input of await page.locator('input').all()) await input.focus();
      await page.mouse.move(400, 400);
      await page.waitForTimeout(300);

      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(watch.dialogs).toEqual([]);
      expect(watch.requests).toEqual([url]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.consoleErrors).toEqual([]);
      // Not even a blocked attempt: escaping, not only the policy, kept the markup inert.
      expect(await page.evaluate('window.__cspViolations')).toEqual([]);

      const tags = await page.evaluate<string[]>("[...document.querySelectorAll('*')].map((e) => e.localName)");
      expect([...new Set(tags)].filter((t) => !OWN_ELEMENTS.has(t))).toEqual([]);
      expect(await page.locator('script').count()).toBe(1);
      expect(await page.locator('style').count()).toBe(1);
      expect(await page.locator('meta').count()).toBe(4);
      const handlers = await page.evaluate<string[]>(
        "[...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on'))",
      );
      expect(handlers).toEqual([]);
      const hrefs = await page.evaluate<string[]>("[...document.querySelectorAll('[href]')].map((e) => e.getAttribute('href'))");
      for (const href of hrefs) expect(href).toMatch(/^(#[a-z-]+|https:\/\/search\.sigstore\.dev\/\?logIndex=\d+)$/);
      expect(await page.evaluate('document.title')).toMatch(/^sigtrail postmortem: /);
      // The hostile strings are on the page as text.
      const text = await page.evaluate<string>('document.body.textContent');
      expect(text).toContain(`<script>window.__pwned`);
      expect(text).toContain('=HYPERLINK(');
      // …including in the chart's tooltips, which are SVG text.
      const tooltips = await page.evaluate<string>("[...document.querySelectorAll('svg title')].map((t) => t.textContent).join('\\n')");
      expect(tooltips).toContain('signature <script>window.__pwned');
      expect(tooltips).toContain('"><img src=x onerror=');
    });
    await page.close();
  });

  it('shows bidi overrides and terminal escapes as visible escapes, never as live characters', async () => {
    const { page } = await openReport(browser.context, path.join(dir, 'report.html'));
    await screenshotOnFailure(page, 'hostile-invisible', async () => {
      const text = await page.evaluate<string>('document.body.textContent');
      expect(text).toContain('invoice\\u202egnp.exe');
      expect(text).toContain('\\x1b[31mRED');
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/);
      expect(await page.locator('.ctl').count()).toBeGreaterThan(100);
    });
    await page.close();
  });

  it('keeps the layout: no horizontal overflow of the page or of any table, on screen and in print', async () => {
    const { page } = await openReport(browser.context, path.join(dir, 'report.html'));
    await screenshotOnFailure(page, 'hostile-layout', async () => {
      for (const select of await page.locator('.pager select').all()) await select.selectOption('0');
      const overflow = `(() => ({
        page: document.documentElement.scrollWidth - window.innerWidth,
        body: document.body.scrollWidth - document.body.clientWidth,
        boxes: [...document.querySelectorAll('.scroll, section, dd, .check')].map((e) => e.scrollWidth - e.clientWidth).filter((d) => d > 1),
      }))()`;
      for (const width of [1280, 800]) {
        await page.setViewportSize({ width, height: 900 });
        const o = await page.evaluate<{ page: number; body: number; boxes: number[] }>(overflow);
        expect(o.page, `page overflow at ${width}px`).toBeLessThanOrEqual(0);
        expect(o.body, `body overflow at ${width}px`).toBeLessThanOrEqual(0);
        expect(o.boxes, `boxes overflowing at ${width}px`).toEqual([]);
      }
      // The very long value is cut on the page (kept whole in the CSV).
      expect(await page.locator('.cut').count()).toBeGreaterThan(0);
      // The injected </style> did not end the stylesheet: the page is still styled and visible.
      expect(await page.evaluate("getComputedStyle(document.body).display")).toBe('block');
      expect(await page.evaluate("getComputedStyle(document.querySelector('.badge')).borderRadius")).toBe('10px');
      await page.emulateMedia({ media: 'print' });
      const o = await page.evaluate<{ page: number; body: number }>(overflow);
      expect(o.page).toBeLessThanOrEqual(0);
    });
    await page.close();
  });
});

describe('the hostile report files', () => {
  const model = hostileModel();
  const json = JSON.parse(JSON.stringify(model)) as typeof model;

  it('has hostile text in every string field and odd numbers in every numeric field of the model', () => {
    const covered = new Map<string, boolean>();
    const walk = (v: unknown, at: string): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, `${at}[]`));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k);
      else if (typeof v === 'string') covered.set(at, (covered.get(at) ?? false) || HOSTILE.some((h) => v.includes(h)));
      else if (typeof v === 'number') covered.set(at, (covered.get(at) ?? false) || !Number.isSafeInteger(v) || v <= 0);
    };
    walk(model, '');
    expect(covered.size).toBeGreaterThan(60);
    expect([...covered].filter(([, hostile]) => !hostile).map(([at]) => at)).toEqual([]);
  });

  it('writes CSVs in which no cell can start a formula', () => {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.csv'))) {
      const rows: string[][] = parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      for (const row of rows) for (const cell of row) expect(FORMULA_START.test(cell), `${file}: ${cell.slice(0, 40)}`).toBe(false);
    }
  });

  it('round-trips every CSV through csv-parse to the same rows as the JSON', () => {
    const tables = reportTables(model, containmentChecklist(model));
    const jsonRows: Record<string, unknown[]> = {
      window: [json.window], 'window-evidence': json.window.evidence, signed: json.signed, anomalies: json.findings,
      lateral: json.lateral, access: json.access, timeline: json.timeline, distrust: json.distrust.digests.map((digest) => ({ digest })),
      custody: json.custody.files, 'custody-tlog': json.custody.tlog,
      checklist: JSON.parse(JSON.stringify(containmentChecklist(model))) as unknown[],
    };
    expect(tables.map((t) => t.name).sort()).toEqual(Object.keys(jsonRows).sort());
    for (const t of tables) {
      const parsed = parse<Record<string, string>>(fs.readFileSync(path.join(dir, `${t.name}.csv`), 'utf8'), { columns: true });
      const expected = jsonRows[t.name] as Record<string, unknown>[];
      expect(parsed.length, t.name).toBe(expected.length);
      parsed.forEach((row, i) => {
        expect(Object.keys(row), t.name).toEqual([...t.columns]);
        for (const c of t.columns) expect(row[c], `${t.name}[${i}].${c}`).toBe(asCsvCell(expected[i][c]));
      });
    }
  });

  it('writes findings.json equal to the findings, hostile strings intact', () => {
    const findings = JSON.parse(fs.readFileSync(path.join(dir, 'findings.json'), 'utf8')) as unknown;
    expect(findings).toEqual(json.findings);
    expect(JSON.stringify(findings)).toContain(JSON.stringify(HOSTILE[13]).slice(1, -1));
  });
});

/** The documented mapping of a JSON value to its CSV cell (docs/report.md). */
function asCsvCell(v: unknown): string {
  const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return FORMULA_START.test(text) ? `'${text}` : text;
}
