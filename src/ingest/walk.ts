/**
 * Expands the paths given to `ingest` into regular files: folders recursively, in a stable order,
 * following symlinks but never the same directory twice (a symlink loop ends, it does not hang).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SigtrailError } from '../errors.js';

export interface WalkResult {
  files: string[];
  /** Paths skipped, with why (loops, sockets, unreadable folders). */
  skipped: { path: string; reason: string }[];
}

export function walk(inputs: readonly string[]): WalkResult {
  const files: string[] = [];
  const skipped: WalkResult['skipped'] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();

  const visit = (p: string, top: boolean): void => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      if (top) throw new SigtrailError('NOT_FOUND', `no such file or folder: ${p}`, { cause: e });
      skipped.push({ path: p, reason: 'unreadable or dangling link' });
      return;
    }
    if (st.isDirectory()) {
      const real = fs.realpathSync(p);
      if (seenDirs.has(real)) {
        skipped.push({ path: p, reason: 'folder already visited (symlink loop)' });
        return;
      }
      seenDirs.add(real);
      let names: string[];
      try {
        names = fs.readdirSync(p);
      } catch {
        skipped.push({ path: p, reason: 'folder not readable' });
        return;
      }
      for (const name of names.sort()) {
        if (name.startsWith('.')) continue; // .git, editor swap files, .DS_Store
        visit(path.join(p, name), false);
      }
    } else if (st.isFile()) {
      const real = fs.realpathSync(p);
      if (seenFiles.has(real)) return;
      seenFiles.add(real);
      files.push(p);
    } else {
      skipped.push({ path: p, reason: 'not a regular file' });
    }
  };

  for (const input of inputs) visit(input, true);
  return { files, skipped };
}
