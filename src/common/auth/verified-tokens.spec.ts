import { Principal } from './principal';
import { Role } from './roles';
import { VerifiedTokens } from './verified-tokens';

const principal = (id: string): Principal => ({ kind: 'user', id, role: Role.Advisor, agencyId: 'a', providerId: null, scopes: ['x'] });

describe('VerifiedTokens', () => {
  it('gives back the principal of a remembered token until its expiry, then forgets it', () => {
    const tokens = new VerifiedTokens();
    const exp = 1_000_000;
    tokens.remember('t1', principal('u1'), exp);
    expect(tokens.get('t1', exp * 1000 - 1)).toEqual(principal('u1'));
    expect(tokens.get('t2', exp * 1000 - 1)).toBeUndefined();
    expect(tokens.get('t1', exp * 1000)).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('hands out a frozen principal: a request cannot change what the next one sees', () => {
    const tokens = new VerifiedTokens();
    const remembered = tokens.remember('t1', principal('u1'), 2_000_000_000);
    expect(Object.isFrozen(remembered)).toBe(true);
    expect(Object.isFrozen(remembered.scopes)).toBe(true);
    expect(() => (remembered.scopes as string[]).push('y')).toThrow(TypeError);
  });

  it('keeps at most 5,000 tokens, forgetting the oldest first', () => {
    const tokens = new VerifiedTokens();
    for (let i = 0; i < 5001; i += 1) tokens.remember(`t${i}`, principal(`u${i}`), 2_000_000_000);
    expect(tokens.size).toBe(5000);
    expect(tokens.get('t0', 0)).toBeUndefined();
    expect(tokens.get('t1', 0)?.id).toBe('u1');
    expect(tokens.get('t5000', 0)?.id).toBe('u5000');
  });
});
