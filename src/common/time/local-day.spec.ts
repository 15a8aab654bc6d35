import { DEFAULT_TIME_ZONE, inLocalDays, localTimeZone, today, useTimeZone } from './local-day';

describe('local days', () => {
  afterEach(() => useTimeZone(DEFAULT_TIME_ZONE));

  it("takes today's date in Paris by default, not in UTC", () => {
    expect(localTimeZone()).toBe('Europe/Paris');
    // 23:30 UTC on 31 October 2026 is already 1 November in Paris (UTC+1 in winter).
    expect(today(new Date('2026-10-31T23:30:00Z'))).toBe('2026-11-01');
    expect(today(new Date('2026-07-14T21:59:00Z'))).toBe('2026-07-14');
    expect(today(new Date('2026-07-14T22:00:00Z'))).toBe('2026-07-15');
  });

  it("follows the configured zone (an overseas département's)", () => {
    useTimeZone('Indian/Reunion'); // UTC+4, no summer time
    expect(today(new Date('2026-07-14T19:59:00Z'))).toBe('2026-07-14');
    expect(today(new Date('2026-07-14T20:00:00Z'))).toBe('2026-07-15');
    useTimeZone('America/Guadeloupe'); // UTC-4
    expect(today(new Date('2026-07-15T03:59:00Z'))).toBe('2026-07-14');
    expect(inLocalDays('accepted_at', 1, 2)).toBe(
      "(accepted_at >= ($1::date)::timestamp AT TIME ZONE 'America/Guadeloupe' AND accepted_at < ($2::date + 1)::timestamp AT TIME ZONE 'America/Guadeloupe')",
    );
  });

  it('bounds timestamps by local days', () => {
    expect(inLocalDays('accepted_at', 1, 2)).toBe(
      "(accepted_at >= ($1::date)::timestamp AT TIME ZONE 'Europe/Paris' AND accepted_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')",
    );
  });
});
