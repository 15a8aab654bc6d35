import { ApiProperty } from '@nestjs/swagger';

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ enum: ['user', 'client', 'system', 'anonymous'] })
  actorType!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  actorId!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'admin' })
  actorRole!: string | null;

  /** @example "user.create" */
  action!: string;

  /** @example "user" */
  resourceType!: string;

  @ApiProperty({ nullable: true, type: String })
  resourceId!: string | null;

  @ApiProperty({ nullable: true, type: String })
  requestId!: string | null;

  @ApiProperty({ nullable: true, type: String })
  ip!: string | null;

  /** Context such as the names of changed fields; never personal values. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;
}
