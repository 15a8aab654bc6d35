import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AccessTokenClaims, Principal } from '../../common/auth/principal';
import { INTEGRATION, STAFF_ROLES } from '../../common/auth/roles';
import { authConfig } from '../../config/configuration';

export const JWT_ISSUER = 'parcours';
export const JWT_AUDIENCE = 'parcours-api';

/** Access tokens: HS256 only (an `alg: none` or RS256 token is refused), our issuer and audience. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject (jsonwebtoken accepts it; the typings do not say so): given a string,
      // jsonwebtoken first tries to parse it as a public key on every request, which cost a quarter of the CPU.
      secretOrKey: createSecretKey(Buffer.from(auth.accessSecret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessTokenClaims): Principal | false {
    const roleOk = claims.typ === 'client' ? claims.role === INTEGRATION : claims.typ === 'user' && (STAFF_ROLES as string[]).includes(claims.role);
    if (!roleOk || typeof claims.sub !== 'string') return false;
    return {
      kind: claims.typ,
      id: claims.sub,
      role: claims.role,
      agencyId: claims.agencyId ?? null,
      providerId: claims.providerId ?? null,
      scopes: claims.scope ? claims.scope.split(' ') : [],
    };
  }
}
