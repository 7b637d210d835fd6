import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/write.js';
import { incidentModel, largeModel } from '../fixtures/report-model.js';
import { launch, openReport, screenshotOnFailure, watchedPage, type Browser } from '../helpers/browser.js';
import { fixtureDir, tempDir } from '../helpers/paths.js';

const SECTIONS = ['summary', 'timeline', 'signed', 'findings', 'lateral', 'access', 'distrust', 'custody', 'checklist'];

let browser: Browser;
let reportFile: string;

beforeAll(async () => {
  const dir = tempDir('sigtrail-report-');
  await writeReport(dir, incidentModel());
  reportFile = path.join(dir, 'report.html');
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('the demo incident report in Chromium', () => {
  it('renders every section, filled, with no request, console message, page error or policy violation', async () => {
    const { page, watch, url } = await openReport(browser.context, reportFile);
    await screenshotOnFailure(page, 'report-sections', async () => {
      for (const id of SECTIONS) {
        const section = page.locator(`section#${id}`);
        await expect(section.isVisible()).resolves.toBe(true);
        // Filled: something besides the heading, and no "nothing here" placeholder.
        expect(await section.locator('.empty').count(), `#${id} has an empty placeholder`).toBe(0);
        expect((await section.innerText()).length, `#${id} text`).toBeGreaterThan(80);
      }
      expect(await page.locator('#signed tbody tr').count()).toBe(incidentModel().signed.length);
      expect(await page.locator('#findings tbody tr').count()).toBe(incidentModel().findings.length);
      expect(await page.locator('#checklist .check').count()).toBe(6);
      expect(await page.locator('svg#chart-case rect.v-anomalous').count()).toBeGreaterThan(0);
      expect(await page.locator('svg#chart-case rect.win').count()).toBe(1);
      expect(await page.locator('svg#chart-detail').count()).toBe(1);
      expect(watch.requests).toEqual([url]);
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.dialogs).toEqual([]);
      expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    });
    await page.close();
  });

  it('states the window, the worst findings first, and the checklist judged from the data', async () => {
    const { page } = await openReport(browser.context, reportFile);
    await screenshotOnFailure(page, 'report-summary', async () => {
      const summary = await page.locator('#summary').innerText();
      expect(summary).toContain('Window open');
      expect(summary).toContain('2025-03-04T02:26:51Z');
      expect(summary).toContain('2025-03-05T11:02:18Z');
      expect(summary).toContain('inferred');
      const worst = await page.locator('#summary ol li').allInnerTexts();
      expect(worst[0]).toMatch(/^critical/);
      expect(worst.at(-1)).toMatch(/^(critical|high)/);
      const statuses = await page.locator('#checklist .check h3 .badge').allInnerTexts();
      expect(statuses).toEqual(['not done', 'not done', 'not done', 'not done', 'not done', 'not done']);
    });
    await page.close();
  });

  it('links log indexes to the public Rekor search and nothing else off the page', async () => {
    const { page } = await openReport(browser.context, reportFile);
    const hrefs = await page.evaluate<string[]>("[...document.querySelectorAll('[href]')].map((a) => a.getAttribute('href'))");
    for (const href of hrefs) expect(href).toMatch(/^(#[a-z-]+|https:\/\/search\.sigstore\.dev\/\?logIndex=\d+)$/);
    const first = incidentModel().signed[0];
    expect(hrefs).toContain(`https://search.sigstore.dev/?logIndex=${first.log_index}`);
    await page.close();
  });

  it('names the source file and record number on every row', async () => {
    const { page } = await openReport(browser.context, reportFile);
    await screenshotOnFailure(page, 'report-pointers', async () => {
      for (const id of ['t-window', 't-signed', 't-lateral', 't-access', 't-timeline', 't-distrust']) {
        const cells = await page.locator(`#${id} tbody tr td:last-child`).allTextContents();
        expect(cells.length, id).toBeGreaterThan(0);
        for (const c of cells) expect(c, id).toMatch(/^evidence\/\S+ #\d+$/);
      }
      const evidence = await page.locator('#t-findings tbody tr td:nth-child(6)').allTextContents();
      for (const c of evidence) expect(c).toMatch(/evidence\/\S+ #\d+/);
    });
    await page.close();
  });

  it('sorts a column with a click, both ways, and filters as you type', async () => {
    const { page } = await openReport(browser.context, reportFile);
    await screenshotOnFailure(page, 'report-sort-filter', async () => {
      const verdicts = () => page.locator('#t-signed tbody tr:not([hidden]) td:nth-child(9)').allTextContents();
      const header = page.locator('#t-signed thead button', { hasText: 'Verdict' });
      await header.click();
      const asc = await verdicts();
      expect(asc[0]).toBe('attested');
      expect(asc.at(-1)).toBe('anomalous');
      await header.click();
      expect((await verdicts())[0]).toBe('anomalous');
      expect(await page.locator('#t-signed thead th[aria-sort=descending]').count()).toBe(1);

      // Numeric sort: log indexes compare as numbers, not text.
      await page.locator('#t-signed thead button', { hasText: 'Log index' }).click();
      const idx = (await page.locator('#t-signed tbody tr td:first-child').allTextContents()).map(Number);
      expect(idx).toEqual([...idx].sort((a, b) => a - b));

      await page.locator('[data-controls-for="t-signed"] input').fill('darwin-arm64');
      await expect.poll(() => page.locator('#t-signed tbody tr:not([hidden])').count()).toBe(1);
      expect(await page.locator('[data-controls-for="t-signed"] output').textContent()).toBe('rows 1–1 of 1 matching (44 in all)');
      await page.locator('[data-controls-for="t-signed"] input').fill('');
      await expect.poll(() => page.locator('#t-signed tbody tr:not([hidden])').count()).toBe(44);
    });
    await page.close();
  });

  it('prints: controls hidden, tables unclipped, a PDF comes out', async () => {
    const { page } = await openReport(browser.context, reportFile);
    await screenshotOnFailure(page, 'report-print', async () => {
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('nav').isVisible()).toBe(false);
      expect(await page.locator('.controls').first().isVisible()).toBe(false);
      expect(await page.evaluate("getComputedStyle(document.querySelector('.scroll')).overflow")).toBe('visible');
      const pdf = await page.pdf({ format: 'A4', landscape: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(20_000);
    });
    await page.close();
  });
});

describe('a table longer than one page', () => {
  it('pages on screen, and prints every row that matches the filter', async () => {
    const dir = tempDir('sigtrail-paged-');
    await writeReport(dir, largeModel(250));
    const { page } = await openReport(browser.context, path.join(dir, 'report.html'));
    await screenshotOnFailure(page, 'report-paged-print', async () => {
      const controls = page.locator('[data-controls-for="t-signed"]');
      const shown = () => page.evaluate<number>(
        "[...document.querySelectorAll('#t-signed tbody tr')].filter((r) => getComputedStyle(r).display !== 'none').length",
      );
      expect(await controls.locator('output').textContent()).toBe('rows 1–100 of 250');
      expect(await shown()).toBe(100);
      await controls.locator('button[data-page=next]').click();
      await controls.locator('button[data-page=next]').click();
      expect(await controls.locator('output').textContent()).toBe('rows 201–250 of 250');
      expect(await controls.locator('button[data-page=next]').isDisabled()).toBe(true);
      expect(await shown()).toBe(50);

      // ledger-2.1x.y: versions 10–19 → 120 of the 250 signatures.
      await controls.locator('input').fill('ledger-2.1');
      await expect.poll(() => controls.locator('output').textContent()).toBe('rows 1–100 of 120 matching (250 in all)');
      await page.emulateMedia({ media: 'print' });
      expect(await shown()).toBe(120);
      await page.emulateMedia({ media: 'screen' });
      await controls.locator('select').selectOption('0');
      expect(await controls.locator('output').textContent()).toBe('rows 1–120 of 120 matching (250 in all)');
      expect(await shown()).toBe(120);
    });
    await page.close();
  });
});

describe('the request watch itself', () => {
  it('sees and blocks a page that tries to load something from outside', async () => {
    // Guards against a watch that could never fail: a page without sigtrail's policy does load.
    const dir = fixtureDir({ 'leaky.html': '<!DOCTYPE html><img src="https://example.invalid/pixel.gif"><script>console.error("boom")</script>' });
    const url = new URL(`file://${path.join(dir, 'leaky.html')}`).href;
    const { page, watch } = await watchedPage(browser.context, url);
    await page.goto(url);
    expect(watch.requests).toContain('https://example.invalid/pixel.gif');
    expect(watch.consoleErrors.join('\n')).toContain('boom');
    await page.close();
  });
});
