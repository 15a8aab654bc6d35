import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Actor } from '../../common/context/actor';
import { AppException } from '../../common/errors/app.exception';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { AuditService } from '../audit/audit.service';
import { ApiClientDto, ApiClientWithSecretDto, CreateApiClientDto, ListApiClientsQueryDto, UpdateApiClientDto } from './dto/api-client.dto';
import { ApiClient } from './entities/api-client.entity';

const notFound = () => new AppException(404, 'API_CLIENT_NOT_FOUND', 'The API client was not found.');
const newSecret = () => `pcs_${randomBytes(32).toString('base64url')}`;
const hashSecret = (secret: string) => argon2.hash(secret, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });

/** Machine clients and their secrets (shown once, stored as argon2id hashes). */
@Injectable()
export class ApiClientsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(ApiClient);
  }

  async create(actor: Actor, input: CreateApiClientDto): Promise<ApiClientWithSecretDto> {
    const secret = newSecret();
    const secretHash = await hashSecret(secret);
    return this.dataSource.transaction(async (manager) => {
      const client = await manager.save(
        manager.create(ApiClient, { name: input.name, scopes: input.scopes, secretHash, clientId: `pc_${randomBytes(12).toString('base64url')}` }),
      );
      await this.audit.record(actor, { action: 'api_client.create', resourceType: 'api_client', resourceId: client.id, details: { scopes: client.scopes } }, manager);
      return { ...toApiClientDto(client), clientSecret: secret };
    });
  }

  async update(actor: Actor, id: string, input: UpdateApiClientDto): Promise<ApiClientDto> {
    return this.dataSource.transaction(async (manager) => {
      const client = await manager.findOne(ApiClient, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!client) throw notFound();
      manager.merge(ApiClient, client, input);
      await manager.save(client);
      await this.audit.record(actor, { action: input.active === false ? 'api_client.revoke' : 'api_client.update', resourceType: 'api_client', resourceId: id, details: { fields: Object.keys(input) } }, manager);
      return toApiClientDto(client);
    });
  }

  async rotateSecret(actor: Actor, id: string): Promise<ApiClientWithSecretDto> {
    const secret = newSecret();
    const secretHash = await hashSecret(secret);
    return this.dataSource.transaction(async (manager) => {
      const client = await manager.findOne(ApiClient, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!client) throw notFound();
      client.secretHash = secretHash;
      client.secretRotatedAt = new Date();
      await manager.save(client);
      await this.audit.record(actor, { action: 'api_client.rotate_secret', resourceType: 'api_client', resourceId: id }, manager);
      return { ...toApiClientDto(client), clientSecret: secret };
    });
  }

  async get(id: string): Promise<ApiClientDto> {
    const client = await this.repo.findOne({ where: { id } });
    if (!client) throw notFound();
    return toApiClientDto(client);
  }

  async list(query: ListApiClientsQueryDto): Promise<Page<ApiClientDto>> {
    const qb = this.repo.createQueryBuilder('c').orderBy('c.name', 'ASC').addOrderBy('c.id', 'ASC').limit(query.limit + 1);
    if (query.cursor) {
      const [name, id] = decodeCursor(query.cursor, ['string', 'uuid']);
      qb.andWhere('(c.name, c.id) > (:name, :id::uuid)', { name, id });
    }
    return toPage(await qb.getMany(), query.limit, (c) => [c.name, c.id], toApiClientDto);
  }

  /** The active client whose secret matches, or null (client credentials grant). */
  async authenticate(clientId: string, secret: string): Promise<ApiClient | null> {
    const client = await this.repo.findOne({ where: { clientId, active: true } });
    if (!client || !(await argon2.verify(client.secretHash, secret).catch(() => false))) return null;
    await this.repo.update({ id: client.id }, { lastUsedAt: () => 'now()' });
    return client;
  }
}

export function toApiClientDto(c: ApiClient): ApiClientDto {
  return {
    id: c.id,
    clientId: c.clientId,
    name: c.name,
    scopes: c.scopes,
    active: c.active,
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}
