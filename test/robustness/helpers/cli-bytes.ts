import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli.js';

/** Runs the CLI in-process and keeps stdout as bytes (for binary formats such as Arrow IPC). */
export async function runCliBytes(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  let err = '';
  stdout.on('data', (c: Buffer | string) => out.push(Buffer.from(c)));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(['node', 'sigtrail', ...args], { stdout, stderr });
  return { code, stdout: Buffer.concat(out), stderr: err };
}
