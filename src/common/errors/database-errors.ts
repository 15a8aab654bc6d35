import { QueryFailedError } from 'typeorm';

/** The name of the constraint a failed statement violated (unique, foreign key, check), if any. */
export function violatedConstraint(error: unknown): string | undefined {
  return error instanceof QueryFailedError ? (error.driverError as { constraint?: string }).constraint : undefined;
}
