import { inParisDays, monthPeriod, parisToday, previousMonth, resolvePeriod } from './report-period';

describe('report periods', () => {
  it('defaults to the twelve months up to today, both days included', () => {
    expect(resolvePeriod({ to: '2026-10-31' })).toEqual({ from: '2025-11-01', to: '2026-10-31' });
    expect(resolvePeriod({ from: '2026-01-01', to: '2026-01-01' })).toEqual({ from: '2026-01-01', to: '2026-01-01' });
    expect(resolvePeriod({}).to).toBe(parisToday());
  });

  it('refuses a period that ends before it starts', () => {
    expect(() => resolvePeriod({ from: '2026-02-01', to: '2026-01-31' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('knows the days of a month and the month before', () => {
    expect(monthPeriod('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(monthPeriod('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(previousMonth('2027-01-01')).toBe('2026-12');
    expect(previousMonth('2026-03-31')).toBe('2026-02');
  });

  it("takes today's date in Paris, not in UTC", () => {
    // 23:30 UTC on 31 October 2026 is already 1 November in Paris (UTC+1 in winter).
    expect(parisToday(new Date('2026-10-31T23:30:00Z'))).toBe('2026-11-01');
    expect(parisToday(new Date('2026-07-14T21:59:00Z'))).toBe('2026-07-14');
    expect(parisToday(new Date('2026-07-14T22:00:00Z'))).toBe('2026-07-15');
  });

  it('bounds timestamps by Paris days', () => {
    expect(inParisDays('accepted_at', 1, 2)).toBe(
      "(accepted_at >= ($1::date)::timestamp AT TIME ZONE 'Europe/Paris' AND accepted_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')",
    );
  });
});
