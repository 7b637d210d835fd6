/**
 * Everything the benchmark times runs as plain `node <file>.js`: the sigtrail CLI from dist/
 * (rebuilt here when src/ is newer), and the contenders in bench/children/ transpiled to .mjs.
 * Running them through tsx would add ~0.25 s of loader start-up to every measurement.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Rebuilds dist/ when any source file is newer than it (the benchmark must time the code in src/). */
export function ensureBuilt(root: string, log: (s: string) => void): void {
  const cli = path.join(root, 'dist', 'cli.js');
  const built = fs.existsSync(cli) ? fs.statSync(cli).mtimeMs : 0;
  if (newestMtime(path.join(root, 'src'), '.ts') <= built) return;
  log('building dist/ (src/ changed) …');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // tsc leaves unchanged outputs untouched; mark the build as current.
  const now = new Date();
  fs.utimesSync(cli, now, now);
}

/**
 * Transpiles bench/children/<name>.ts to `outDir/<name>.mjs` (under node_modules/.cache, so module
 * resolution finds @duckdb/node-api and linters leave it alone); returns the paths by name.
 */
export function compileChildren(benchDir: string, outDir: string): Record<string, string> {
  fs.mkdirSync(outDir, { recursive: true });
  const out: Record<string, string> = {};
  const dir = path.join(benchDir, 'children');
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(dir, name), 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: name,
    }).outputText;
    const target = path.join(outDir, name.replace(/\.ts$/, '.mjs'));
    fs.writeFileSync(target, js);
    out[name.replace(/\.ts$/, '')] = target;
  }
  return out;
}
