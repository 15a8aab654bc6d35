/** Case status, derived by the service on every change and stored for querying (domain.md §3). */
export enum CaseStatus {
  ToOrient = 'to_orient',
  Oriented = 'oriented',
  InPathway = 'in_pathway',
  Exited = 'exited',
}

export enum OrientationPath {
  Professional = 'professional',
  SocioProfessional = 'socio_professional',
  Social = 'social',
}

export enum ReferentBody {
  Departement = 'departement',
  Delegate = 'delegate',
  FranceTravail = 'france_travail',
  MissionLocale = 'mission_locale',
  CapEmploi = 'cap_emploi',
}

export enum ExitReason {
  Employment = 'employment',
  Training = 'training',
  EndOfRights = 'end_of_rights',
  MovedOut = 'moved_out',
  Other = 'other',
}

export enum ContractStatus {
  Draft = 'draft',
  Signed = 'signed',
  Ended = 'ended',
}

export enum ReorientationStatus {
  Pending = 'pending',
  Accepted = 'accepted',
  Denied = 'denied',
}

/** CAF ETATDOSRSA. */
export const RIGHTS_STATES = ['0', '1', '2', '3', '4', '5', '6', 'Z'] as const;
export type RightsState = (typeof RIGHTS_STATES)[number];
/** The states of an open right, with an allowance (domain.md §3): 2 payable, 3 suspended, 4 payment suspended. */
export const OPEN_RIGHTS_STATES: readonly RightsState[] = ['2', '3', '4'];

export const HOUSEHOLD_ROLES = ['DEM', 'CJT'] as const;
export type HouseholdRole = (typeof HOUSEHOLD_ROLES)[number];
