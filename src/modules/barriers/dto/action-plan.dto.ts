import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { IsCalendarDate } from '../../../common/validation/dates';
import { ActionStatus, BarrierTheme } from '../barrier.enums';

export class CreateFocusDto {
  @ApiProperty({ enum: BarrierTheme, enumName: 'BarrierTheme', description: 'A `health` focus is seen only by admins and the person\'s agency staff.' })
  @IsEnum(BarrierTheme)
  theme!: BarrierTheme;

  /** @example "Se déplacer vers les lieux de formation" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  title?: string;
}

export class CreateTargetDto {
  /** The objective. @example "Obtenir le permis B" */
  @IsString()
  @Length(1, 200)
  title!: string;
}

export class CreateActionDto {
  /** @example "S'inscrire à l'auto-école sociale" */
  @IsString()
  @Length(1, 200)
  title!: string;

  /** @example "2027-01-15" */
  @IsOptional()
  @IsCalendarDate()
  dueOn?: string;

  /** The programme the action uses, when there is one. */
  @IsOptional()
  @IsUUID()
  programmeId?: string;
}

export class UpdateActionDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @ValidateIf((_: UpdateActionDto, value: unknown) => value !== undefined)
  @IsString()
  @Length(1, 200)
  title?: string;

  /** The new due date; null removes it. */
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @IsOptional()
  @IsCalendarDate()
  dueOn?: string | null;

  @ApiPropertyOptional({
    enum: ActionStatus,
    enumName: 'ActionStatus',
    description: 'planned → in_progress | on_hold | done | cancelled; in_progress → on_hold | done | abandoned; on_hold → planned | in_progress | done | abandoned | cancelled. done, abandoned and cancelled are final.',
  })
  @ValidateIf((_: UpdateActionDto, value: unknown) => value !== undefined)
  @IsEnum(ActionStatus)
  status?: ActionStatus;
}

export class ActionPlanActionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  targetId!: string;
  title!: string;
  @ApiProperty({ enum: ActionStatus, enumName: 'ActionStatus' })
  status!: ActionStatus;
  @ApiProperty({ type: String, nullable: true, format: 'date' })
  dueOn!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  programmeId!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class ActionPlanTargetDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  focusId!: string;
  title!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ type: () => [ActionPlanActionDto] })
  actions!: ActionPlanActionDto[];
}

export class ActionPlanFocusDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: BarrierTheme, enumName: 'BarrierTheme' })
  theme!: BarrierTheme;
  @ApiProperty({ type: String, nullable: true })
  title!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ type: () => [ActionPlanTargetDto] })
  targets!: ActionPlanTargetDto[];
}

/** The whole plan: focuses → targets → actions, each level oldest first. */
export class ActionPlanDto {
  @ApiProperty({ format: 'uuid' })
  beneficiaryId!: string;
  @ApiProperty({ type: () => [ActionPlanFocusDto] })
  focuses!: ActionPlanFocusDto[];
}
