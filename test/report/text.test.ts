import { describe, expect, it } from 'vitest';
import { attrText, htmlText, MAX_CELL_CHARS, rekorUrl, visible } from '../../src/report/text.js';

describe('htmlText', () => {
  it.each([
    ['markup', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['attribute breakers', `"><img src=x onerror='y'>`, '&quot;&gt;&lt;img src=x onerror=&#39;y&#39;&gt;'],
    ['ampersands stay literal', '&lt;b&gt;', '&amp;lt;b&amp;gt;'],
    ['right-to-left override shown', 'invoice\u202egnp.exe', 'invoice<span class="ctl">\\u202e</span>gnp.exe'],
    ['isolates and marks shown', '\u2066a\u2069\u200f', '<span class="ctl">\\u2066</span>a<span class="ctl">\\u2069</span><span class="ctl">\\u200f</span>'],
    ['terminal escape shown', '\u001b[31mred', '<span class="ctl">\\x1b</span>[31mred'],
    ['newline shown, so a value cannot fake a second line', 'a\nb', 'a<span class="ctl">\\x0a</span>b'],
    ['NUL shown', 'a\u0000b', 'a<span class="ctl">\\x00</span>b'],
    ['numbers', 42, '42'],
    ['null', null, ''],
  ])('%s', (_name, input, expected) => {
    expect(htmlText(input)).toBe(expected);
  });

  it('cuts a very long value and says how much is missing', () => {
    const out = htmlText('a'.repeat(MAX_CELL_CHARS + 123));
    expect(out.startsWith('a'.repeat(MAX_CELL_CHARS))).toBe(true);
    expect(out).toContain('… 123 more characters (full value in the CSV)');
  });
});

describe('attrText and visible', () => {
  it('escapes quotes and makes controls visible for attributes', () => {
    expect(attrText('a"b\u202e')).toBe('a&quot;b\\u202e');
    expect(visible('tab\there')).toBe('tab\\x09here');
  });

  it('cuts long attribute values', () => {
    expect(attrText('x'.repeat(50), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('rekorUrl', () => {
  it.each([
    [0, 'https://search.sigstore.dev/?logIndex=0'],
    [171402118, 'https://search.sigstore.dev/?logIndex=171402118'],
    ['171402118', 'https://search.sigstore.dev/?logIndex=171402118'],
    ['9223372036854775807', 'https://search.sigstore.dev/?logIndex=9223372036854775807'],
  ])('links the log index %j', (input, url) => {
    expect(rekorUrl(input)).toBe(url);
  });

  it.each([
    -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '-1', '1.5', '1e3', '0x10', '007', '', ' 1', '1 ', '123\n', '１２３',
    '12345678901234567890', 'javascript:alert(1)', '1&logIndex=2', '1#x', null, undefined,
  ])('refuses %j', (input) => {
    expect(rekorUrl(input)).toBeNull();
  });
});
