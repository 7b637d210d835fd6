import { describe, expect, it } from 'vitest';
import { csvCell, escapeHtml, stripControl, terminalCell } from '../../src/render/sanitize.js';

describe('terminal output', () => {
  it.each([
    // Shown, not removed: a removed sequence would hide its payload (the "pwned" below) from the analyst.
    ['colour escape shown', 'ok\u001b[31mRED\u001b[0m', 'ok\\x1b[31mRED\\x1b[0m'],
    ['OSC 8 hyperlink / title escape shown with its payload', '\u001b]0;pwned\u0007title', '\\x1b]0;pwned\\x07title'],
    ['cursor movement shown', 'a\u001b[2Jb', 'a\\x1b[2Jb'],
    ['bare ESC shown, not sent', 'x\u001by', 'x\\x1by'],
    ['bell shown', 'ding\u0007', 'ding\\x07'],
    ['C1 CSI shown', 'a\u009b31mb', 'a\\x9b31mb'],
    ['right-to-left override shown', 'invoice\u202egnp.exe', 'invoice\\u202egnp.exe'],
  ])('%s', (_n, input, expected) => {
    expect(stripControl(input)).toBe(expected);
  });

  it('keeps a table cell on one line', () => {
    expect(terminalCell('a\nb\r\tc')).toBe('a\\nb\\r c');
  });
});

describe('CSV cells', () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['line\nbreak', '"line\nbreak"'],
  ])('%j → %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

describe('HTML escaping', () => {
  it('escapes markup and attribute breakers', () => {
    expect(escapeHtml('"><img src=x onerror=alert(1)>')).toBe('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeHtml("<script>alert('x')</script>")).toBe('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
  });
});
