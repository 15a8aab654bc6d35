import { ApiProperty } from '@nestjs/swagger';

export class AdvisorCaseloadDto {
  @ApiProperty({ format: 'uuid' })
  advisorId!: string;
  caseloadSize!: number;
  overdueCount!: number;
}

/** The work queue figures of an agency: open, overdue and unassigned cases, suspension procedures to decide. */
export class AgencyCaseloadSummaryDto {
  @ApiProperty({ format: 'uuid' })
  agencyId!: string;
  /** Cases not exited. */
  openCases!: number;
  /** Open cases with a passed due date. */
  overdueCases!: number;
  /** Open cases with no advisor. */
  unassignedCases!: number;
  /** Open cases still to orient. */
  toOrient!: number;
  /** Suspension procedures opened for people of the agency and waiting for a decision. */
  suspensionsToDecide!: number;
  @ApiProperty({ type: [AdvisorCaseloadDto] })
  advisors!: AdvisorCaseloadDto[];
}
