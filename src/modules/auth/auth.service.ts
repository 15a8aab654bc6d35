import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccessTokenClaims, Principal } from '../../common/auth/principal';
import { INTEGRATION } from '../../common/auth/roles';
import { RequestMeta } from '../../common/context/actor';
import { authConfig } from '../../config/configuration';
import { ApiClientsService } from '../api-clients/api-clients.service';
import { AuditService } from '../audit/audit.service';
import { JobsService } from '../jobs/jobs.service';
import { User } from '../users/entities/user.entity';
import { SessionsService } from '../users/sessions.service';
import { hashPassword, UsersService } from '../users/users.service';
import { invalidClient, invalidCredentials, invalidRefreshToken, invalidScope, unsupportedGrantType } from './auth.errors';
import { ClientCredentialsDto, ClientTokenDto, MeDto, TokenPairDto } from './dto/auth.dto';
import { JWT_AUDIENCE, JWT_ISSUER } from './jwt.strategy';

interface RefreshClaims {
  sub: string;
  jti: string;
  fam: string;
  typ: 'refresh';
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Login, refresh-token rotation with reuse detection, logout, and the OAuth2 client credentials grant. */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  /** Verified against when the e-mail is unknown, so that both failures take the same time. */
  private readonly dummyHash = hashPassword(randomUUID());

  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly clients: ApiClientsService,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  /** Daily: forget expired rate-limit counters and refresh tokens expired for more than a day. */
  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule('auth.cleanup', '23 4 * * *', () => this.cleanup());
  }

  async cleanup(): Promise<void> {
    await this.dataSource.query(`DELETE FROM rate_limits WHERE expires_at < now() AND (blocked_until IS NULL OR blocked_until < now())`);
    await this.dataSource.query(`DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'`);
  }

  async login(email: string, password: string, meta: RequestMeta): Promise<TokenPairDto> {
    const user = await this.users.findByEmail(email);
    const hash = user?.passwordHash ?? (await this.dummyHash);
    const ok = await argon2.verify(hash, password).catch(() => false);
    if (!user || !ok || !user.active) {
      await this.audit.recordAnonymous(meta, { action: 'auth.login_failed', resourceType: 'user', resourceId: user?.id ?? null, actorId: user?.id ?? null });
      throw invalidCredentials();
    }
    const pair = await this.dataSource.transaction(async (manager) => {
      const pair = await this.issuePair(user, randomUUID(), manager);
      await this.audit.recordAnonymous(meta, { action: 'auth.login', resourceType: 'user', resourceId: user.id, actorId: user.id }, manager);
      return pair;
    });
    await this.users.recordLogin(user.id);
    return pair;
  }

  /** Exchanges a refresh token once; presenting a rotated token again revokes its whole family. */
  async refresh(token: string, meta: RequestMeta): Promise<TokenPairDto> {
    const claims = await this.verifyRefresh(token);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const stored = await this.sessions.findForRotation(manager, claims.jti);
      if (!stored || stored.userId !== claims.sub || !sameHash(stored.tokenHash, sha256(token))) return 'invalid' as const;
      if (stored.rotatedAt || stored.revokedAt) {
        await this.sessions.revokeFamily(manager, stored.familyId);
        await this.audit.recordAnonymous(meta, { action: 'auth.refresh_reuse_detected', resourceType: 'user', resourceId: stored.userId, actorId: stored.userId, details: { familyId: stored.familyId } }, manager);
        return 'reused' as const;
      }
      if (stored.expiresAt.getTime() <= Date.now()) return 'invalid' as const;
      const user = await this.users.findById(stored.userId, manager);
      if (!user?.active) {
        await this.sessions.revokeFamily(manager, stored.familyId);
        return 'invalid' as const;
      }
      await this.sessions.markRotated(manager, stored.id);
      return this.issuePair(user, stored.familyId, manager);
    });
    if (typeof outcome === 'string') throw invalidRefreshToken();
    return outcome;
  }

  async logout(principal: Principal, token: string): Promise<void> {
    const claims = await this.verifyRefresh(token).catch(() => null);
    if (!claims || claims.sub !== principal.id) return;
    await this.dataSource.transaction((manager) => this.sessions.revokeFamily(manager, claims.fam));
  }

  async me(principal: Principal): Promise<MeDto> {
    const user = await this.users.findById(principal.id);
    if (!user) throw invalidCredentials();
    return { id: user.id, email: user.email, role: user.role, agencyId: user.agencyId, providerId: user.providerId, firstName: user.firstName, lastName: user.lastName };
  }

  async clientCredentials(input: ClientCredentialsDto, basic: { id: string; secret: string } | null, meta: RequestMeta): Promise<ClientTokenDto> {
    if (input.grant_type !== 'client_credentials') throw unsupportedGrantType();
    const clientId = basic?.id ?? input.client_id;
    const secret = basic?.secret ?? input.client_secret;
    const client = clientId && secret ? await this.clients.authenticate(clientId, secret) : null;
    if (!client) {
      await this.audit.recordAnonymous(meta, { action: 'auth.token_failed', resourceType: 'api_client', resourceId: clientId ?? null });
      throw invalidClient();
    }
    const requested = input.scope ? input.scope.split(/\s+/).filter(Boolean) : client.scopes;
    const refused = requested.filter((s) => !client.scopes.includes(s));
    if (refused.length > 0) throw invalidScope(refused);
    const claims: AccessTokenClaims = { sub: client.id, typ: 'client', role: INTEGRATION, scope: requested.join(' ') };
    const accessToken = await this.signAccess(claims);
    await this.audit.recordAnonymous(meta, { action: 'auth.token', resourceType: 'api_client', resourceId: client.id, details: { scope: claims.scope } });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.config.accessTtlSeconds, scope: claims.scope ?? '' };
  }

  private async issuePair(user: User, familyId: string, manager: import('typeorm').EntityManager): Promise<TokenPairDto> {
    const accessToken = await this.signAccess({ sub: user.id, typ: 'user', role: user.role, agencyId: user.agencyId, providerId: user.providerId });
    const jti = randomUUID();
    const refreshToken = await this.jwt.signAsync({ sub: user.id, jti, fam: familyId, typ: 'refresh' } satisfies RefreshClaims, {
      secret: this.config.refreshSecret,
      algorithm: 'HS256',
      expiresIn: this.config.refreshTtlSeconds,
      issuer: JWT_ISSUER,
      audience: 'parcours-refresh',
    });
    await this.sessions.issue(manager, {
      id: jti,
      userId: user.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.refreshTtlSeconds * 1000),
    });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.config.accessTtlSeconds };
  }

  private signAccess(claims: AccessTokenClaims): Promise<string> {
    return this.jwt.signAsync(claims, {
      secret: this.config.accessSecret,
      algorithm: 'HS256',
      expiresIn: this.config.accessTtlSeconds,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
    });
  }

  private async verifyRefresh(token: string): Promise<RefreshClaims> {
    try {
      const claims = await this.jwt.verifyAsync<RefreshClaims>(token, {
        secret: this.config.refreshSecret,
        algorithms: ['HS256'],
        issuer: JWT_ISSUER,
        audience: 'parcours-refresh',
      });
      if (claims.typ !== 'refresh' || !claims.jti || !claims.fam) throw new Error('not a refresh token');
      return claims;
    } catch {
      throw invalidRefreshToken();
    }
  }
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
