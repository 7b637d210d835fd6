import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../helpers/paths.js';

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak RSS of the child in bytes (from its own resource usage). */
  peakRss: number;
  ms: number;
  timedOut: boolean;
}

/** Runs `sigtrail <args>` in a child process with a hard timeout, and measures its peak RSS. */
export function runChild(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ChildRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/robustness/helpers/rss-entry.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const m = /MAXRSS_KB (\d+)\s*$/.exec(stderr);
      resolve({ code, stdout, stderr: stderr.replace(/\nMAXRSS_KB \d+\s*$/, ''), peakRss: m ? Number(m[1]) * 1024 : NaN, ms: Date.now() - started, timedOut });
    });
  });
}
