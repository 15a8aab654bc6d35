import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import * as argon2 from 'argon2';
import { DataSource, EntityManager } from 'typeorm';
import { violatedConstraint } from '../../common/errors/database-errors';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { authConfig } from '../../config/configuration';
import { AuditService } from '../audit/audit.service';
import { AgenciesService } from '../agencies/agencies.service';
import { ProvidersService } from '../providers/providers.service';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { User } from './entities/user.entity';
import { passwordWeakness } from './password-policy';
import { SessionsService } from './sessions.service';
import { emailTaken, invalidAttachment, lastAdmin, managerMayOnlyManageAdvisors, ownAccountLimited, userNotFound, weakPassword } from './users.errors';

/** argon2id, OWASP's recommended parameters (19 MiB, 2 passes). */
export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });

/** Staff accounts. Admins manage every account; an agency manager, the advisors of their agency. */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
    private readonly agencies: AgenciesService,
    private readonly providers: ProvidersService,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {}

  /** First start: ADMIN_EMAIL + ADMIN_PASSWORD create the first admin when none exists. */
  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.auth;
    if (!adminEmail || !adminPassword) return;
    const weakness = passwordWeakness(adminPassword, [adminEmail]);
    if (weakness) {
      this.logger.error(`ADMIN_PASSWORD ${weakness}: the first admin was not created`);
      return;
    }
    const passwordHash = await hashPassword(adminPassword);
    const created = await this.dataSource.transaction(async (manager) => {
      // Several instances may start together: one creates the admin, the others see it.
      await manager.query('SELECT pg_advisory_xact_lock(726017494)');
      if (await manager.exists(User, { where: { role: Role.Admin } })) return null;
      const admin = await manager.save(
        manager.create(User, { email: adminEmail.toLowerCase(), passwordHash, role: Role.Admin, firstName: 'Admin', lastName: 'Parcours' }),
      );
      await this.audit.recordAnonymous(null, { action: 'user.bootstrap_admin', resourceType: 'user', resourceId: admin.id }, manager);
      return admin;
    });
    if (created) this.logger.log(`first admin created: ${created.email}`);
  }

  async create(actor: Actor, input: CreateUserDto): Promise<UserDto> {
    const principal = actor.principal;
    if (principal.role === Role.AgencyManager) {
      if (input.role !== Role.Advisor || (input.agencyId && input.agencyId !== principal.agencyId)) throw managerMayOnlyManageAdvisors();
      input.agencyId = principal.agencyId!;
    }
    const weakness = passwordWeakness(input.password, [input.email, input.firstName, input.lastName]);
    if (weakness) throw weakPassword(weakness);
    const passwordHash = await hashPassword(input.password);
    return this.dataSource.transaction(async (manager) => {
      await this.checkAttachment(manager, input.role, input.agencyId ?? null, input.providerId ?? null);
      const user = await manager
        .save(
          manager.create(User, {
            email: input.email,
            passwordHash,
            role: input.role,
            firstName: input.firstName,
            lastName: input.lastName,
            agencyId: input.agencyId ?? null,
            providerId: input.providerId ?? null,
            caseloadCapacity: input.caseloadCapacity ?? 60,
          }),
        )
        .catch(mapUserError);
      await this.audit.record(actor, { action: 'user.create', resourceType: 'user', resourceId: user.id, details: { role: user.role } }, manager);
      return toUserDto(user);
    });
  }

  async update(actor: Actor, id: string, input: UpdateUserDto): Promise<UserDto> {
    const principal = actor.principal;
    if (principal.role === Role.AgencyManager && (input.role !== undefined && input.role !== Role.Advisor || (input.agencyId && input.agencyId !== principal.agencyId) || input.providerId)) {
      throw managerMayOnlyManageAdvisors();
    }
    // Out of scope is not found, before anything about the password is said.
    const target = await this.findInScope(principal, id);
    if (principal.role !== Role.Admin && principal.id === id && Object.keys(input).some((k) => !['firstName', 'lastName', 'password'].includes(k))) {
      throw ownAccountLimited();
    }
    const passwordHash = input.password !== undefined ? await this.checkedHash(target, input.password) : undefined;
    return this.dataSource.transaction(async (manager) => {
      const user = await this.findInScope(principal, id, manager, true);
      const { password: _password, ...fields } = input;
      manager.merge(User, user, fields);
      if (passwordHash) user.passwordHash = passwordHash;
      await this.checkAttachment(manager, user.role, user.agencyId, user.providerId);
      if (target.role === Role.Admin && target.active && (!user.active || user.role !== Role.Admin)) {
        // Serialised with the first-admin bootstrap: there is always one active admin left.
        await manager.query('SELECT pg_advisory_xact_lock(726017494)');
        const others = await manager.count(User, { where: { role: Role.Admin, active: true } });
        if (others <= 1) throw lastAdmin();
      }
      await manager.save(user).catch(mapUserError);
      if (input.active === false || passwordHash) await this.sessions.revokeAllForUser(user.id, manager);
      await this.audit.record(actor, { action: input.active === false ? 'user.deactivate' : 'user.update', resourceType: 'user', resourceId: id, details: { fields: Object.keys(input) } }, manager);
      return toUserDto(user);
    });
  }

  async get(principal: Principal, id: string): Promise<UserDto> {
    return toUserDto(await this.findInScope(principal, id));
  }

  async list(principal: Principal, query: ListUsersQueryDto): Promise<Page<UserDto>> {
    if (principal.role === Role.AgencyManager) {
      // A manager sees the advisors of their agency, whatever the filters say.
      return this.page({ ...query, role: Role.Advisor, agencyId: principal.agencyId!, onlyIfRole: query.role, onlyIfAgency: query.agencyId });
    }
    return this.page(query);
  }

  /** Advisors, optionally of one agency, by last name. */
  listAdvisors(agencyId: string | undefined, query: { limit: number; cursor?: string }): Promise<Page<UserDto>> {
    return this.page({ ...query, role: Role.Advisor, agencyId });
  }

  private async page(
    filter: ListUsersQueryDto & { onlyIfRole?: Role; onlyIfAgency?: string },
  ): Promise<Page<UserDto>> {
    // A filter that contradicts the caller's scope matches nobody.
    if ((filter.onlyIfRole && filter.onlyIfRole !== filter.role) || (filter.onlyIfAgency && filter.onlyIfAgency !== filter.agencyId)) {
      return { data: [], page: { nextCursor: null, hasNextPage: false } };
    }
    const qb = this.dataSource.getRepository(User).createQueryBuilder('u').orderBy('u.lastName', 'ASC').addOrderBy('u.id', 'ASC').limit(filter.limit + 1);
    if (filter.role) qb.andWhere('u.role = :role', { role: filter.role });
    if (filter.agencyId) qb.andWhere('u.agencyId = :agencyId', { agencyId: filter.agencyId });
    if (filter.providerId) qb.andWhere('u.providerId = :providerId', { providerId: filter.providerId });
    if (filter.active !== undefined) qb.andWhere('u.active = :active', { active: filter.active });
    if (filter.cursor) {
      const [lastName, id] = decodeCursor(filter.cursor, ['string', 'uuid']);
      qb.andWhere('(u.lastName, u.id) > (:lastName, :id::uuid)', { lastName, id });
    }
    return toPage(await qb.getMany(), filter.limit, (u) => [u.lastName, u.id], toUserDto);
  }

  async findDto(id: string): Promise<UserDto | null> {
    const user = await this.findById(id);
    return user ? toUserDto(user) : null;
  }

  async setCaseloadCapacity(actor: Actor, id: string, caseloadCapacity: number): Promise<UserDto> {
    return this.dataSource.transaction(async (manager) => {
      const user = await manager.findOneOrFail(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
      user.caseloadCapacity = caseloadCapacity;
      await manager.save(user);
      await this.audit.record(actor, { action: 'advisor.update_capacity', resourceType: 'user', resourceId: id, details: { caseloadCapacity } }, manager);
      return toUserDto(user);
    });
  }

  /** The account behind a login (null when unknown). */
  findByEmail(email: string): Promise<User | null> {
    return this.dataSource.getRepository(User).findOne({ where: { email: email.trim().toLowerCase() } });
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<User | null> {
    return manager.findOne(User, { where: { id } });
  }

  async recordLogin(id: string): Promise<void> {
    await this.dataSource.getRepository(User).update({ id }, { lastLoginAt: () => 'now()' });
  }

  /** A user the principal may see: admins all, managers the advisors of their agency, anyone themself. */
  async findInScope(principal: Principal, id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<User> {
    const user = await manager.findOne(User, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    const visible =
      user &&
      (principal.role === Role.Admin ||
        (principal.kind === 'user' && principal.id === id) ||
        (principal.role === Role.AgencyManager && user.role === Role.Advisor && user.agencyId === principal.agencyId));
    if (!visible) throw userNotFound();
    return user;
  }

  private async checkedHash(user: User, password: string): Promise<string> {
    const weakness = passwordWeakness(password, [user.email, user.firstName, user.lastName]);
    if (weakness) throw weakPassword(weakness);
    return hashPassword(password);
  }

  private async checkAttachment(manager: EntityManager, role: Role, agencyId: string | null, providerId: string | null): Promise<void> {
    const needsAgency = role === Role.AgencyManager || role === Role.Advisor;
    if (needsAgency !== (agencyId !== null)) {
      throw invalidAttachment('agencyId', needsAgency ? `a ${role} belongs to an agency: agencyId is required` : `a ${role} has no agency`);
    }
    if ((role === Role.Provider) !== (providerId !== null)) {
      throw invalidAttachment('providerId', role === Role.Provider ? 'provider staff belong to a provider: providerId is required' : `a ${role} has no provider`);
    }
    if (agencyId && !(await this.agencies.isActive(agencyId, manager))) {
      throw invalidAttachment('agencyId', 'no active agency has this id');
    }
    if (providerId && !(await this.providers.exists(providerId))) {
      throw invalidAttachment('providerId', 'no provider has this id');
    }
  }
}

function mapUserError(e: unknown): never {
  if (violatedConstraint(e) === 'uq_users_email') throw emailTaken();
  throw e;
}

export function toUserDto(u: User): UserDto {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    firstName: u.firstName,
    lastName: u.lastName,
    agencyId: u.agencyId,
    providerId: u.providerId,
    caseloadCapacity: u.caseloadCapacity,
    active: u.active,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}
