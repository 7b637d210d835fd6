/**
 * Neutralising attacker-controlled text for each output medium. Log fields come from whoever
 * made the request being logged: a user agent, a secret name or a commit message can carry
 * terminal escapes, spreadsheet formulas or markup.
 */

// C0/C1 controls (except tab/newline handled by callers), DEL, and bidirectional overrides /
// isolates that can make text display differently from what it is (Trojan Source).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes text safe for a terminal: every control character, including the ESC that starts an
 * ANSI/OSC sequence, is shown as a visible escape (`\x1b`, `\u202e`) so that nothing reaches the
 * terminal as a command. The rest of a sequence stays as plain text: removing whole sequences would
 * hide what they carry (an OSC title or hyperlink can hold any text an attacker wants unseen), and
 * the analyst should see the field as it was logged, as the HTML report shows it.
 */
export function stripControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Terminal-safe single-line text: newlines and tabs become visible too. */
export function terminalCell(text: string): string {
  return stripControl(text.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, ' '));
}

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * One CSV cell (RFC 4180 quoting). A cell that a spreadsheet would evaluate as a formula — it
 * starts with =, +, -, @, tab or CR (OWASP CSV injection) — is prefixed with a single quote.
 */
export function csvCell(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]).replace(CONTROL, (c) => `&#x${c.charCodeAt(0).toString(16)};`);
}
