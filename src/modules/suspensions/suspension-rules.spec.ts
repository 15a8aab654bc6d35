import { decisionErrors, suspensionEndsOn } from './suspension-rules';
import { SuspensionOutcome } from './suspension.enums';

const settings = { minRatePercent: 30, householdMaxRatePercent: 50, maxMonths: 2, repeatedMaxMonths: 4 };
const suspension = SuspensionOutcome.Suspension;

describe('suspension rules', () => {
  it('accepts the bounds themselves', () => {
    expect(decisionErrors(settings, { outcome: suspension, ratePercent: 30, months: 1 }, false)).toEqual([]);
    expect(decisionErrors(settings, { outcome: suspension, ratePercent: 100, months: 2 }, false)).toEqual([]);
    expect(decisionErrors(settings, { outcome: suspension, ratePercent: 50, months: 2, multiPersonHousehold: true }, false)).toEqual([]);
    expect(decisionErrors(settings, { outcome: suspension, ratePercent: 30, months: 4 }, true)).toEqual([]);
    expect(decisionErrors(settings, { outcome: SuspensionOutcome.NoSanction }, true)).toEqual([]);
  });

  it('refuses what lies outside them, field by field', () => {
    expect(decisionErrors(settings, { outcome: suspension, ratePercent: 29, months: 3 }, false)).toEqual([
      { field: 'ratePercent', message: 'between 30 and 100' },
      { field: 'months', message: 'at most 2 for a first suspension' },
    ]);
    expect(decisionErrors(settings, { outcome: suspension, ratePercent: 51, months: 5, multiPersonHousehold: true }, true)).toEqual([
      { field: 'ratePercent', message: 'between 30 and 50 for a household of more than one person' },
      { field: 'months', message: 'at most 4 after an earlier suspension' },
    ]);
    expect(
      decisionErrors(settings, { outcome: SuspensionOutcome.NoSanction, months: 1, startsOn: '2026-01-01', multiPersonHousehold: true }, false).map((e) => e.field),
    ).toEqual(['months', 'startsOn', 'multiPersonHousehold']);
  });

  it('ends the day before the same day `months` later, clamped to the end of a short month', () => {
    expect(suspensionEndsOn('2026-02-01', 2)).toBe('2026-03-31');
    expect(suspensionEndsOn('2026-06-20', 4)).toBe('2026-10-19');
    expect(suspensionEndsOn('2026-01-31', 1)).toBe('2026-02-28');
    expect(suspensionEndsOn('2026-03-01', 2)).toBe('2026-04-30');
    expect(suspensionEndsOn('2027-12-15', 1)).toBe('2028-01-14');
  });
});
