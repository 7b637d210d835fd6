import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SigtrailError } from '../../src/errors.js';
import { renderJson } from '../../src/render/json.js';
import { writeReport } from '../../src/report/write.js';
import { incidentModel } from '../fixtures/report-model.js';
import { fixtureDir, tempDir } from '../helpers/paths.js';

const FILES = [
  'report.html', 'window.csv', 'window-evidence.csv', 'signed.csv', 'anomalies.csv', 'lateral.csv', 'access.csv', 'timeline.csv',
  'distrust.csv', 'custody.csv', 'custody-tlog.csv', 'checklist.csv', 'findings.json',
];

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

describe('writeReport', () => {
  it('writes report.html, a CSV per analysis and findings.json, leaving no temporary file', async () => {
    const dir = path.join(tempDir(), 'nested', 'out');
    const written = await writeReport(dir, incidentModel());
    expect(written.files).toEqual(FILES);
    expect(fs.readdirSync(dir).sort()).toEqual([...FILES].sort());
    expect(fs.readFileSync(path.join(dir, 'findings.json'), 'utf8')).toBe(renderJson(incidentModel().findings));
    expect(fs.readFileSync(path.join(dir, 'distrust.csv'), 'utf8').split('\r\n').slice(0, 2)).toEqual(['digest', incidentModel().distrust.digests[0]]);
  });

  it('allows exactly its own inline style and script by hash, and nothing else', async () => {
    const dir = tempDir();
    await writeReport(dir, incidentModel());
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(styles).toHaveLength(1);
    expect(scripts).toHaveLength(1);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src ${sha256(styles[0])}`);
    expect(csp).toContain(`script-src ${sha256(scripts[0])}`);
    expect(csp).not.toMatch(/unsafe|https?:|data:|\*/);
    // The policy is the first thing in <head> after the charset, so it covers everything after it.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
    expect(html).not.toMatch(/ style="/);
  });

  it('replaces a previous report in the same folder and leaves other files alone', async () => {
    const dir = fixtureDir({ 'report.html': 'old', 'notes.txt': 'analyst notes' });
    await writeReport(dir, incidentModel());
    expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('analyst notes');
  });

  it('fails with a usage error when --out is a file', async () => {
    const dir = fixtureDir({ 'taken': 'a file' });
    const error = await writeReport(path.join(dir, 'taken'), incidentModel()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigtrailError);
    expect(error).toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect((error as Error).message).toMatch(/cannot write the report to .*taken: E(EXIST|NOTDIR)/);
  });
});
