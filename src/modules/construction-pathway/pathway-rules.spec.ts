import { ReferralStatus } from '../referrals/referral-transitions';
import { canMoveStep, deriveParticipantState, isLastingEmployment, requiredHours, StepFacts, stepStatusOfReferral } from './pathway-rules';
import { ContractType, StepStatus, StepType } from './pathway.enums';

const step = (type: StepType, status: StepStatus, startsOn = '2026-03-01', endsOn: string | null = null): StepFacts => ({ type, status, startsOn, endsOn });

describe('deriveParticipantState', () => {
  it('has no stage and is without a solution since enrolment when there is no step', () => {
    expect(deriveParticipantState('2026-01-10', [])).toEqual({ currentStage: null, withoutSolutionSince: '2026-01-10' });
  });

  it('takes the furthest stage reached, over earlier planned ones', () => {
    const state = deriveParticipantState('2026-01-10', [
      step(StepType.InformationSession, StepStatus.Done, '2026-01-12', '2026-01-12'),
      step(StepType.QualifyingTraining, StepStatus.InProgress),
      step(StepType.TradeDiscovery, StepStatus.Planned),
    ]);
    expect(state).toEqual({ currentStage: StepType.QualifyingTraining, withoutSolutionSince: null });
  });

  it('takes the earliest planned stage when none is reached; social support only when nothing else', () => {
    expect(deriveParticipantState('2026-01-10', [step(StepType.SiteImmersion, StepStatus.Planned), step(StepType.TradeDiscovery, StepStatus.Planned)]).currentStage).toBe(
      StepType.TradeDiscovery,
    );
    expect(deriveParticipantState('2026-01-10', [step(StepType.SocialSupport, StepStatus.InProgress)]).currentStage).toBe(StepType.SocialSupport);
    expect(deriveParticipantState('2026-01-10', [step(StepType.SocialSupport, StepStatus.InProgress), step(StepType.TradeDiscovery, StepStatus.Planned)]).currentStage).toBe(
      StepType.TradeDiscovery,
    );
  });

  it('ignores abandoned steps for the stage, and counts from the end of the last step when nothing is open', () => {
    const state = deriveParticipantState('2026-01-10', [
      step(StepType.InformationSession, StepStatus.Done, '2026-01-12', '2026-01-12'),
      step(StepType.SiteImmersion, StepStatus.Abandoned, '2026-02-01', '2026-02-05'),
    ]);
    expect(state).toEqual({ currentStage: StepType.InformationSession, withoutSolutionSince: '2026-02-05' });
  });

  it('has a solution as long as one step is planned or in progress, social support included', () => {
    expect(deriveParticipantState('2026-01-10', [step(StepType.SocialSupport, StepStatus.Planned)]).withoutSolutionSince).toBeNull();
  });
});

describe('isLastingEmployment', () => {
  it.each([
    [ContractType.Cdi, '2026-01-01', null, true],
    [ContractType.BusinessCreation, '2026-01-01', null, true],
    [ContractType.Cdd, '2026-01-01', '2026-06-30', true],
    [ContractType.Cdd, '2026-01-01', '2026-06-29', false],
    [ContractType.Interim, '2026-08-31', '2027-02-27', true],
    [ContractType.Interim, '2026-08-31', '2027-02-26', false],
    [ContractType.Cdd, '2026-01-01', null, false],
    [ContractType.Apprenticeship, '2026-01-01', '2028-01-01', false],
    [ContractType.Professionalisation, '2026-01-01', '2027-01-01', false],
    [ContractType.Iae, '2026-01-01', '2027-01-01', false],
  ])('%s from %s to %s: %s', (type, startsOn, endsOn, lasting) => {
    expect(isLastingEmployment(type, startsOn, endsOn)).toBe(lasting);
  });
});

describe('requiredHours', () => {
  it('is amount × labour share × insertion rate ÷ hourly cost, to the nearest hour', () => {
    expect(requiredHours({ amount: 1_000_000, labourSharePercent: 50, insertionRatePercent: 5, hourlyCost: 30 })).toBe(833);
    expect(requiredHours({ amount: 100_000, labourSharePercent: 60, insertionRatePercent: 10, hourlyCost: 45 })).toBe(133);
    expect(requiredHours({ amount: 2_000_000, labourSharePercent: 35, insertionRatePercent: 7.5, hourlyCost: 32.5 })).toBe(1615);
  });
});

describe('steps', () => {
  it('moves planned → in_progress → done | abandoned, never back', () => {
    expect(canMoveStep(StepStatus.Planned, StepStatus.Done)).toBe(true);
    expect(canMoveStep(StepStatus.InProgress, StepStatus.Abandoned)).toBe(true);
    expect(canMoveStep(StepStatus.InProgress, StepStatus.Planned)).toBe(false);
    expect(canMoveStep(StepStatus.Done, StepStatus.InProgress)).toBe(false);
    expect(canMoveStep(StepStatus.Abandoned, StepStatus.Done)).toBe(false);
  });

  it('follows a referral: waiting → planned, started → in_progress, completed → done, ended otherwise → abandoned', () => {
    expect(Object.values(ReferralStatus).map((s) => [s, stepStatusOfReferral(s)])).toEqual([
      ['submitted', 'planned'],
      ['waitlisted', 'planned'],
      ['accepted', 'planned'],
      ['in_progress', 'in_progress'],
      ['completed', 'done'],
      ['abandoned', 'abandoned'],
      ['declined', 'abandoned'],
      ['cancelled', 'abandoned'],
      ['expired', 'abandoned'],
    ]);
  });
});
