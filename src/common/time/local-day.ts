/**
 * The département's days. Deadlines, default dates ("today"), "in the past" checks and reports
 * count days in the département's time zone (`TIME_ZONE`, Europe/Paris by default), whatever
 * the time zone of the machine or of the database server: at 00:30 in Paris it is already
 * tomorrow, though still today in UTC. The database sessions use the same zone
 * (`dataSourceOptions`), so that `current_date` in SQL is this `today()`.
 */
export const DEFAULT_TIME_ZONE = 'Europe/Paris';

let zone = DEFAULT_TIME_ZONE;
let dayFormat = formatFor(zone);

function formatFor(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
}

/** Set once at start from the configuration (`TIME_ZONE`, an IANA zone checked by the config). */
export function useTimeZone(timeZone: string): void {
  dayFormat = formatFor(timeZone);
  zone = timeZone;
}

/** The département's IANA time zone. */
export function localTimeZone(): string {
  return zone;
}

/** The date (YYYY-MM-DD) of `at` in the département: today by default. */
export function today(at: Date = new Date()): string {
  return dayFormat.format(at);
}

/**
 * SQL: a timestamptz column within the local days from the `from` to the `to` date (both
 * included), given their parameter numbers.
 */
export function inLocalDays(column: string, fromParam: number, toParam: number): string {
  const tz = `'${zone}'`;
  return `(${column} >= ($${fromParam}::date)::timestamp AT TIME ZONE ${tz} AND ${column} < ($${toParam}::date + 1)::timestamp AT TIME ZONE ${tz})`;
}
