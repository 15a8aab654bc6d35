import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cafXmlRecords, csvRecords, CSV_COLUMNS, FileFormatError, RawRecord } from './import-parsers';

/** Text as Windows-1252 bytes. */
const WINDOWS_1252_TEXT = (text: string) => iconv.encode(text, 'windows-1252');

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

  it("reads a file that is not UTF-8 as Windows-1252 (a French spreadsheet's CSV), its accents kept", async () => {
    const rows = ['cafNumber;lastName;firstName;address', '1234567;Lefèvre;Zoé;"12, rue de l’Œuvre (€)"', '1234568;N\'Guessan;Anaïs;Bâtiment « B »'];
    const names = Array.from({ length: 30000 }, (_, i) => `${1300000 + i};Müller-Ibáñez;Clémence;${i} allée des Cèdres`);
    const content = Buffer.from(WINDOWS_1252_TEXT([...rows, ...names].join('\r\n')));
    expect(content.length).toBeGreaterThan(4 * 64 * 1024);
    const records = await collect(csvRecords(content));
    expect(records.slice(0, 2)).toEqual([
      { line: 2, fields: { cafNumber: '1234567', lastName: 'Lefèvre', firstName: 'Zoé', address: '12, rue de l’Œuvre (€)' } },
      { line: 3, fields: { cafNumber: '1234568', lastName: "N'Guessan", firstName: 'Anaïs', address: 'Bâtiment « B »' } },
    ]);
    expect(records).toHaveLength(30002);
    expect(new Set(records.slice(2).map((r) => `${r.fields.lastName} ${r.fields.firstName}`))).toEqual(new Set(['Müller-Ibáñez Clémence']));
  });

  it('refuses a file that mixes UTF-8 and other bytes, rather than change some of its names', () => {
    const utf8Line = Buffer.from('1234567;Hélène;Zoé\r\n', 'utf8');
    const cp1252Line = WINDOWS_1252_TEXT('1234568;Lefèvre;Anaïs\r\n');
    const header = Buffer.from('cafNumber;lastName;firstName\r\n');
    const offsetOfE = header.length + utf8Line.length + '1234568;Lef'.length;
    expect(() => csvRecords(Buffer.concat([header, utf8Line, cp1252Line]))).toThrow(new RegExp(`neither UTF-8 nor Windows-1252.* offset ${offsetOfE};`));
    // A BOM says UTF-8 as well.
    expect(() => csvRecords(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), header, cp1252Line]))).toThrow(FileFormatError);
    // Windows-1252 alone, and UTF-8 alone, are read.
    expect(() => csvRecords(Buffer.concat([header, cp1252Line]))).not.toThrow();
    expect(() => csvRecords(Buffer.concat([header, utf8Line]))).not.toThrow();
  });

  it('refuses an unknown header at once, and a broken line when it is reached', async () => {
    expect(() => csvRecords(Buffer.from('cafNumber,shoeSize\n1234567,42\n'))).toThrow(FileFormatError);
    const broken = Buffer.from(`cafNumber,lastName\n1234567,"Dupont\n`);
    await expect(collect(csvRecords(broken))).rejects.toBeInstanceOf(FileFormatError);
  });
});

