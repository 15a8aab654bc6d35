import { AppException } from '../errors/app.exception';
import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    const cursor = encodeCursor(['Dupont', '7f1c2d4e-0000-4000-8000-000000000000']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, ['string', 'string'])).toEqual(['Dupont', '7f1c2d4e-0000-4000-8000-000000000000']);
  });

  it.each(['not base64!', encodeCursor(['a']), encodeCursor([1, 'x']), 'e30', Buffer.from('{"a":1}').toString('base64url')])(
    'refuses a bad cursor %s with a 400',
    (cursor) => {
      expect(() => decodeCursor(cursor, ['string', 'string'])).toThrow(AppException);
      try {
        decodeCursor(cursor, ['string', 'string']);
      } catch (e) {
        expect((e as AppException).getStatus()).toBe(400);
        expect((e as AppException).code).toBe('INVALID_CURSOR');
      }
    },
  );

  it('takes a calendar day only where a day is expected', () => {
    expect(decodeCursor(encodeCursor(['2028-02-29', 'x']), ['date', 'string'])).toEqual(['2028-02-29', 'x']);
    for (const day of ['2026-02-30', '2026-13-01', '2026-1-01', '20260101', "2026-01-01' OR 1=1", 20260101]) {
      expect(() => decodeCursor(encodeCursor([day, 'x']), ['date', 'string'])).toThrow(AppException);
    }
  });

  it('uses the extra row to tell whether a next page exists', () => {
    const rows = [{ k: 'a' }, { k: 'b' }, { k: 'c' }];
    const full = toPage(rows, 2, (r) => [r.k], (r) => r.k);
    expect(full.data).toEqual(['a', 'b']);
    expect(full.page.hasNextPage).toBe(true);
    expect(decodeCursor(full.page.nextCursor!, ['string'])).toEqual(['b']);
    const last = toPage(rows.slice(0, 2), 2, (r) => [r.k], (r) => r.k);
    expect(last.page).toEqual({ nextCursor: null, hasNextPage: false });
  });
});
