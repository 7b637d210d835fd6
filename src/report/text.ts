/**
 * Turning untrusted values into HTML text for the report, and the only URL the report builds.
 *
 * A log field can carry markup, terminal escapes, or bidirectional overrides that make text read
 * differently from what it is (Trojan Source: `invoice\u202egnp.exe`). Markup is escaped with
 * render/sanitize's escapeHtml; every invisible or display-changing character is shown as a
 * visible, highlighted escape (`\u202e`) so the analyst sees that it was there. A numeric character
 * reference alone (`&#x202e;`) would still be decoded by the browser and still reorder the text.
 */
import { escapeHtml } from '../render/sanitize.js';

// C0/C1 controls (incl. newline, tab, ESC), DEL, the Arabic letter mark, zero-width characters,
// LRM/RLM, line/paragraph separators, bidi embeddings/overrides/isolates, invisible operators, BOM.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Longest value shown in one cell; the CSV and JSON files keep the full value. */
export const MAX_CELL_CHARS = 2000;

function escapeCode(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Plain text with every invisible or display-changing character replaced by its visible escape. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, escapeCode);
}

/** Text for an attribute value or SVG `<title>`: cut after `max` characters, visible escapes, HTML-escaped. */
export function attrText(text: string, max = MAX_CELL_CHARS): string {
  return escapeHtml(visible(text.length > max ? `${text.slice(0, max)}…` : text));
}

/**
 * HTML for one untrusted value: escaped, invisible characters shown as highlighted escapes, and
 * cut after `max` characters with a visible note (a 10 MB user agent must not stall the page).
 */
export function htmlText(value: string | number | boolean | null | undefined, max = MAX_CELL_CHARS): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  let cut = 0;
  if (text.length > max) {
    cut = text.length - max;
    text = text.slice(0, max);
  }
  let out = '';
  let last = 0;
  for (const m of text.matchAll(INVISIBLE)) {
    out += escapeHtml(text.slice(last, m.index));
    out += `<span class="ctl">${escapeCode(m[0])}</span>`;
    last = m.index + m[0].length;
  }
  out += escapeHtml(text.slice(last));
  if (cut > 0) out += `<span class="cut">… ${cut} more characters (full value in the CSV)</span>`;
  return out;
}

// A Rekor log index is a non-negative 64-bit integer; anything else is not linked.
const LOG_INDEX = /^(0|[1-9][0-9]{0,18})$/;

/**
 * The public Rekor search URL for a log index, or null when the value is not a plain integer.
 * The URL is built from a validated number only: no text from a log ever reaches an href.
 */
export function rekorUrl(logIndex: number | string | null | undefined): string | null {
  if (typeof logIndex === 'number') {
    return Number.isSafeInteger(logIndex) && logIndex >= 0 ? `https://search.sigstore.dev/?logIndex=${logIndex}` : null;
  }
  if (typeof logIndex === 'string' && LOG_INDEX.test(logIndex)) return `https://search.sigstore.dev/?logIndex=${logIndex}`;
  return null;
}
