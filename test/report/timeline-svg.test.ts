import { describe, expect, it } from 'vitest';
import { detailRange, renderTimelineSvg } from '../../src/report/timeline-svg.js';
import { cleanModel, incidentModel, largeModel } from '../fixtures/report-model.js';

const count = (svg: string, re: RegExp): number => svg.match(re)?.length ?? 0;
const CASE = { id: 'chart-case', title: 'case' };

describe('the timeline chart', () => {
  it('shades the window, marks the four bounds, and draws each lane', () => {
    const svg = renderTimelineSvg(incidentModel(), CASE);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')).toBe(true);
    expect(count(svg, /class="win"/g)).toBe(1);
    // Open again after containment: the part after containment is drawn dashed.
    expect(count(svg, /class="win-open"/g)).toBe(1);
    expect(count(svg, /class="bound"/g)).toBe(4);
    expect(count(svg, /class="v-anomalous"/g)).toBeGreaterThanOrEqual(2);
    expect(count(svg, /class="k-secret"/g)).toBeGreaterThan(0);
    expect(count(svg, /class="s-critical"/g)).toBeGreaterThan(0);
    // High and critical findings are highlighted across the lanes.
    expect(count(svg, /class="hl"/g)).toBe(incidentModel().findings.filter((f) => ['critical', 'high'].includes(f.severity)).length);
  });

  it('has no dashed part when the window was contained for good', () => {
    const svg = renderTimelineSvg(cleanModel(), CASE);
    expect(count(svg, /class="win-open"/g)).toBe(0);
  });

  it('merges marks per pixel column, so 10k signatures stay a few hundred elements', () => {
    const svg = renderTimelineSvg(largeModel(10_000), CASE);
    expect(count(svg, /<rect /g)).toBeLessThan(1_000);
    const total = [...svg.matchAll(/<title>(\d+) signatures?: /g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(total).toBe(10_000);
  });

  it('leaves out times that are not ISO-8601 instead of failing', () => {
    const m = incidentModel();
    m.signed[0] = { ...m.signed[0], integrated_time: '"><script>alert(1)</script>' };
    m.findings[0] = { ...m.findings[0], ts: 'yesterday' };
    const svg = renderTimelineSvg(m, CASE);
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('yesterday');
  });

  it('says so when there is nothing to chart', () => {
    const m = incidentModel();
    const empty = { ...m, signed: [], timeline: [], findings: [], window: { ...m.window, earliest_possible: null, first_evidence: null, contained_at: null, last_use: null } };
    expect(renderTimelineSvg(empty, CASE)).toContain('No timestamped');
  });

  it('zooms on the incident when it is a small part of the case', () => {
    const range = detailRange(incidentModel());
    expect(range).toEqual({ from: Date.parse('2025-03-03T02:26:51Z'), to: Date.parse('2025-03-06T14:22:07Z') });
    const svg = renderTimelineSvg(incidentModel(), { id: 'chart-detail', title: 'detail', range });
    // Only the signatures inside the range are drawn.
    const inRange = incidentModel().signed.filter((s) => Date.parse(s.integrated_time!) >= range!.from).length;
    const drawn = [...svg.matchAll(/<title>(\d+) signatures?: /g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(drawn).toBe(inRange);
  });

  it('does not zoom without a first evidence', () => {
    expect(detailRange(cleanModel())).toBeUndefined();
  });
});
