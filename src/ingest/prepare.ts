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
 * - A newline-delimited record past the per-record limit (stage.ts) fails DuckDB's whole read (past
 *   twice the limit) or its memory; such a file is read from a copy in which the long line is
 *   replaced by a short unparseable one, so it is rejected in place, with its true size.
 *
 * Detection runs on the prepared sample, so a damaged .gz is recognised by what it still holds.
 */
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { measureInflated } from './inflate.js';
import { WRAPPER_KEYS, sniff, type Sample } from './sniff.js';
import { MAX_RECORD_BYTES, hasWrapper } from './stage.js';

export interface PreparedInput {
  /** The sample to detect and stage from; `sample.path` is what DuckDB reads. */
  sample: Sample;
  /** Why the file is read from a salvaged copy (a corrupt gzip stream), to record as a reject. */
  salvageNote?: string;
  /** Lines past the per-line limit (by line number), replaced in the copy; they are rejected in place. */
  oversize: Map<number, OversizeLine>;
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

/** A line past the per-line limit, replaced in the copy DuckDB reads (see oversizeFilter). */
export interface OversizeLine {
  bytes: number;
  /** The start of the line, decoded leniently, for the reject's snippet. */
  head: string;
}

/** What stands in for an over-long line: one short line that does not parse, so it is rejected in place. */
const OVERSIZE_PLACEHOLDER = Buffer.from('{"sigtrail": "record past the per-line limit, replaced"');
const HEAD_KEEP = 600;

/**
 * Passes lines of at most `limit` bytes through and replaces longer ones with a placeholder,
 * recording each by its 1-based line number. Memory stays within `limit` per line.
 */
function oversizeFilter(limit: number, found: Map<number, OversizeLine>): Transform {
  let line = 1;
  let pending: Buffer[] = [];
  let length = 0;
  let over: { head: Buffer } | undefined;
  const endLine = (push: (b: Buffer) => void): void => {
    if (over) {
      found.set(line, { bytes: length, head: over.head.toString('utf8') });
      push(OVERSIZE_PLACEHOLDER);
    } else for (const p of pending) push(p);
    pending = [];
    length = 0;
    over = undefined;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const push = (b: Buffer): void => void this.push(b);
      let pos = 0;
      while (pos < chunk.length) {
        const nl = chunk.indexOf(0x0a, pos);
        const stop = nl === -1 ? chunk.length : nl;
        const piece = chunk.subarray(pos, stop);
        length += piece.length;
        if (!over) {
          pending.push(piece);
          if (length > limit) {
            over = { head: Buffer.concat(pending).subarray(0, HEAD_KEEP) };
            pending = [];
          }
        }
        if (nl === -1) break;
        endLine(push);
        push(Buffer.from('\n'));
        line++;
        pos = nl + 1;
      }
      done();
    },
    flush(done: TransformCallback) {
      endLine((b) => void this.push(b));
      done();
    },
  });
}

/**
 * A plain (decompressed, BOM-less) copy of `path`, over-long lines replaced. A corrupt gzip stream
 * ends the copy at the damage instead of failing; the result says how far it got.
 */
async function plainCopy(path: string, gzip: boolean, lineLimit: number): Promise<{ path: string; bytes: number; error?: string; dir: string; oversize: Map<number, OversizeLine> }> {
  const dir = tempDir();
  const out = nodePath.join(dir, 'input.json');
  const oversize = new Map<number, OversizeLine>();
  let bytes = 0;
  let error: string | undefined;
  const source = fs.createReadStream(path);
  const bom = stripBom();
  const filter = oversizeFilter(lineLimit, oversize);
  const sink = fs.createWriteStream(out);
  // Streamed, so memory stays flat whatever the size; on damage the copy ends where it broke.
  await new Promise<void>((resolve, reject) => {
    const stop = (e: Error): void => {
      error ??= e.message;
      bom.end();
    };
    sink.on('finish', () => resolve());
    sink.on('error', reject);
    filter.on('data', (c: Buffer) => (bytes += c.length));
    bom.pipe(filter).pipe(sink);
    source.on('error', stop);
    if (gzip) {
      const gunzip = zlib.createGunzip();
      gunzip.on('error', stop);
      source.pipe(gunzip).pipe(bom);
    } else source.pipe(bom);
  });
  return { path: out, bytes, error, dir, oversize };
}

/**
 * Prepares `path` for detection and reading (see the file comment). `longestLine` is the longest
 * line of the file as stored (measured while hashing it); for gzip the inflated text is measured
 * here. Throws INPUT_LIMIT for a gzip bomb.
 */
export async function prepareInput(path: string, facts: { longestLine: number }): Promise<PreparedInput> {
  const dirs: string[] = [];
  const release = (): void => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  };
  try {
    let sample = sniff(path);
    let salvageNote: string | undefined;
    let longest = facts.longestLine;
    let corrupt: string | undefined;
    if (sample.gzip) {
      const check = await measureInflated(path);
      longest = check.longestLine;
      corrupt = check.error;
      // The inflated size bounds a whole-file object (stage.ts objectBytesFor); a copy is measured by sniff.
      if (!corrupt) sample = { ...sample, decodedBytes: check.bytes };
    }
    // DuckDB's line reader fails the whole file past twice its limit, and strains memory below it.
    // Lines holding a wrapper (a CloudTrail S3 object on one line) are read under the document limit.
    const tooLong = sample.container === 'ndjson' && longest > MAX_RECORD_BYTES && !hasWrapper(sample, WRAPPER_KEYS);
    let copy: Awaited<ReturnType<typeof plainCopy>> | undefined;
    if (corrupt || tooLong || (sample.bom && sample.container === 'ndjson')) {
      copy = await plainCopy(path, sample.gzip, tooLong ? MAX_RECORD_BYTES : Infinity);
      dirs.push(copy.dir);
      if (corrupt) salvageNote = `corrupt gzip stream (${corrupt}) after ${copy.bytes} decompressed bytes; records before the damage were loaded`;
      sample = sniff(copy.path);
    } else if (needsAlias(path)) {
      const dir = tempDir();
      dirs.push(dir);
      const link = nodePath.join(dir, 'input');
      fs.symlinkSync(nodePath.resolve(path), link);
      sample = { ...sample, path: link };
    }
    return { sample, salvageNote, oversize: copy?.oversize ?? new Map<number, OversizeLine>(), release };
  } catch (e) {
    release();
    throw e;
  }
}
