/**
 * Reads the head of a file (gunzipped when it is gzip, whatever its name) so adapters can detect
 * their format from content, and decides how DuckDB should read it.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';

/** How records are laid out in the file. */
export type Container =
  | 'ndjson' // one JSON value per line (also a single-line document)
  | 'document' // one pretty-printed JSON document (or array) spanning lines
  | 'empty'
  | 'binary'
  | 'text'; // not JSON at the start

export interface Sample {
  path: string;
  gzip: boolean;
  /** Up to HEAD_BYTES of decoded text, BOM removed. */
  head: string;
  /** True when `head` is the whole (decompressed) file. */
  complete: boolean;
  /** The text starts with a UTF-8 byte-order mark (removed from `head`). */
  bom?: boolean;
  container: Container;
  /** The first record when it could be parsed from the head (first line, or the whole document). */
  first?: unknown;
  /** The first record when `first` is a wrapper (Records / records / array), else `first`. */
  firstRecord?: unknown;
  /** Decoded size in bytes when known: plain files, and gzip files whose whole content is in the head. */
  decodedBytes?: number;
}

export const HEAD_BYTES = 256 * 1024;

/** Compressed bytes inflated for the head: 16 KiB bounds the output (deflate expands at most ~1000x). */
const GZIP_PREFIX = 16 * 1024;

function readHead(path: string): { bytes: Buffer; gzip: boolean; complete: boolean; decodedBytes?: number } {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = fs.readSync(fd, buf, 0, HEAD_BYTES, 0);
    const raw = buf.subarray(0, n);
    const size = fs.fstatSync(fd).size;
    if (n >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
      const prefix = raw.subarray(0, GZIP_PREFIX);
      let out: Buffer;
      let whole = false;
      try {
        // Z_SYNC_FLUSH: a truncated or corrupt stream yields what came before the damage instead of throwing.
        out = zlib.gunzipSync(prefix, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
        whole = size === prefix.length;
      } catch {
        out = Buffer.alloc(0);
      }
      const complete = whole && out.length <= HEAD_BYTES;
      return { bytes: out.subarray(0, HEAD_BYTES), gzip: true, complete, decodedBytes: complete ? out.length : undefined };
    }
    return { bytes: raw, gzip: false, complete: size === n, decodedBytes: size };
  } finally {
    fs.closeSync(fd);
  }
}

function looksBinary(bytes: Buffer): boolean {
  const n = Math.min(bytes.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return n > 0 && control / n > 0.05;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export const WRAPPER_KEYS = ['Records', 'records', 'Events', 'entries', 'items', 'workflow_runs', 'jobs'];

function firstRecordOf(v: unknown): unknown {
  if (Array.isArray(v)) return v[0];
  if (v && typeof v === 'object') {
    for (const k of WRAPPER_KEYS) {
      const inner = (v as Record<string, unknown>)[k];
      if (Array.isArray(inner) && inner.length > 0) return inner[0];
    }
  }
  return v;
}

/**
 * Newline-delimited records whose first line is damaged (a partial write, a file cut by rotation or
 * `tail -c`): most complete lines after the first parse on their own as objects. Lines of a
 * pretty-printed document never do (`"key": value,`), so this does not misread a document.
 * Returns the first such record.
 */
function laterLinesAreRecords(head: string, complete: boolean): { ok: true; first: unknown } | { ok: false } {
  const lines = head.split('\n').slice(1);
  if (!complete) lines.pop(); // the head may end mid-line
  let records = 0;
  let others = 0;
  let first: unknown;
  for (const l of lines.slice(0, 200)) {
    if (l.trim() === '') continue;
    const p = /^\s*\{/.test(l) ? tryParse(l) : { ok: false as const };
    if (p.ok && p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value)) {
      if (records++ === 0) first = p.value;
    } else others++;
  }
  return records > 0 && records > others ? { ok: true, first } : { ok: false };
}

/** Samples a file for format detection. Never throws for content; only for I/O errors. */
export function sniff(path: string): Sample {
  const { bytes, gzip, complete, decodedBytes } = readHead(path);
  let head = bytes.toString('utf8');
  const bom = head.charCodeAt(0) === 0xfeff;
  if (bom) head = head.slice(1);
  const base = { path, gzip, head, complete, bom, ...(decodedBytes === undefined ? {} : { decodedBytes }) };
  if (head.trim() === '') return { ...base, container: 'empty' };
  const trimmed = head.trimStart();
  const c = trimmed[0];
  const json = c === '{' || c === '[';
  const nl = trimmed.indexOf('\n');
  const firstLine = nl === -1 ? trimmed : trimmed.slice(0, nl);
  // A first line that parses is a log line, whatever follows it: a corrupt line or a run of NULs
  // further on (a crash mid-write) must not make the whole file look binary.
  const line = json ? tryParse(firstLine) : { ok: false as const };
  if (line.ok) return { ...base, container: 'ndjson', first: line.value, firstRecord: firstRecordOf(line.value) };
  if (json && complete) {
    const whole = tryParse(trimmed);
    if (whole.ok) return { ...base, container: 'document', first: whole.value, firstRecord: firstRecordOf(whole.value) };
  }
  const later = laterLinesAreRecords(trimmed, complete);
  if (later.ok) return { ...base, container: 'ndjson', first: later.first, firstRecord: firstRecordOf(later.first) };
  if (looksBinary(bytes)) return { ...base, container: 'binary' };
  if (!json) return { ...base, container: 'text' };
  // A first line longer than the head cannot be parsed here; it is still one record per line.
  if (nl === -1) return { ...base, container: 'ndjson' };
  return { ...base, container: 'document' };
}
