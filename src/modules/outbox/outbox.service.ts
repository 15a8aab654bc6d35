import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { OutboxEvent } from './entities/outbox-event.entity';

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
    await manager.insert(OutboxEvent, {
      type: event.type,
      resourceType: event.resourceType,
      resourceId: event.resourceId,
      data: (event.data ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
    });
  }
}
