import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared real records, beside the project (never copied into it). */
export const REALDATA = path.resolve(ROOT, '../shared/realdata');

export function realdata(...parts: string[]): string {
  return path.join(REALDATA, ...parts);
}

/** A fresh temporary folder, removed by the OS eventually; tests clean up their own when it matters. */
export function tempDir(prefix = 'sigtrail-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files (object literal: relative path → content) under a new temp folder. */
export function fixtureDir(files: Record<string, string | Buffer>): string {
  const dir = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return dir;
}
