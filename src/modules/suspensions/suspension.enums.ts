/**
 * The suspension procedure (domain.md §3): a failure to meet the obligations of the RSA is
 * reported, the person is heard, then the département decides a suspension of part of the
 * allowance for a time, or no sanction. Parcours records the procedure and its decision; it
 * never computes the allowance.
 */
export enum SuspensionGround {
  /** Refused to draw up or sign the contrat d'engagement. */
  ContractRefused = 'contract_refused',
  /** Did not meet the obligations of the signed contract (activity hours, actions). */
  ObligationsNotMet = 'obligations_not_met',
  /** Missed an appointment with the referent without a legitimate reason. */
  AppointmentMissed = 'appointment_missed',
  Other = 'other',
}

/** `open` → `decided`; a decided suspension may then be `lifted` (the person met the obligations again). */
export enum SuspensionStatus {
  Open = 'open',
  Decided = 'decided',
  Lifted = 'lifted',
}

export enum SuspensionOutcome {
  Suspension = 'suspension',
  NoSanction = 'no_sanction',
}
