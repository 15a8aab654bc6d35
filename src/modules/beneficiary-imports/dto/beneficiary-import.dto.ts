import { ApiProperty } from '@nestjs/swagger';

export class ImportTotalsDto {
  rows!: number;
  created!: number;
  updated!: number;
  unchanged!: number;
  rejected!: number;
}

export class ImportErrorDto {
  /** CSV: the line in the file (the header is line 1). CAF XML: the position of the person in the file. */
  line!: number;
  field!: string;
  message!: string;
}

export class BeneficiaryImportDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] })
  status!: string;
  @ApiProperty({ enum: ['csv', 'caf_xml'] })
  format!: string;
  filename!: string;
  totals!: ImportTotalsDto;
  /** Rejected lines (the first 1,000). */
  @ApiProperty({ type: [ImportErrorDto] })
  errors!: ImportErrorDto[];
  /** Why the whole file failed (unreadable, wrong columns...), when it did. */
  @ApiProperty({ type: String, nullable: true })
  failure!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}

export class ImportAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: ['queued'] })
  status!: string;
}
