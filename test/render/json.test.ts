import { describe, expect, it } from 'vitest';
import { jsonLine, renderJson, renderNdjson } from '../../src/render/json.js';

// Characters JSON.stringify leaves raw that act on a terminal (C1 CSI), reorder display (bidi) or split lines.
const TRICKY = 'del\u007f csi\u009b31m rlo\u202egnp.exe lri\u2066x\u2069 lrm\u200e ls\u2028ps\u2029 esc\u001b[2J nul\u0000';

describe('JSON output of hostile text', () => {
  it.each([
    ['json', renderJson({ v: TRICKY })],
    ['ndjson', renderNdjson([{ v: TRICKY }])],
    ['json line (errors, documents as ndjson)', jsonLine({ v: TRICKY })],
  ])('%s escapes every control, bidi and separator character, and parses back to the same text', (_name, out) => {
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(out).toContain('\\u009b');
    expect(out).toContain('\\u202e');
    expect((JSON.parse(out.trim()) as { v: string }).v).toBe(TRICKY);
  });
});
