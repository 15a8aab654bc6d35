import { isAllowed } from './access.guard';
import { Principal } from './principal';
import { INTEGRATION, Role, Scope } from './roles';

const user = (role: Role): Principal => ({ kind: 'user', id: 'u', role, agencyId: null, providerId: null, scopes: [] });
const client = (scopes: string[]): Principal => ({ kind: 'client', id: 'c', role: INTEGRATION, agencyId: null, providerId: null, scopes });

describe('isAllowed', () => {
  const rule = { roles: [Role.Admin, Role.AgencyManager], scopes: [Scope.BeneficiariesRead] };

  it('lets in the listed roles only', () => {
    expect(isAllowed(user(Role.Admin), rule)).toBe(true);
    expect(isAllowed(user(Role.AgencyManager), rule)).toBe(true);
    expect(isAllowed(user(Role.Advisor), rule)).toBe(false);
    expect(isAllowed(user(Role.Analyst), rule)).toBe(false);
  });

  it('lets in a machine client holding one of the scopes only', () => {
    expect(isAllowed(client([Scope.BeneficiariesRead]), rule)).toBe(true);
    expect(isAllowed(client([Scope.ReferralsWrite]), rule)).toBe(false);
    expect(isAllowed(client([]), { roles: [Role.Admin], scopes: [] })).toBe(false);
  });
});
