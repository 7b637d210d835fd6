import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { containmentChecklist } from '../../src/report/checklist.js';
import { csvValue, reportTables, tableCsv } from '../../src/report/csv.js';
import { incidentModel } from '../fixtures/report-model.js';

describe('csvValue', () => {
  it.each([
    ['null', null, null],
    ['string', 'a,b', 'a,b'],
    ['number', 171402118, 171402118],
    ['non-finite number, as JSON writes it', Number.NaN, null],
    ['boolean', true, true],
    ['list as JSON text', ['a', 'b, c'], '["a","b, c"]'],
    ['object as JSON text', { name: 'x', digest: 'sha256:00' }, '{"name":"x","digest":"sha256:00"}'],
  ])('%s', (_name, input, expected) => {
    expect(csvValue(input)).toEqual(expected);
  });
});

describe('the incident CSVs', () => {
  const model = incidentModel();
  const tables = reportTables(model, containmentChecklist(model));

  it('has one file per analysis plus the window evidence, custody and checklist', () => {
    expect(tables.map((t) => t.name)).toEqual([
      'window', 'window-evidence', 'signed', 'anomalies', 'lateral', 'access', 'timeline', 'distrust', 'custody', 'custody-tlog', 'checklist',
    ]);
  });

  it('round-trip through csv-parse: nested columns parse back to the JSON values', () => {
    const signed = tables.find((t) => t.name === 'signed');
    const rows = parse<Record<string, string>>(tableCsv(signed!), { columns: true });
    expect(rows).toHaveLength(model.signed.length);
    rows.forEach((r, i) => {
      const s = model.signed[i];
      expect(Number(r.log_index)).toBe(s.log_index);
      expect(r.entry_uuid).toBe(s.entry_uuid);
      expect(JSON.parse(r.subjects)).toEqual(s.subjects);
      expect(JSON.parse(r.reasons)).toEqual(s.reasons);
      expect(r.run_id).toBe(s.run_id ?? '');
      expect(r.file).toBe(s.file);
      expect(Number(r.record_no)).toBe(s.record_no);
    });
    const anomalies = parse<Record<string, string>>(tableCsv(tables.find((t) => t.name === 'anomalies')!), { columns: true });
    expect(anomalies.map((a) => JSON.parse(a.evidence) as unknown)).toEqual(model.findings.map((f) => f.evidence));
  });
});
