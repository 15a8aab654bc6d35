import { ApiProperty } from '@nestjs/swagger';

export class CommuneDto {
  /** INSEE code of the commune. @example "93066" */
  @ApiProperty({ example: '93066', pattern: '^93\\d{3}$' })
  inseeCode!: string;

  /** @example "Saint-Denis" */
  name!: string;

  /** Code of the établissement public territorial. @example "T6" */
  eptCode!: string;

  /** @example "Plaine Commune" */
  eptName!: string;

  /** false for a commune merged into another, kept for history. */
  active!: boolean;
}
