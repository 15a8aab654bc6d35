import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { SaxesParser } from 'saxes';

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

/** How French spreadsheets save "CSV (séparateur: point-virgule)": one byte per character. */
const WINDOWS_1252 = 'windows-1252';

/**
 * CSV with a header line naming the columns (comma or semicolon separated, optional BOM), in
 * UTF-8, or in Windows-1252 when the file is not valid UTF-8 (a spreadsheet's "CSV" in France):
 * its accented letters are read as such, never replaced. A file that is neither (UTF-8 with a
 * BOM or with UTF-8 characters, and bytes that are not UTF-8) is refused: decoding it either way
 * would change some of its names.
 * The header is checked at once (FileFormatError); the records are then read one by one as
 * the caller asks for them, so that a large file is never held as objects all at once.
 */
export function csvRecords(content: Buffer): AsyncIterable<RawRecord> {
  const utf8 = isUtf8(content);
  if (!utf8) {
    const at = mixedEncodingAt(content);
    if (at !== null) throw new FileFormatError(`the CSV is neither UTF-8 nor Windows-1252: UTF-8 characters, and a byte that is not UTF-8 at offset ${at}; save it as "CSV UTF-8"`);
  }
  const firstLine = (utf8 ? content.subarray(0, 4096).toString('utf8') : iconv.decode(content.subarray(0, 4096), WINDOWS_1252)).split(/\r?\n/)[0] ?? '';
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
    Readable.from(utf8Slices(content, utf8)).pipe(parser);
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

/** Files are read in slices of this size (CSV and XML parsers alike). */
const SLICE_BYTES = 64 * 1024;

function* slices(content: Buffer, size: number): Generator<Buffer> {
  for (let start = 0; start < content.length; start += size) yield content.subarray(start, start + size);
}

/**
 * In a file that is not valid UTF-8: the offset of its first invalid byte if it also holds UTF-8
 * (a byte order mark, or a multi-byte UTF-8 character), else null (then it is read as Windows-1252).
 */
function mixedEncodingAt(content: Buffer): number | null {
  let utf8Seen = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf;
  let firstInvalid: number | null = null;
  for (let i = 0; i < content.length; i += 1) {
    const b = content[i];
    if (b < 0x80) continue;
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let valid = length > 0 && i + length <= content.length;
    for (let k = 1; valid && k < length; k += 1) valid = (content[i + k] & 0xc0) === 0x80;
    if (valid) {
      utf8Seen = true;
      i += length - 1;
    } else {
      firstInvalid ??= i;
    }
    if (utf8Seen && firstInvalid !== null) return firstInvalid;
  }
  return null;
}

/** The file's slices in UTF-8: as they are, or decoded from Windows-1252 (one byte per character: each slice on its own). */
function* utf8Slices(content: Buffer, utf8: boolean): Generator<Buffer> {
  for (const slice of slices(content, SLICE_BYTES)) yield utf8 ? slice : Buffer.from(iconv.decode(slice, WINDOWS_1252), 'utf8');
}

const CAF_SEX: Record<string, string> = { '1': 'M', '2': 'F', M: 'M', F: 'F' };

const text = (v: unknown) => (v === undefined || v === null || typeof v === 'object' || String(v).trim() === '' ? undefined : String(v).trim());
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** `YYYY-MM-DD`, from the CAF's `YYYY-MM-DD` or `YYYYMMDD`. */
function cafDate(value: unknown): string | undefined {
  const s = text(value);
  if (s === undefined) return undefined;
  return /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : s;
}

/** An element read from the XML: its text, or its child elements by name (a name seen twice holds a list). */
type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };

/**
 * The CAF beneficiary file (flux bénéficiaires, after schemas VRSB0801 / VRSD0301):
 * one `<InfosFoyerRSA>` per household, with its `<IdentificationRSA>` (MATRICULE,
 * DTDEMRSA), `<Adresse>`, `<EtatDossierRSA>` and one `<Personne>` per member
 * (NIR, NOM, NOMNAI, PRENOM, DTNAI, SEXE, ROLEPERS, TOPPERSDRODEVORSA). Only the
 * applicant (DEM) and the spouse (CJT) are kept. The "line" of a record is the
 * position of the person in the file (1, 2, ...), XML having no useful lines.
 *
 * Read as a stream (saxes), in slices of the file, one household at a time: only the
 * household being read is held as objects, so that a large file never is. The encoding
 * is the one its byte order mark or XML declaration names (`xmlDecoder`); a byte sequence
 * invalid in it, a malformed document or an entity the XML standard does not define
 * stop the file with a FileFormatError when they are reached.
 */
