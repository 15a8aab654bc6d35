import { periodReversed } from './reports.errors';

export interface Period {
  from: string;
  to: string;
}

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in Paris (YYYY-MM-DD). */
export function parisToday(now = new Date()): string {
  return PARIS_DAY.format(now);
}

/** The period asked for: `to` defaults to today, `from` to a year before `to`; both days included. */
export function resolvePeriod(query: { from?: string; to?: string }): Period {
  const to = query.to ?? parisToday();
  let from = query.from;
  if (!from) {
    const d = new Date(`${to}T00:00:00Z`);
    d.setUTCFullYear(d.getUTCFullYear() - 1);
    d.setUTCDate(d.getUTCDate() + 1);
    from = d.toISOString().slice(0, 10);
  }
  if (from > to) throw periodReversed();
  return { from, to };
}

/** The first and last days of a month (YYYY-MM). */
export function monthPeriod(month: string): Period {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return { from: `${month}-01`, to: last };
}

/** The month before the one of `day` (YYYY-MM-DD), as YYYY-MM. */
export function previousMonth(day: string): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

/**
 * SQL: a timestamptz column within the period's Paris days, given the
 * parameter numbers of `from` and `to`.
 */
export function inParisDays(column: string, fromParam: number, toParam: number): string {
  return `(${column} >= ($${fromParam}::date)::timestamp AT TIME ZONE 'Europe/Paris' AND ${column} < ($${toParam}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')`;
}
