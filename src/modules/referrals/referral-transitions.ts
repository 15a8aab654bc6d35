/** Referral statuses (domain.md §4). */
export enum ReferralStatus {
  Submitted = 'submitted',
  Waitlisted = 'waitlisted',
  Accepted = 'accepted',
  InProgress = 'in_progress',
  Completed = 'completed',
  Abandoned = 'abandoned',
  Declined = 'declined',
  Cancelled = 'cancelled',
  Expired = 'expired',
}

/** What may happen to a referral: the six API actions, promotion from the waitlist and expiry (job). */
export enum ReferralAction {
  Accept = 'accept',
  Decline = 'decline',
  Start = 'start',
  Complete = 'complete',
  Abandon = 'abandon',
  Cancel = 'cancel',
  Promote = 'promote',
  Expire = 'expire',
}

/** Statuses of a referral still running: one per person and programme (uq_referrals_open). */
export const OPEN_REFERRAL_STATUSES: readonly ReferralStatus[] = [ReferralStatus.Submitted, ReferralStatus.Waitlisted, ReferralStatus.Accepted, ReferralStatus.InProgress];

/** Statuses that hold one of the programme's places. */
export const PLACE_HOLDING_STATUSES: readonly ReferralStatus[] = [ReferralStatus.Accepted, ReferralStatus.InProgress];

/**
 * The transition table: for each action, the statuses it starts from and the one it leads to.
 * submitted → accepted → in_progress → completed | abandoned; submitted → declined;
 * submitted | accepted → cancelled; waitlisted → submitted (promotion) | cancelled;
 * submitted | waitlisted → expired.
 */
const TRANSITIONS: Record<ReferralAction, { from: readonly ReferralStatus[]; to: ReferralStatus }> = {
  [ReferralAction.Accept]: { from: [ReferralStatus.Submitted], to: ReferralStatus.Accepted },
  [ReferralAction.Decline]: { from: [ReferralStatus.Submitted], to: ReferralStatus.Declined },
  [ReferralAction.Start]: { from: [ReferralStatus.Accepted], to: ReferralStatus.InProgress },
  [ReferralAction.Complete]: { from: [ReferralStatus.InProgress], to: ReferralStatus.Completed },
  [ReferralAction.Abandon]: { from: [ReferralStatus.InProgress], to: ReferralStatus.Abandoned },
  [ReferralAction.Cancel]: { from: [ReferralStatus.Submitted, ReferralStatus.Accepted, ReferralStatus.Waitlisted], to: ReferralStatus.Cancelled },
  [ReferralAction.Promote]: { from: [ReferralStatus.Waitlisted], to: ReferralStatus.Submitted },
  [ReferralAction.Expire]: { from: [ReferralStatus.Submitted, ReferralStatus.Waitlisted], to: ReferralStatus.Expired },
};

/** The status `action` leads to from `from`, or null when the move is not allowed. */
export function nextReferralStatus(from: ReferralStatus, action: ReferralAction): ReferralStatus | null {
  const t = TRANSITIONS[action];
  return t.from.includes(from) ? t.to : null;
}

export const holdsPlace = (status: ReferralStatus): boolean => PLACE_HOLDING_STATUSES.includes(status);

/** Whether the move gives a place back to the programme (cancel after accept, abandon, complete). */
export function releasesPlace(from: ReferralStatus, to: ReferralStatus): boolean {
  return holdsPlace(from) && !holdsPlace(to);
}
