import { today } from '../../common/time/local-day';
import { periodReversed } from './reports.errors';

export interface Period {
  from: string;
  to: string;
}

/** The period asked for: `to` defaults to today, `from` to a year before `to`; both days included. */
export function resolvePeriod(query: { from?: string; to?: string }): Period {
  const to = query.to ?? today();
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
