// CSV cells: RFC 4180 quoting, and no cell from the data that a spreadsheet would run as a formula.
import { describe, expect, it } from 'vitest';
import { csvChunks, csvField, UTF8_BOM } from './csv.js';
import type { ReportResult } from './types.js';

describe('CSV fields', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['=HYPERLINK("http://evil","x")', '"\'=HYPERLINK(""http://evil"",""x"")"'],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', '"\'\rCR"'],
    ['Laurentide Énergie — Québec', 'Laurentide Énergie — Québec'],
  ])('%j → %j', (value, expected) => {
    expect(csvField(value, true)).toBe(expected);
  });

  it('leaves numbers the report computed alone, negative ones included', () => {
    expect(csvField('-42.31', false)).toBe('-42.31');
  });
});

describe('CSV files', () => {
  it('writes a BOM, CRLF lines, guarded text cells and a totals row, page by page', async () => {
    const result = {
      columns: [
        { key: 'code', label: 'Account code', type: 'text', total: false },
        { key: 'started', label: 'Started', type: 'datetime', total: false },
        { key: 'charge', label: 'Charge', type: 'money', total: true },
      ],
      timeZone: 'America/Vancouver',
      currency: 'CAD',
      period: { startUtc: '2026-03-01T08:00:00.000Z', endUtc: '2026-04-01T07:00:00.000Z' },
      rowCount: 2,
      totals: [null, null, -4231 + 1234567],
      async *batches() {
        yield [['=1+2', '2026-03-01T08:00:00.000Z', -4231]];
        yield [['a,"b"', '2026-03-31T06:59:59.000Z', 1234567]];
      },
    } as unknown as ReportResult;
    let text = '';
    for await (const chunk of csvChunks(result)) text += chunk;
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    expect(text.slice(1).split('\r\n')).toEqual([
      'Account code,Started (America/Vancouver),Charge (CAD)',
      "'=1+2,2026-03-01 00:00:00,-42.31",
      '"a,""b""",2026-03-30 23:59:59,12345.67',
      'Total (2 rows),,12303.36',
      '',
    ]);
  });
});
