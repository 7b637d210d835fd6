/**
 * The README's first command, end to end: `sigtrail demo` ingests samples/, investigates the
 * case, prints the summary tables and writes a report that renders in Chromium with every
 * section filled. The findings themselves are checked against samples/expected.json in
 * test/analyses (the demo incident's own test); here the wiring is the subject.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openReport, screenshotOnFailure, type Browser } from './helpers/browser.js';
import { runCli, type CliRun } from './helpers/cli.js';
import { tempDir } from './helpers/paths.js';

const SECTIONS = ['summary', 'timeline', 'signed', 'findings', 'lateral', 'access', 'distrust', 'custody', 'checklist'];

let out: string;
let run: CliRun;
let browser: Browser;

beforeAll(async () => {
  out = tempDir('sigtrail-demo-');
  run = await runCli(['--no-color', 'demo', '--out', out]);
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe('sigtrail demo', () => {
  it('ingests every log of the incident without a reject and prints the investigation', () => {
    expect(run.code, run.stderr).toBe(0);
    for (const source of ['aws-cloudtrail', 'github-audit', 'rekor', 'sigstore-bundle', 'vault-audit']) expect(run.stdout).toContain(source);
    expect(run.stdout).not.toContain('unrecognised');
    expect(run.stdout).toMatch(/Exposure window: \S+ → (OPEN|\S+)/);
    expect(run.stdout).toContain('Signatures not attested by a sanctioned build');
    expect(run.stdout).toContain('LATERAL_SECRET_READ');
    expect(run.stdout).toContain('prod/db-password');
    expect(run.stdout).toContain('SIGNED_WITHOUT_BUILD');
  });

  it('writes a report that renders in Chromium with every section filled and nothing loaded from outside', async () => {
    const file = path.join(out, 'report', 'report.html');
    expect(fs.existsSync(file)).toBe(true);
    const { page, watch, url } = await openReport(browser.context, file);
    await screenshotOnFailure(page, 'demo-report', async () => {
      for (const id of SECTIONS) {
        expect(await page.locator(`section#${id}`).isVisible(), `#${id}`).toBe(true);
        expect((await page.locator(`section#${id}`).innerText()).length, `#${id} text`).toBeGreaterThan(80);
      }
      expect(watch.requests).toEqual([url]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.consoleErrors).toEqual([]);
    });
    await page.close();
  });

  it('writes CSVs that hold the same rows as findings.json', () => {
    const findings = JSON.parse(fs.readFileSync(path.join(out, 'report', 'findings.json'), 'utf8')) as { rule: string }[];
    const csv: Record<string, string>[] = parse(fs.readFileSync(path.join(out, 'report', 'anomalies.csv')), { columns: true });
    expect(csv.map((r) => r.rule)).toEqual(findings.map((f) => f.rule));
  });
});
