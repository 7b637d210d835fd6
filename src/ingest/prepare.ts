/**
 * Presenting an input file to DuckDB's JSON reader so that it reads exactly that file, all of it:
 *
 * - A file name is attacker-influenced (whoever wrote the evidence folder chose it), and DuckDB's
 *   readers expand glob patterns in a path: a file named `*.json` would read every file beside it
 *   under its own name and sha256. Such paths are read through a symlink with a plain name.
 * - gzip: a decompression bomb is refused before anything inflates (inflate.ts); a corrupt or
 *   truncated stream is inflated up to the damage into a temporary plain file, so the readable
 *   records still load and the damage itself becomes one reject.
 * - A UTF-8 byte-order mark before newline-delimited records makes DuckDB's line reader reject the
 *   first line; such a file is read from a copy without the mark. (A whole-document reader copes.)
 *
 * Detection runs on the prepared sample, so a damaged .gz is recognised by what it still holds.
 */
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { measureInflated } from './inflate.js';
import { sniff, type Sample } from './sniff.js';

export interface PreparedInput {
  /** The sample to detect and stage from; `sample.path` is what DuckDB reads. */
  sample: Sample;
  /** Why the file is read from a salvaged copy (a corrupt gzip stream), to record as a reject. */
  salvageNote?: string;
  /** Removes temporary copies and links. */
  release(): void;
}

/** Characters that DuckDB's file readers give a meaning to (glob patterns, home, protocols). */
const SPECIAL = /[*?[\]{}\\~]|:\/\/|^-/;

/** True when DuckDB would not read `path` literally. */
export function needsAlias(path: string): boolean {
  // eslint-disable-next-line no-control-regex
  return SPECIAL.test(path) || /[\u0000-\u001f]/.test(path);
}

function tempDir(): string {
  return fs.mkdtempSync(nodePath.join(os.tmpdir(), 'sigtrail-input-'));
}

/** Drops a leading UTF-8 BOM from a byte stream. */
function stripBom(): Transform {
  let first = true;
  let pending = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (!first) return done(null, chunk);
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 3) return done();
      first = false;
      const bom = pending[0] === 0xef && pending[1] === 0xbb && pending[2] === 0xbf;
      done(null, bom ? pending.subarray(3) : pending);
    },
    flush(done: TransformCallback) {
      if (first && pending.length > 0) this.push(pending);
      done();
    },
  });
}

/**
 * A plain (decompressed, BOM-less) copy of `path`. A corrupt gzip stream ends the copy at the
 * damage instead of failing; the result says how far it got.
 */
async function plainCopy(path: string, gzip: boolean): Promise<{ path: string; bytes: number; error?: string; dir: string }> {
  const dir = tempDir();
  const out = nodePath.join(dir, 'input.json');
  let bytes = 0;
  let error: string | undefined;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const source = fs.createReadStream(path);
  if (gzip) {
    // Streamed, so memory stays flat whatever the size; on damage the stream ends where it broke.
    const gunzip = zlib.createGunzip();
    const sink = fs.createWriteStream(out);
    await new Promise<void>((resolve) => {
      const finish = (e?: Error): void => {
        if (e && !error) error = e.message;
        sink.end(() => resolve());
      };
      const bom = stripBom();
      gunzip.on('error', finish);
      source.on('error', finish);
      bom.on('data', (c: Buffer) => { bytes += c.length; sink.write(c); });
      bom.on('end', () => finish());
      source.pipe(gunzip).pipe(bom);
    });
  } else {
    await pipeline(source, stripBom(), count, fs.createWriteStream(out));
  }
  return { path: out, bytes, error, dir };
}

/** Prepares `path` for detection and reading (see the file comment). Throws INPUT_LIMIT for a gzip bomb. */
export async function prepareInput(path: string): Promise<PreparedInput> {
  const dirs: string[] = [];
  const release = (): void => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  };
  try {
    let sample = sniff(path);
    let salvageNote: string | undefined;
    let copy: Awaited<ReturnType<typeof plainCopy>> | undefined;
    if (sample.gzip) {
      const check = await measureInflated(path);
      if (check.error) {
        copy = await plainCopy(path, true);
        salvageNote = `corrupt gzip stream (${check.error}) after ${copy.bytes} decompressed bytes; records before the damage were loaded`;
      }
    }
    if (!copy && sample.bom && sample.container === 'ndjson') copy = await plainCopy(path, sample.gzip);
    if (copy) {
      dirs.push(copy.dir);
      sample = sniff(copy.path);
    } else if (needsAlias(path)) {
      const dir = tempDir();
      dirs.push(dir);
      const link = nodePath.join(dir, 'input');
      fs.symlinkSync(nodePath.resolve(path), link);
      sample = { ...sample, path: link };
    }
    return { sample, salvageNote, release };
  } catch (e) {
    release();
    throw e;
  }
}
