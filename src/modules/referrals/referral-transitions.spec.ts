import { holdsPlace, nextReferralStatus, ReferralAction as A, ReferralStatus as S, releasesPlace } from './referral-transitions';

describe('referral transitions', () => {
  const allowed: [S, A, S][] = [
    [S.Submitted, A.Accept, S.Accepted],
    [S.Submitted, A.Decline, S.Declined],
    [S.Submitted, A.Cancel, S.Cancelled],
    [S.Submitted, A.Expire, S.Expired],
    [S.Waitlisted, A.Promote, S.Submitted],
    [S.Waitlisted, A.Cancel, S.Cancelled],
    [S.Waitlisted, A.Expire, S.Expired],
    [S.Accepted, A.Start, S.InProgress],
    [S.Accepted, A.Cancel, S.Cancelled],
    [S.InProgress, A.Complete, S.Completed],
    [S.InProgress, A.Abandon, S.Abandoned],
  ];

  it.each(allowed)('%s --%s--> %s', (from, action, to) => {
    expect(nextReferralStatus(from, action)).toBe(to);
  });

  it('refuses every other move', () => {
    const ok = new Set(allowed.map(([from, action]) => `${from}/${action}`));
    for (const from of Object.values(S)) {
      for (const action of Object.values(A)) {
        if (!ok.has(`${from}/${action}`)) expect(nextReferralStatus(from, action)).toBeNull();
      }
    }
  });

  it('declines only from submitted: never after acceptance', () => {
    expect(nextReferralStatus(S.Accepted, A.Decline)).toBeNull();
    expect(nextReferralStatus(S.Waitlisted, A.Accept)).toBeNull();
  });

  it('releases the place when a held place ends', () => {
    expect(releasesPlace(S.Accepted, S.Cancelled)).toBe(true);
    expect(releasesPlace(S.InProgress, S.Completed)).toBe(true);
    expect(releasesPlace(S.InProgress, S.Abandoned)).toBe(true);
    expect(releasesPlace(S.Accepted, S.InProgress)).toBe(false);
    expect(releasesPlace(S.Submitted, S.Cancelled)).toBe(false);
    expect(holdsPlace(S.Waitlisted)).toBe(false);
  });
});
