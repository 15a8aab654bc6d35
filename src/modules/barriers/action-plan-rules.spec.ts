import { canMoveAction, isFinalAction } from './action-plan-rules';
import { ActionStatus } from './barrier.enums';

describe('action status transitions', () => {
  it.each([
    [ActionStatus.Planned, ActionStatus.InProgress],
    [ActionStatus.Planned, ActionStatus.Cancelled],
    [ActionStatus.Planned, ActionStatus.Done],
    [ActionStatus.InProgress, ActionStatus.OnHold],
    [ActionStatus.InProgress, ActionStatus.Done],
    [ActionStatus.InProgress, ActionStatus.Abandoned],
    [ActionStatus.OnHold, ActionStatus.InProgress],
    [ActionStatus.OnHold, ActionStatus.Cancelled],
  ])('allows %s → %s', (from, to) => {
    expect(canMoveAction(from, to)).toBe(true);
  });

  it.each([
    [ActionStatus.Planned, ActionStatus.Abandoned],
    [ActionStatus.InProgress, ActionStatus.Cancelled],
    [ActionStatus.InProgress, ActionStatus.Planned],
    [ActionStatus.Planned, ActionStatus.Planned],
  ])('refuses %s → %s', (from, to) => {
    expect(canMoveAction(from, to)).toBe(false);
  });

  it.each([ActionStatus.Done, ActionStatus.Abandoned, ActionStatus.Cancelled])('treats %s as final: no way out', (from) => {
    expect(isFinalAction(from)).toBe(true);
    for (const to of Object.values(ActionStatus)) expect(canMoveAction(from, to)).toBe(false);
  });

  it.each([ActionStatus.Planned, ActionStatus.InProgress, ActionStatus.OnHold])('treats %s as open', (status) => {
    expect(isFinalAction(status)).toBe(false);
  });
});
