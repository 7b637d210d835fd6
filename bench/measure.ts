/**
 * Runs one contender as a child process and measures it from outside: wall time, CPU time and
 * peak resident memory. GNU time (`/usr/bin/time`) reports the peak RSS the kernel recorded for
 * the whole process tree it waited for; without it, /proc/<pid>/status is polled (VmHWM of the
 * direct child, which misses only the last poll interval).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Measurement {
  seconds: number;
  /** User + system CPU seconds of the child (and its children), when GNU time is available. */
  cpuSeconds: number | null;
  peakRssBytes: number | null;
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where stdout goes: captured (default) or discarded (jq's output for a million records). */
  stdout?: 'capture' | 'discard';
  timeoutSeconds?: number;
}

const GNU_TIME = '/usr/bin/time';

function hasGnuTime(): boolean {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const useGnuTime = hasGnuTime() && process.env.SIGTRAIL_BENCH_NO_GNU_TIME === undefined;

/** Reads VmHWM (peak RSS) of a live process, in bytes. */
function vmHwm(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Runs `cmd args` to completion and measures it. Never throws for a failing child: see `code`. */
export function measure(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<Measurement> {
  const report = useGnuTime ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sigtrail-bench-')), 'time') : null;
  const argv = report ? [GNU_TIME, '-f', '%e %U %S %M', '-o', report, cmd, ...args] : [cmd, ...args];
  const started = process.hrtime.bigint();
  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', options.stdout === 'discard' ? 'ignore' : 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  let peak: number | null = null;
  const poll = report ? undefined : setInterval(() => {
    const v = child.pid ? vmHwm(child.pid) : null;
    if (v !== null) peak = Math.max(peak ?? 0, v);
  }, 25);
  const timer = options.timeoutSeconds ? setTimeout(() => child.kill('SIGKILL'), options.timeoutSeconds * 1000) : undefined;
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let cpuSeconds: number | null = null;
      if (report) {
        // GNU time appends "Command exited with non-zero status N" before its line; the last line is ours.
        const lines = fs.readFileSync(report, 'utf8').trim().split('\n');
        const [e, u, s, m] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
        // Wall time is ours (nanoseconds); GNU time's is rounded to 10 ms.
        if (!Number.isFinite(e)) cpuSeconds = null;
        else if (Number.isFinite(u) && Number.isFinite(s)) cpuSeconds = u + s;
        if (Number.isFinite(m)) peak = m * 1024;
        fs.rmSync(path.dirname(report), { recursive: true, force: true });
      }
      resolve({ seconds, cpuSeconds, peakRssBytes: peak, code: code ?? 1, stdout, stderr });
    });
  });
}
