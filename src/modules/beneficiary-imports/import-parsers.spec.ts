import { parse } from 'csv-parse/sync';
import { csvRecords, CSV_COLUMNS, FileFormatError, RawRecord } from './import-parsers';

const collect = async (records: AsyncIterable<RawRecord>) => {
  const out: RawRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
};

describe('csvRecords', () => {
  it('reads a file larger than its slices with a multi-byte character cut by a slice boundary, as one parse of the whole would', async () => {
    const names = ['Aïssatou', 'Élodie', 'Zoë', 'Bénédicte', 'Ngọc', '王芳', 'Đặng'];
    const lines = [CSV_COLUMNS.join(',')];
    for (let i = 0; i < 6000; i += 1) {
      const name = names[i % names.length];
      lines.push(CSV_COLUMNS.map((c) => (c === 'firstName' ? name : c === 'cafNumber' ? String(1000000 + i) : c === 'address' ? `"${i} rue de l'Église, ""bât. ${name}"" ${'王芳'.repeat(20)}"` : '')).join(','));
    }
    const content = Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
    expect(content.length).toBeGreaterThan(4 * 64 * 1024);
    // A slice starts with a UTF-8 continuation byte: a character is cut in two.
    const boundaries = Array.from({ length: Math.floor(content.length / 65536) }, (_, k) => (k + 1) * 65536);
    expect(boundaries.some((b) => (content[b] & 0xc0) === 0x80)).toBe(true);
    const records = await collect(csvRecords(content));
    const whole = parse(content, { bom: true, columns: true, trim: true }) as Record<string, string>[];
    expect(records).toHaveLength(6000);
    records.forEach((r, i) => {
      expect(r.fields.firstName).toBe(whole[i].firstName);
      expect(r.fields.address).toBe(whole[i].address);
      expect(r.line).toBe(i + 2);
    });
    expect(new Set(records.map((r) => r.fields.firstName))).toEqual(new Set(names));
  });

  it('refuses an unknown header at once, and a broken line when it is reached', async () => {
    expect(() => csvRecords(Buffer.from('cafNumber,shoeSize\n1234567,42\n'))).toThrow(FileFormatError);
    const broken = Buffer.from(`cafNumber,lastName\n1234567,"Dupont\n`);
    await expect(collect(csvRecords(broken))).rejects.toBeInstanceOf(FileFormatError);
  });
});
