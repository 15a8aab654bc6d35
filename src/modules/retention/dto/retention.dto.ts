import { ApiProperty } from '@nestjs/swagger';

export class RetentionReportDto {
  /** true: nothing was changed (preview). */
  dryRun!: boolean;
  /** People whose last contact is before this instant are concerned. */
  @ApiProperty({ format: 'date-time' })
  cutoff!: string;
  retentionMonths!: number;
  /** People concerned (preview) or anonymised (run). */
  count!: number;
  /** The same, by case status. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { exited: 120, to_orient: 3 } })
  byStatus!: Record<string, number>;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  oldestLastContact!: string | null;
}