describe('cafXmlRecords', () => {
  const names = ['Aïssatou', 'Élodie', 'Zoë', 'Bénédicte', 'Ngọc', '王芳', 'Đặng'];
  /** One household: an applicant, a spouse when `i` is even, and a child who is never kept. */
  const household = (i: number) => {
    const name = names[i % names.length];
    const person = (role: string, first: string, sex: string, extra = '') =>
      `<Personne><Identification>${extra}<NOM> ${name} &amp; Cie </NOM><PRENOM>${first}</PRENOM><DTNAI>1980${String((i % 12) + 1).padStart(2, '0')}15</DTNAI><SEXE>${sex}</SEXE></Identification>` +
      `<Prestations><ROLEPERS>${role}</ROLEPERS><TOPPERSDRODEVORSA>${i % 3 === 0 ? 0 : 1}</TOPPERSDRODEVORSA></Prestations></Personne>`;
    return (
      `<InfosFoyerRSA>\n  <IdentificationRSA><MATRICULE>${1000000 + i}</MATRICULE><DTDEMRSA>2026-10-0${(i % 9) + 1}</DTDEMRSA></IdentificationRSA>\n` +
      `  <Adresse><NUMVOIE>${i}</NUMVOIE><LIBTYPEVOIE>RUE</LIBTYPEVOIE><NOMVOIE><![CDATA[DE L'ÉGLISE <${name}>]]></NOMVOIE><CODEPOS>93200</CODEPOS><NOMCOM>SAINT-DENIS</NOMCOM><NUMCOM>93066</NUMCOM>${i % 5 === 0 ? '<TOPSANSDOMFIXE>1</TOPSANSDOMFIXE>' : ''}</Adresse>\n` +
      `  <EtatDossierRSA><ETATDOSRSA>${i % 7}</ETATDOSRSA></EtatDossierRSA>\n  ` +
      person('DEM', name, '2', i % 4 === 1 ? `<NIR>2800175${String(i).padStart(6, '0')}</NIR>` : '') +
      (i % 2 === 0 ? person('CJT', 'Marc', '1') : '') +
      person('ENF', 'Petit', '1') +
      `\n</InfosFoyerRSA>\n`
    );
  };
  const file = (body: string, declaration = '<?xml version="1.0" encoding="UTF-8"?>') => `${declaration}\n<Infox><IdentificationFlux><NUMFLUX>1</NUMFLUX></IdentificationFlux>\n${body}</Infox>\n`;

  it('reads a file larger than its slices, a multi-byte character cut by a slice boundary, one record per applicant and spouse', async () => {
    const count = 3000;
    const body = Array.from({ length: count }, (_, i) => household(i)).join('');
    // Spaces before the households move the slice boundaries until one cuts a character in two.
    const cutsACharacter = (c: Buffer) => Array.from({ length: Math.floor(c.length / 65536) }, (_, k) => (k + 1) * 65536).some((b) => (c[b] & 0xc0) === 0x80);
    let content = Buffer.from(file(body), 'utf8');
    for (let pad = 1; !cutsACharacter(content) && pad < 64; pad += 1) content = Buffer.from(file(' '.repeat(pad) + body), 'utf8');
    expect(content.length).toBeGreaterThan(10 * 64 * 1024);
    expect(cutsACharacter(content)).toBe(true);

    const records = await collect(cafXmlRecords(content));
    const expected: RawRecord[] = [];
    let position = 0;
    for (let i = 0; i < count; i += 1) {
      const name = names[i % names.length];
      const shared = {
        cafNumber: String(1000000 + i),
        lastName: `${name} & Cie`,
        birthDate: `1980-${String((i % 12) + 1).padStart(2, '0')}-15`,
        communeCode: '93066',
        address: `${i} RUE DE L'ÉGLISE <${name}>, 93200 SAINT-DENIS`,
        ...(i % 5 === 0 ? { noFixedAddress: 'true' } : {}),
        rightsState: String(i % 7),
        subjectToRightsAndDuties: i % 3 === 0 ? 'false' : 'true',
        rightsOpenedOn: `2026-10-0${(i % 9) + 1}`,
      };
      position += 1;
      expected.push({ line: position, fields: { ...shared, ...(i % 4 === 1 ? { nir: `2800175${String(i).padStart(6, '0')}` } : {}), firstName: name, sex: 'F', householdRole: 'DEM' } });
      if (i % 2 === 0) {
        position += 1;
        expected.push({ line: position, fields: { ...shared, firstName: 'Marc', sex: 'M', householdRole: 'CJT' } });
      }
      position += 1; // the child
    }
    expect(records).toEqual(expected);
  });

  it('reads the sample of docs/samples', async () => {
    const records = await collect(cafXmlRecords(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'samples', 'caf-beneficiaires-sample.xml'))));
    expect(records.map((r) => [r.line, r.fields.cafNumber, r.fields.firstName, r.fields.householdRole])).toEqual([
      [1, '8100001', 'Karim', 'DEM'],
      [2, '8100001', 'Samira', 'CJT'],
      [4, '8100002', 'Hélène', 'DEM'],
      [5, '8100003', expect.any(String), 'DEM'],
    ]);
  });

  it('decodes the encoding the declaration names, and refuses bytes invalid in it', async () => {
    const latin1 = Buffer.from(file(household(1), `<?xml version="1.0" encoding="ISO-8859-1"?>`).replaceAll('Élodie', 'Hélène'), 'latin1');
    const [record] = await collect(cafXmlRecords(latin1));
    expect(record.fields.firstName).toBe('Hélène');
    const windows = Buffer.from(WINDOWS_1252_TEXT(file(household(1), `<?xml version="1.0" encoding="windows-1252"?>`).replaceAll('Élodie', 'Œdipe’s €')));
    expect((await collect(cafXmlRecords(windows)))[0].fields.firstName).toBe('Œdipe’s €');
    // Labelled Latin-1, written by a Windows program: read as Windows-1252, as browsers do.
    const labelledLatin1 = Buffer.from(WINDOWS_1252_TEXT(file(household(1), `<?xml version="1.0" encoding="ISO-8859-1"?>`).replaceAll('Élodie', 'Cœur’s')));
    expect((await collect(cafXmlRecords(labelledLatin1)))[0].fields.firstName).toBe('Cœur’s');
    // UTF-16, told by its byte order mark.
    const utf16 = iconv.encode(file(household(1), '<?xml version="1.0" encoding="UTF-16"?>'), 'utf-16le', { addBOM: true });
    expect((await collect(cafXmlRecords(utf16)))[0].fields).toMatchObject({ firstName: 'Élodie', lastName: 'Élodie & Cie' });
    const mislabelled = Buffer.from(file(household(1)).replaceAll('Élodie', 'Hélène'), 'latin1');
    await expect(collect(cafXmlRecords(mislabelled))).rejects.toThrow(FileFormatError);
    expect(() => cafXmlRecords(Buffer.from(file(household(1), '<?xml version="1.0" encoding="x-unheard-of"?>')))).toThrow(/encoding that is not supported/);
  });

  it('gives the records read before a broken part, then fails with where it broke', async () => {
    const households = Array.from({ length: 1000 }, (_, i) => household(i)).join('');
    const content = Buffer.from(file(`${households}<InfosFoyerRSA><Adresse></InfosFoyerRSA>`));
    expect(content.length).toBeGreaterThan(4 * 64 * 1024);
    const seen: RawRecord[] = [];
    await expect(
      (async () => {
        for await (const r of cafXmlRecords(content)) seen.push(r);
      })(),
    ).rejects.toThrow(/^the XML cannot be read: \d+:\d+: /);
    // The slices before the broken one were read: their records came out, in order.
    expect(seen.length).toBeGreaterThan(100);
    expect(seen.length).toBeLessThan(1500);
    expect(seen.slice(0, 3).map((r) => r.fields.firstName)).toEqual(['Aïssatou', 'Marc', 'Élodie']);
    expect(seen.map((r) => r.line)).toEqual([...seen.map((r) => r.line)].sort((a, b) => a - b));
  });

  it('refuses a file without households, and entities the XML standard does not define', async () => {
    await expect(collect(cafXmlRecords(Buffer.from(file(''))))).rejects.toThrow(/no <InfosFoyerRSA>/);
    const laughs = `<?xml version="1.0"?><!DOCTYPE Infox [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<Infox>${household(0).replace('Marc', '&lol2;')}</Infox>`;
    await expect(collect(cafXmlRecords(Buffer.from(laughs)))).rejects.toThrow(FileFormatError);
  });
});
