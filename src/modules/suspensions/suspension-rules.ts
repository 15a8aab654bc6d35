import { FieldError } from '../../common/errors/problem';
import { addDays, addMonths } from '../beneficiaries/case-rules';
import { SuspensionOutcome } from './suspension.enums';

/** The bounds of a suspension, from configuration (defaults: domain.md §3). */
export interface SuspensionSettings {
  /** The smallest share of the allowance a suspension may take, in percent. */
  minRatePercent: number;
  /** The largest share for a household of more than one person, in percent. */
  householdMaxRatePercent: number;
  /** The longest suspension, in months, for a first one. */
  maxMonths: number;
  /** The longest suspension, in months, when the person was suspended before. */
  repeatedMaxMonths: number;
}

export interface DecisionTerms {
  outcome: SuspensionOutcome;
  ratePercent?: number;
  months?: number;
  startsOn?: string;
  multiPersonHousehold?: boolean;
}

/**
 * What is wrong with the terms of a decision, field by field (empty when they hold): a suspension
 * takes between the minimum rate and 100 % (capped for a household of more than one person) for
 * 1 to `maxMonths` months (`repeatedMaxMonths` when the person was suspended before); no sanction
 * has no terms.
 */
export function decisionErrors(settings: SuspensionSettings, terms: DecisionTerms, suspendedBefore: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (terms.outcome === SuspensionOutcome.NoSanction) {
    for (const field of ['ratePercent', 'months', 'startsOn', 'multiPersonHousehold'] as const) {
      if (terms[field] !== undefined) errors.push({ field, message: 'only for a suspension' });
    }
    return errors;
  }
  if (terms.ratePercent === undefined) errors.push({ field: 'ratePercent', message: 'required for a suspension' });
  else {
    const max = terms.multiPersonHousehold ? settings.householdMaxRatePercent : 100;
    if (terms.ratePercent < settings.minRatePercent || terms.ratePercent > max) {
      const why = terms.multiPersonHousehold ? ' for a household of more than one person' : '';
      errors.push({ field: 'ratePercent', message: `between ${settings.minRatePercent} and ${max}${why}` });
    }
  }
  if (terms.months === undefined) errors.push({ field: 'months', message: 'required for a suspension' });
  else {
    const max = suspendedBefore ? settings.repeatedMaxMonths : settings.maxMonths;
    if (terms.months > max) errors.push({ field: 'months', message: `at most ${max}${suspendedBefore ? ' after an earlier suspension' : ' for a first suspension'}` });
  }
  return errors;
}

/**
 * The last day of a suspension of `months` months from `startsOn`: the day before the same day
 * `months` later (2026-03-15, 2 → 2026-05-14), or the end of that month when it is shorter
 * (2026-01-31, 1 → 2026-02-28).
 */
export function suspensionEndsOn(startsOn: string, months: number): string {
  const sameDay = addMonths(startsOn, months);
  return sameDay.slice(8) < startsOn.slice(8) ? sameDay : addDays(sameDay, -1);
}
