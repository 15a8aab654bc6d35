import { AppException } from '../errors/app.exception';
import { isIsoDate } from '../validation/dates';

export type CursorValue = string | number | boolean | null;

export interface PageInfo {
  nextCursor: string | null;
  hasNextPage: boolean;
}

export interface Page<T> {
  data: T[];
  page: PageInfo;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** An opaque cursor: base64url of the JSON array of the last row's sort key values, ending with its id. */
export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

const invalidCursor = () => new AppException(400, 'INVALID_CURSOR', 'The cursor is not one this list produced.', [
  { field: 'cursor', message: 'invalid cursor' },
]);

/**
 * Decodes a cursor made by `encodeCursor` for a list sorted on `kinds.length` keys.
 * Anything else (tampered, from another list, wrong types) is a 400.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export type CursorKind = 'string' | 'number' | 'boolean' | 'nullable-string' | 'uuid' | 'timestamp' | 'date';


export function decodeCursor(cursor: string, kinds: CursorKind[]): CursorValue[] {
  let values: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(values) || values.length !== kinds.length) throw invalidCursor();
  values.forEach((v, i) => {
    const kind = kinds[i];
    const ok =
      kind === 'nullable-string'
        ? v === null || typeof v === 'string'
        : kind === 'uuid'
          ? typeof v === 'string' && UUID.test(v)
          : kind === 'timestamp'
            ? typeof v === 'string' && TIMESTAMP.test(v)
            : kind === 'date'
              ? isIsoDate(v)
              : typeof v === kind;
    if (!ok || (typeof v === 'number' && !Number.isFinite(v))) throw invalidCursor();
  });
  return values as CursorValue[];
}

/**
 * Builds a page from `limit + 1` rows fetched in sort order: the extra row only
 * says whether a next page exists. `keyOf` gives the sort key of a row, ending with its id.
 */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => CursorValue[], map: (row: R) => T): Page<T> {
  const hasNextPage = rows.length > limit;
  const pageRows = hasNextPage ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(map),
    page: { nextCursor: hasNextPage && last !== undefined ? encodeCursor(keyOf(last)) : null, hasNextPage },
  };
}