export function cafXmlRecords(content: Buffer): AsyncIterable<RawRecord> {
  const decoder = xmlDecoder(content);
  return (async function* () {
    const parser = new SaxesParser();
    const records: RawRecord[] = [];
    // The open elements below the root: `stack[0]` is the household being read.
    const stack: { name: string; children: Record<string, XmlNode | XmlNode[]> | null; text: string }[] = [];
    let depth = 0;
    let households = 0;
    let position = 0;
    parser.on('opentag', (tag) => {
      depth += 1;
      if (depth === 2 && tag.name === 'InfosFoyerRSA') households += 1;
      if (stack.length > 0 || (depth === 2 && tag.name === 'InfosFoyerRSA')) stack.push({ name: tag.name, children: null, text: '' });
    });
    const onText = (t: string) => {
      if (stack.length > 0) stack[stack.length - 1].text += t;
    };
    parser.on('text', onText);
    parser.on('cdata', onText);
    parser.on('closetag', () => {
      depth -= 1;
      const element = stack.pop();
      if (!element) return;
      const node: XmlNode = element.children ?? element.text.trim();
      const parent = stack[stack.length - 1];
      if (parent) {
        parent.children ??= {};
        const seen = parent.children[element.name];
        if (seen === undefined) parent.children[element.name] = node;
        else if (Array.isArray(seen)) seen.push(node);
        else parent.children[element.name] = [seen, node];
      } else if (typeof node === 'object') {
        position = householdRecords(node, position, records);
      }
    });
    try {
      for (const slice of slices(content, SLICE_BYTES)) {
        parser.write(decoder.write(slice));
        yield* records.splice(0);
      }
      parser.write(decoder.end());
      parser.close();
    } catch (error) {
      if (error instanceof FileFormatError) throw error;
      throw new FileFormatError(`the XML cannot be read: ${(error as Error).message}`);
    }
    yield* records.splice(0);
    if (households === 0) throw new FileFormatError('no <InfosFoyerRSA> household in the file');
  })();
}

/** Turns a file's bytes into text, slice by slice. */
interface SliceDecoder {
  write(slice: Buffer): string;
  end(): string;
}

/**
 * The file's encoding: its byte order mark, else the one its XML declaration names (UTF-8 when it
 * names none). Refused at once if unknown. UTF-8 refuses invalid bytes.
 */
function xmlDecoder(content: Buffer): SliceDecoder {
  const bom = content[0] === 0xff && content[1] === 0xfe ? 'utf-16le' : content[0] === 0xfe && content[1] === 0xff ? 'utf-16be' : null;
  const named = /^(?:\u00EF\u00BB\u00BF)?<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(content.subarray(0, 200).toString('latin1'))?.[1];
  // As browsers do (WHATWG): files labelled Latin-1 or ASCII are in practice Windows-1252, which
  // differs only in 0x80 to 0x9F (€ Œ œ ’…), control characters in Latin-1.
  const declared = bom ?? (named && /^(iso-?8859-1|latin-?1|l1|(us-)?ascii)$/i.test(named) ? WINDOWS_1252 : (named ?? 'utf-8'));
  if (/^utf-?8$/i.test(declared)) {
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    return { write: (slice) => utf8.decode(slice, { stream: true }), end: () => utf8.decode() };
  }
  // iconv-lite: Node's own decoder reads windows-1252's € Œ œ ’ (0x80 to 0x9F) as control characters.
  if (!iconv.encodingExists(declared)) throw new FileFormatError(`the XML declares an encoding that is not supported: ${declared}`);
  const decoder = iconv.getDecoder(declared);
  return { write: (slice) => decoder.write(slice), end: () => decoder.end() ?? '' };
}

/** The kept members of one household as records, numbered on from `position`; returns the last position. */
function householdRecords(household: Record<string, XmlNode | XmlNode[]>, position: number, records: RawRecord[]): number {
  const id = (household.IdentificationRSA ?? {}) as Record<string, unknown>;
  const address = (household.Adresse ?? {}) as Record<string, unknown>;
  const state = (household.EtatDossierRSA ?? {}) as Record<string, unknown>;
  const street = [text(address.NUMVOIE), text(address.LIBTYPEVOIE), text(address.NOMVOIE)].filter(Boolean).join(' ');
  const postal = [text(address.CODEPOS), text(address.NOMCOM)].filter(Boolean).join(' ');
  for (const person of asArray(household.Personne as Record<string, unknown> | Record<string, unknown>[] | undefined)) {
    position += 1;
    if (typeof person !== 'object') continue;
    const ident = (person.Identification ?? person) as Record<string, unknown>;
    const benefit = (person.Prestations ?? person) as Record<string, unknown>;
    const role = text(benefit.ROLEPERS);
    if (role !== 'DEM' && role !== 'CJT') continue;
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
  }
  return position;
}
