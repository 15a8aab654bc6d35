import { CaseStatus, OrientationPath } from './beneficiary.enums';

export interface DeadlineSettings {
  orientationDays: number;
  contractDays: number;
  socialReviewMonths: number;
  /** The same for a person in a listed situation of vulnerability (domain.md §3: 12 months). */
  vulnerableReviewMonths: number;
}

export interface CaseFacts {
  exited: boolean;
  rightsOpenedOn: string | null;
  orientedOn: string | null;
  orientationPath: OrientationPath | null;
  contractSignedOn: string | null;
  /** End of the last contract, if one ended. */
  contractEndedOn?: string | null;
  /** A step of the person's pathway is under way (construction pathway). */
  activeStep?: boolean;
  /** The orientation in force records a listed situation of vulnerability (social path). */
  vulnerable?: boolean;
}

export interface Deadlines {
  orientationDueOn: string | null;
  contractDueOn: string | null;
  reviewDueOn: string | null;
  nextDueOn: string | null;
}

/** to_orient → oriented → in_pathway (a contract is signed or a step is under way) → exited. */
export function deriveStatus(facts: CaseFacts): CaseStatus {
  if (facts.exited) return CaseStatus.Exited;
  if (facts.contractSignedOn || facts.activeStep) return CaseStatus.InPathway;
  if (facts.orientedOn) return CaseStatus.Oriented;
  return CaseStatus.ToOrient;
}

/**
 * The pending due dates of a case (domain.md §3): orient within N days of the
 * opening of rights; sign the contract within N days of the orientation; review
 * a person on the social path after N months (M for a listed vulnerability). After a contract ended, the next
 * one is due N days after its end. Nothing is due once exited.
 */
export function computeDeadlines(facts: CaseFacts, settings: DeadlineSettings): Deadlines {
  if (facts.exited) return { orientationDueOn: null, contractDueOn: null, reviewDueOn: null, nextDueOn: null };
  const orientationDueOn = !facts.orientedOn && facts.rightsOpenedOn ? addDays(facts.rightsOpenedOn, settings.orientationDays) : null;
  const contractClockFrom = [facts.orientedOn, facts.contractEndedOn ?? null].filter((d): d is string => d !== null).sort().pop();
  const contractDueOn = facts.orientedOn && !facts.contractSignedOn && contractClockFrom ? addDays(contractClockFrom, settings.contractDays) : null;
  const reviewDueOn =
    facts.orientedOn && facts.orientationPath === OrientationPath.Social
      ? addMonths(facts.orientedOn, facts.vulnerable ? settings.vulnerableReviewMonths : settings.socialReviewMonths)
      : null;
  const pending = [orientationDueOn, contractDueOn, reviewDueOn].filter((d): d is string => d !== null).sort();
  return { orientationDueOn, contractDueOn, reviewDueOn, nextDueOn: pending[0] ?? null };
}

/** Calendar arithmetic on ISO dates (YYYY-MM-DD), in UTC. */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function addMonths(isoDate: string, months: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.toISOString().slice(0, 10);
}

/** The key lists are sorted on: names without accents, upper case. */
export function sortKeyOf(lastName: string, firstName: string): string {
  return `${lastName} ${firstName}`
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** A list's `q` of 1 to 7 digits looks for a CAF number (zeros added on the left), not a name. */
export function isCafNumberQuery(q: string): boolean {
  return /^\d{1,7}$/.test(q);
}

/** What `q` is compared with: names without accents or punctuation, upper case ("N'Diaye" → "NDIAYE"). */
export function searchKeyOf(...parts: (string | null | undefined)[]): string {
  return parts
    .filter((p): p is string => !!p)
    .join(' ')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’`]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}
