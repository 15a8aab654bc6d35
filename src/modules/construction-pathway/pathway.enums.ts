/** Enumerations of the construction pathway "Bâtissons nos emplois" (domain.md §5), mirrored by CHECK constraints. */

/** The stages of the pathway, in their order; `social_support` runs beside them at any time. */
export enum StepType {
  InformationSession = 'information_session',
  TradeDiscovery = 'trade_discovery',
  SiteImmersion = 'site_immersion',
  PreQualification = 'pre_qualification',
  QualifyingTraining = 'qualifying_training',
  Employment = 'employment',
  EmploymentFollowUp = 'employment_follow_up',
  SocialSupport = 'social_support',
}

/** The main stages in pathway order (social support is not one of them). */
export const STAGE_ORDER: readonly StepType[] = [
  StepType.InformationSession,
  StepType.TradeDiscovery,
  StepType.SiteImmersion,
  StepType.PreQualification,
  StepType.QualifyingTraining,
  StepType.Employment,
  StepType.EmploymentFollowUp,
];

export enum StepStatus {
  Planned = 'planned',
  InProgress = 'in_progress',
  Done = 'done',
  Abandoned = 'abandoned',
}

/** A step `planned` or `in_progress` is a solution: the person is not left without one. */
export const OPEN_STEP_STATUSES: readonly StepStatus[] = [StepStatus.Planned, StepStatus.InProgress];

export enum SourcingChannel {
  Agency = 'agency',
  FranceTravail = 'france_travail',
  Employer = 'employer',
  Self = 'self',
  Partner = 'partner',
}

export enum ParticipantExitReason {
  Employment = 'employment',
  Training = 'training',
  EndOfRights = 'end_of_rights',
  MovedOut = 'moved_out',
  Withdrawn = 'withdrawn',
  Other = 'other',
}

export enum ContractType {
  Cdi = 'cdi',
  Cdd = 'cdd',
  Interim = 'interim',
  Apprenticeship = 'apprenticeship',
  Professionalisation = 'professionalisation',
  Iae = 'iae',
  BusinessCreation = 'business_creation',
}

/** Follow-up contacts after hiring, in months (domain.md §5). */
export const FOLLOW_UP_MONTHS: readonly number[] = [1, 3, 6];

export enum FollowUpOutcome {
  StillEmployed = 'still_employed',
  NotEmployed = 'not_employed',
}

/** How a company fulfils its social clause (domain.md §5). */
export enum FulfilmentMode {
  DirectHire = 'direct_hire',
  Provision = 'provision',
  SubcontractingSiae = 'subcontracting_siae',
}
