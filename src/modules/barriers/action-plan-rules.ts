import { ActionStatus } from './barrier.enums';

/** done, abandoned and cancelled close an action for good. */
export const FINAL_ACTION_STATUSES: readonly ActionStatus[] = [ActionStatus.Done, ActionStatus.Abandoned, ActionStatus.Cancelled];

/**
 * The moves an action may make, like a referral's: an action not started is
 * cancelled, a started one is abandoned; on hold resumes or ends.
 */
const NEXT: Record<ActionStatus, readonly ActionStatus[]> = {
  [ActionStatus.Planned]: [ActionStatus.InProgress, ActionStatus.OnHold, ActionStatus.Done, ActionStatus.Cancelled],
  [ActionStatus.InProgress]: [ActionStatus.OnHold, ActionStatus.Done, ActionStatus.Abandoned],
  [ActionStatus.OnHold]: [ActionStatus.Planned, ActionStatus.InProgress, ActionStatus.Done, ActionStatus.Abandoned, ActionStatus.Cancelled],
  [ActionStatus.Done]: [],
  [ActionStatus.Abandoned]: [],
  [ActionStatus.Cancelled]: [],
};

export const isFinalAction = (status: ActionStatus): boolean => FINAL_ACTION_STATUSES.includes(status);

export function canMoveAction(from: ActionStatus, to: ActionStatus): boolean {
  return NEXT[from].includes(to);
}
