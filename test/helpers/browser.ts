/**
 * Headless Chromium for the report tests: Debian's chromium (SIGTRAIL_CHROMIUM, else
 * /usr/bin/chromium) driven by playwright-core, a fresh profile per launch, and a watch on
 * everything a hostile page could do — requests, console errors, page errors, dialogs and
 * Content-Security-Policy violations.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './paths.js';

export const CHROMIUM = process.env.SIGTRAIL_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data dir (removed on close). */
export async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set SIGTRAIL_CHROMIUM`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sigtrail-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PageWatch {
  /** Every URL the page requested (the report's own file:// URL included). */
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
}

/**
 * A new page with everything it does recorded. Any request that is not the report file itself is
 * aborted as well as recorded, so a test failure cannot leak a request off the machine.
 */
export async function watchedPage(context: BrowserContext, allowedUrl: string): Promise<{ page: Page; watch: PageWatch }> {
  const page = await context.newPage();
  const watch: PageWatch = { requests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
  page.on('request', (r) => watch.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watch.consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => watch.pageErrors.push(e.message));
  page.on('dialog', (d) => {
    watch.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.route('**/*', (route) => (route.request().url() === allowedUrl ? route.continue() : route.abort()));
  // Record CSP violations as well: a blocked injection is still a failed escape.
  // (Browser-side code is passed as text: the project compiles without DOM types.)
  await page.addInitScript(`
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  `);
  return { page, watch };
}

/** Opens a report file and waits for its script to finish setting up. */
export async function openReport(context: BrowserContext, file: string): Promise<{ page: Page; watch: PageWatch; url: string }> {
  const url = pathToFileURL(file).href;
  const { page, watch } = await watchedPage(context, url);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('html[data-ready="1"]', { timeout: 30_000 });
  return { page, watch, url };
}

/** Runs `fn`; on failure saves a full-page screenshot to test-results/<name>.png and rethrows. */
export async function screenshotOnFailure<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const dir = path.join(ROOT, 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name.replace(/[^a-z0-9-]+/gi, '_')}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true, timeout: 15_000 }).catch(() => page.screenshot({ path: file, timeout: 15_000 }));
      console.error(`screenshot saved: ${file}`);
    } catch (shotError) {
      console.error(`could not save a screenshot: ${String(shotError)}`);
    }
    throw e;
  }
}
