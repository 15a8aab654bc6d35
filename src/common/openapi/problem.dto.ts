import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  /** Dotted path of the field. @example "address.postcode" */
  @ApiProperty({ example: 'birthDate' })
  field!: string;

  @ApiProperty({ example: 'birthDate must be a valid ISO 8601 date string' })
  message!: string;
}

/** RFC 9457 problem details: the body of every error response. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:parcours:problem:validation-failed' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request is not valid: see `errors` for each field.' })
  detail!: string;

  @ApiPropertyOptional({ example: '/api/v1/beneficiaries' })
  instance?: string;

  /** Stable machine-readable code. */
  @ApiProperty({ example: 'VALIDATION_FAILED' })
  code!: string;

  /** The request id, also sent as `X-Request-Id`. */
  @ApiProperty({ example: '5b7c1d7e-3f0a-4f3b-9a59-2f8d7c6a1e10' })
  correlationId!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
