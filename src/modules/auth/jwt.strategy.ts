import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { bearerToken } from '../../common/auth/bearer-token';
import { AccessTokenClaims, Principal } from '../../common/auth/principal';
import { VerifiedTokens } from '../../common/auth/verified-tokens';
import { INTEGRATION, STAFF_ROLES } from '../../common/auth/roles';
import { authConfig } from '../../config/configuration';

export const JWT_ISSUER = 'parcours';
export const JWT_AUDIENCE = 'parcours-api';

/**
 * Access tokens: HS256 only (an `alg: none` or RS256 token is refused), our issuer and audience.
 * A token that passes is remembered with its principal until it expires (VerifiedTokens).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    private readonly verified: VerifiedTokens,
  ) {
    super({
      jwtFromRequest: bearerToken,
      passReqToCallback: true,
      // A KeyObject (jsonwebtoken accepts it; the typings do not say so): given a string,
      // jsonwebtoken first tries to parse it as a public key on every request, which cost a quarter of the CPU.
      secretOrKey: createSecretKey(Buffer.from(auth.accessSecret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(request: unknown, claims: AccessTokenClaims & { exp: number }): Readonly<Principal> | false {
    const roleOk = claims.typ === 'client' ? claims.role === INTEGRATION : claims.typ === 'user' && (STAFF_ROLES as string[]).includes(claims.role);
    if (!roleOk || typeof claims.sub !== 'string') return false;
    const principal: Principal = {
      kind: claims.typ,
      id: claims.sub,
      role: claims.role,
      agencyId: claims.agencyId ?? null,
      providerId: claims.providerId ?? null,
      scopes: claims.scope ? claims.scope.split(' ') : [],
    };
    const token = bearerToken(request);
    return token && typeof claims.exp === 'number' ? this.verified.remember(token, principal, claims.exp) : principal;
  }
}
