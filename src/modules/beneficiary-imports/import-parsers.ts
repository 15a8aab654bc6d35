import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { XMLParser } from 'fast-xml-parser';

/** One record of a file, with the line it starts on, in the field names of the API. */
export interface RawRecord {
  line: number;
  fields: Record<string, string>;
}

/** The columns of the CSV format (docs/beneficiary-imports.md). */
export const CSV_COLUMNS = [
  'cafNumber',
  'nir',
  'lastName',
  'firstName',
  'birthName',
  'birthDate',
  'sex',
  'communeCode',
  'address',
  'phone',
  'email',
  'householdRole',
  'rightsState',
  'subjectToRightsAndDuties',
  'rightsOpenedOn',
] as const;

export class FileFormatError extends Error {}

/**
 * CSV with a header line naming the columns (comma or semicolon separated, UTF-8, optional BOM).
 * The header is checked at once (FileFormatError); the records are then read one by one as
 * the caller asks for them, so that a large file is never held as objects all at once.
 */
export function csvRecords(content: Buffer): AsyncIterable<RawRecord> {
  const firstLine = content.subarray(0, 4096).toString('utf8').split(/\r?\n/)[0] ?? '';
  const delimiter = firstLine.split(';').length > firstLine.split(',').length ? ';' : ',';
  const header = firstLine.replace(/^\uFEFF/, '').split(delimiter).map((h) => h.trim());
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0 || !header.includes('cafNumber')) {
    throw new FileFormatError(`unknown or missing columns: expected ${CSV_COLUMNS.join(',')}; got ${header.join(',')}`);
  }
  return (async function* () {
    const parser = parse({ bom: true, columns: true, delimiter, skip_empty_lines: true, trim: true, relax_column_count: false, info: true });
    // Fed in slices: given the whole file at once, the parser would turn all of it into records
    // before the first is read. A slice may end inside a UTF-8 character: the parser joins bytes, not strings.
    Readable.from(slices(content, CSV_SLICE_BYTES)).pipe(parser);
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
        const fields: Record<string, string> = {};
        for (const key in record) if (record[key] !== '') fields[key] = record[key];
        yield { line: info.lines, fields };
      }
    } catch (error) {
      throw new FileFormatError(`the CSV cannot be read: ${(error as Error).message}`);
    }
  })();
}

const CSV_SLICE_BYTES = 64 * 1024;

function* slices(content: Buffer, size: number): Generator<Buffer> {
  for (let start = 0; start < content.length; start += size) yield content.subarray(start, start + size);
}

const CAF_SEX: Record<string, string> = { '1': 'M', '2': 'F', M: 'M', F: 'F' };

/** `YYYY-MM-DD`, from the CAF's `YYYY-MM-DD` or `YYYYMMDD`. */
function cafDate(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const s = String(value).trim();
  return /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : s;
}

const text = (v: unknown) => (v === undefined || v === null || String(v).trim() === '' ? undefined : String(v).trim());
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The CAF beneficiary file (flux bénéficiaires, after schemas VRSB0801 / VRSD0301):
 * one `<InfosFoyerRSA>` per household, with its `<IdentificationRSA>` (MATRICULE,
 * DTDEMRSA), `<Adresse>`, `<EtatDossierRSA>` and one `<Personne>` per member
 * (NIR, NOM, NOMNAI, PRENOM, DTNAI, SEXE, ROLEPERS, TOPPERSDRODEVORSA). Only the
 * applicant (DEM) and the spouse (CJT) are kept. The "line" of a record is the
 * position of the person in the file (1, 2, ...), XML having no useful lines.
 */
export function parseCafXml(content: Buffer): RawRecord[] {
  const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true });
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(content.toString('utf8'), true) as Record<string, unknown>;
  } catch (error) {
    throw new FileFormatError(`the XML cannot be read: ${(error as Error).message}`);
  }
  const root = Object.values(doc).find((v) => typeof v === 'object' && v !== null) as Record<string, unknown> | undefined;
  const households = asArray(root?.InfosFoyerRSA as Record<string, unknown> | Record<string, unknown>[] | undefined);
  if (!root || households.length === 0) throw new FileFormatError('no <InfosFoyerRSA> household in the file');
  const records: RawRecord[] = [];
  let position = 0;
  households.forEach((household) => {
    const id = (household.IdentificationRSA ?? {}) as Record<string, unknown>;
    const address = (household.Adresse ?? {}) as Record<string, unknown>;
    const state = (household.EtatDossierRSA ?? {}) as Record<string, unknown>;
    const street = [text(address.NUMVOIE), text(address.LIBTYPEVOIE), text(address.NOMVOIE)].filter(Boolean).join(' ');
    const postal = [text(address.CODEPOS), text(address.NOMCOM)].filter(Boolean).join(' ');
    asArray(household.Personne as Record<string, unknown> | Record<string, unknown>[] | undefined).forEach((person) => {
      position += 1;
      const ident = (person.Identification ?? person) as Record<string, unknown>;
      const benefit = (person.Prestations ?? person) as Record<string, unknown>;
      const role = text(benefit.ROLEPERS);
      if (role !== 'DEM' && role !== 'CJT') return;
      const fields: Record<string, string | undefined> = {
        cafNumber: text(id.MATRICULE),
        nir: text(ident.NIR),
        lastName: text(ident.NOM),
        birthName: text(ident.NOMNAI),
        firstName: text(ident.PRENOM),
        birthDate: cafDate(ident.DTNAI),
        sex: CAF_SEX[text(ident.SEXE) ?? ''] ?? text(ident.SEXE),
        communeCode: text(address.NUMCOM),
        address: [street, postal].filter(Boolean).join(', ') || undefined,
        noFixedAddress: text(address.TOPSANSDOMFIXE) === '1' ? 'true' : undefined,
        householdRole: role,
        rightsState: text(state.ETATDOSRSA),
        subjectToRightsAndDuties: text(benefit.TOPPERSDRODEVORSA) === '0' ? 'false' : 'true',
        rightsOpenedOn: cafDate(id.DTDEMRSA),
      };
      records.push({ line: position, fields: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string> });
    });
  });
  return records;
}
