import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Who read or changed what. Append-only: a trigger refuses UPDATE and DELETE
 * except for the retention purge, which sets `parcours.audit_purge` in its transaction.
 */
@Entity({ name: 'audit_events' })
@Check('ck_audit_events_actor_type', `"actor_type" IN ('user', 'client', 'system', 'anonymous')`)
@Index('ix_audit_events_time', ['occurredAt', 'id'])
@Index('ix_audit_events_actor', ['actorId', 'occurredAt', 'id'])
@Index('ix_audit_events_resource', ['resourceType', 'resourceId', 'occurredAt', 'id'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_audit_events' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;

  @Column({ type: 'text' })
  actorType!: 'user' | 'client' | 'system' | 'anonymous';

  @Column({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'text', nullable: true })
  actorRole!: string | null;

  /** e.g. `user.create`, `beneficiary.read`, `auth.login_failed`. */
  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  resourceType!: string;

  @Column({ type: 'text', nullable: true })
  resourceId!: string | null;

  @Column({ type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'inet', nullable: true })
  ip!: string | null;

  /** Names of the changed fields and similar context; never personal values. */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  details!: Record<string, unknown>;
}
