import { today } from '../../common/time/local-day';
import { monthPeriod, previousMonth, resolvePeriod } from './report-period';

describe('report periods', () => {
  it('defaults to the twelve months up to today, both days included', () => {
    expect(resolvePeriod({ to: '2026-10-31' })).toEqual({ from: '2025-11-01', to: '2026-10-31' });
    expect(resolvePeriod({ from: '2026-01-01', to: '2026-01-01' })).toEqual({ from: '2026-01-01', to: '2026-01-01' });
    expect(resolvePeriod({}).to).toBe(today());
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
});
