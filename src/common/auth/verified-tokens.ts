import { Injectable } from '@nestjs/common';
import { Principal } from './principal';

/** Tokens remembered at most: a few per active user and machine client. */
const MAX_ENTRIES = 5000;

/**
 * Access tokens that passport-jwt has already verified (signature, algorithm,
 * issuer, audience, expiry) and turned into a principal, kept until they expire.
 * A front-end sends the same token with every request for its 15 minutes: the
 * guard then skips a second verification of the very same string. Only tokens
 * that passed the whole check get in; the key is the whole token, signature
 * included, so a token altered in any byte is verified from scratch.
 */
@Injectable()
export class VerifiedTokens {
  private readonly entries = new Map<string, { principal: Readonly<Principal>; expiresAtMs: number }>();

  get(token: string, nowMs = Date.now()): Readonly<Principal> | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  /** `exp`: the token's expiry, in seconds since the epoch (the `exp` claim). */
  remember(token: string, principal: Principal, exp: number): Readonly<Principal> {
    const frozen = Object.freeze({ ...principal, scopes: Object.freeze([...principal.scopes]) as string[] });
    if (this.entries.size >= MAX_ENTRIES) {
      // The oldest entry goes first (a Map iterates in insertion order).
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { principal: frozen, expiresAtMs: exp * 1000 });
    return frozen;
  }

  get size(): number {
    return this.entries.size;
  }
}
