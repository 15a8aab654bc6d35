import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { CursorKind, CursorValue, decodeCursor, Page, toPage } from './pagination';

/**
 * A keyset page of a TypeORM query, newest first: on `day` (a date column, when given), then on
 * `created_at` to the millisecond (what a cursor of a JavaScript date holds), then `id`. Used by
 * the lists of one case file (its barriers, contracts, orientations, suspension procedures).
 */
export async function newestFirstPage<E extends ObjectLiteral & { id: string; createdAt: Date }, T>(
  qb: SelectQueryBuilder<E>,
  query: { limit: number; cursor?: string },
  map: (row: E) => T,
  day?: { column: string; of: (row: E) => string },
): Promise<Page<T>> {
  const alias = qb.alias;
  const keys = [...(day ? [`${alias}.${day.column}`] : []), `date_trunc('milliseconds', ${alias}.created_at)`, `${alias}.id`];
  if (query.cursor) {
    const kinds: CursorKind[] = [...(day ? (['date'] as const) : []), 'timestamp', 'uuid'];
    const values = decodeCursor(query.cursor, kinds);
    const casts = [...(day ? ['::date'] : []), '::timestamptz', '::uuid'];
    const params = Object.fromEntries(values.map((v, i) => [`cursor${i}`, v]));
    qb.andWhere(`(${keys.join(', ')}) < (${casts.map((c, i) => `:cursor${i}${c}`).join(', ')})`, params);
  }
  keys.forEach((key, i) => (i === 0 ? qb.orderBy(key, 'DESC') : qb.addOrderBy(key, 'DESC')));
  const rows = await qb.limit(query.limit + 1).getMany();
  const keyOf = (row: E): CursorValue[] => [...(day ? [day.of(row)] : []), row.createdAt.toISOString(), row.id];
  return toPage(rows, query.limit, keyOf, map);
}
