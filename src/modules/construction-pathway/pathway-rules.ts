import { addDays, addMonths } from '../beneficiaries/case-rules';
import { ReferralStatus } from '../referrals/referral-transitions';
import { ContractType, OPEN_STEP_STATUSES, STAGE_ORDER, StepStatus, StepType } from './pathway.enums';

/** What the derived state of a participant needs of a step. */
export interface StepFacts {
  type: StepType;
  status: StepStatus;
  startsOn: string;
  endsOn: string | null;
}

export interface ParticipantState {
  /** Where the person stands in the pathway; null before any step has started or been planned. */
  currentStage: StepType | null;
  /** The day since which the person has had no planned or in-progress step; null while they have one. */
  withoutSolutionSince: string | null;
}

const rank = (type: StepType) => STAGE_ORDER.indexOf(type);

/**
 * The stage of a participant, derived from their steps:
 * 1. the furthest main stage reached (a step `in_progress` or `done`);
 * 2. otherwise the earliest main stage planned (where they are about to start);
 * 3. otherwise `social_support` when such a step is under way or done;
 * 4. otherwise none. Abandoned steps never count.
 * Without a planned or in-progress step, the person is without a solution since the
 * later of their enrolment and the end of their last step.
 */
export function deriveParticipantState(enrolledOn: string, steps: StepFacts[]): ParticipantState {
  const main = steps.filter((s) => s.type !== StepType.SocialSupport);
  const reached = main.filter((s) => s.status === StepStatus.InProgress || s.status === StepStatus.Done).sort((a, b) => rank(b.type) - rank(a.type));
  const planned = main.filter((s) => s.status === StepStatus.Planned).sort((a, b) => rank(a.type) - rank(b.type));
  const social = steps.some((s) => s.type === StepType.SocialSupport && (s.status === StepStatus.InProgress || s.status === StepStatus.Done));
  const currentStage = reached[0]?.type ?? planned[0]?.type ?? (social ? StepType.SocialSupport : null);

  if (steps.some((s) => OPEN_STEP_STATUSES.includes(s.status))) return { currentStage, withoutSolutionSince: null };
  const ends = steps.map((s) => s.endsOn ?? s.startsOn);
  const withoutSolutionSince = [enrolledOn, ...ends].sort().pop()!;
  return { currentStage, withoutSolutionSince };
}

/** The allowed moves of a step's status: planned → in_progress | done | abandoned; in_progress → done | abandoned. */
export function canMoveStep(from: StepStatus, to: StepStatus): boolean {
  if (from === to) return true;
  if (from === StepStatus.Planned) return true;
  if (from === StepStatus.InProgress) return to === StepStatus.Done || to === StepStatus.Abandoned;
  return false;
}

/** The status of a step created from a referral, which then follows it: places and pathway stay one truth. */
export function stepStatusOfReferral(status: ReferralStatus): StepStatus {
  switch (status) {
    case ReferralStatus.InProgress:
      return StepStatus.InProgress;
    case ReferralStatus.Completed:
      return StepStatus.Done;
    case ReferralStatus.Abandoned:
    case ReferralStatus.Declined:
    case ReferralStatus.Cancelled:
    case ReferralStatus.Expired:
      return StepStatus.Abandoned;
    default:
      return StepStatus.Planned;
  }
}

/**
 * Lasting employment (emploi durable, domain.md §5): a CDI, a business creation, or
 * a CDD or interim contract of 6 months or more. A 6-month contract starting on
 * 1 January ends on 30 June: the end date counts, so the contract lasts 6 months when
 * it ends no earlier than the day before the same date 6 months later. A CDD or interim
 * contract without an end date cannot be shown to last 6 months: not lasting.
 */
export function isLastingEmployment(contractType: ContractType, startsOn: string, endsOn: string | null): boolean {
  if (contractType === ContractType.Cdi || contractType === ContractType.BusinessCreation) return true;
  if (contractType === ContractType.Cdd || contractType === ContractType.Interim) {
    return endsOn !== null && endsOn >= addDays(addMonths(startsOn, 6), -1);
  }
  return false;
}

/** The lot inputs of the required-hours formula. */
export interface ClauseInputs {
  /** Amount of the contract, in euros (excluding tax). */
  amount: number;
  /** Share of the amount that is labour, in percent. */
  labourSharePercent: number;
  /** Share of the labour to give to insertion, in percent. */
  insertionRatePercent: number;
  /** Average hourly labour cost, in euros. */
  hourlyCost: number;
}

/**
 * Required insertion hours = amount × labour share × insertion rate ÷ hourly cost
 * (domain.md §5), rounded to the nearest hour: 1,000,000 € × 50 % × 5 % ÷ 30 €/h = 833 h.
 */
export function requiredHours(lot: ClauseInputs): number {
  return Math.round((lot.amount * (lot.labourSharePercent / 100) * (lot.insertionRatePercent / 100)) / lot.hourlyCost);
}

/** Due dates of the follow-up contacts, `months` after hiring. */
export function followUpDueOn(startsOn: string, months: number): string {
  return addMonths(startsOn, months);
}
