import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface DomainEvent {
  type: string;
  resourceType: string;
  resourceId: string;
  /** Ids, states and dates only: never names, NIR, health data or notes. */
  data?: Record<string, string | number | boolean | null>;
}

/** Writes domain events in the caller's transaction (transactional outbox). */
@Injectable()
export class OutboxService {
  async write(manager: EntityManager, event: DomainEvent): Promise<void> {
    // One plain statement (TypeORM's insert builder would also read the generated columns back).
    await manager.query(`INSERT INTO outbox_events (type, resource_type, resource_id, data) VALUES ($1, $2, $3, $4)`, [
      event.type,
      event.resourceType,
      event.resourceId,
      event.data ?? {},
    ]);
  }
}
