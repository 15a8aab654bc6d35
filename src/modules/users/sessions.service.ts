import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { RefreshToken } from './entities/refresh-token.entity';

/** The refresh tokens of staff users, one family per login. */
@Injectable()
export class SessionsService {
  constructor(private readonly dataSource: DataSource) {}

  async issue(manager: EntityManager, token: Pick<RefreshToken, 'id' | 'userId' | 'familyId' | 'tokenHash' | 'expiresAt'>): Promise<void> {
    await manager.insert(RefreshToken, token);
  }

  /** The stored token, locked for the rest of the transaction so that one token rotates once. */
  findForRotation(manager: EntityManager, id: string): Promise<RefreshToken | null> {
    return manager.findOne(RefreshToken, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async markRotated(manager: EntityManager, id: string): Promise<void> {
    await manager.update(RefreshToken, { id }, { rotatedAt: () => 'now()' });
  }

  async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.update(RefreshToken, { familyId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }

  async revokeAllForUser(userId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.update(RefreshToken, { userId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }
}
