import { HttpException } from '@nestjs/common';
import { FieldError } from './problem';

/**
 * An error the API answers on purpose, with a stable code. Feature modules
 * declare theirs in `<feature>.errors.ts`, e.g.
 * `new AppException(409, 'PLACE_CAPACITY_REACHED', 'The programme has no free place')`.
 */
export class AppException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** Extension members added to the problem (e.g. OAuth2's `error`). */
    readonly extensions?: Record<string, string>,
  ) {
    super({ code, detail, errors }, status);
  }
}

export class ValidationFailedException extends AppException {
  constructor(errors: FieldError[], detail = 'The request is not valid: see `errors` for each field.') {
    super(400, 'VALIDATION_FAILED', detail, errors);
  }
}

export class NotFoundAppException extends AppException {
  constructor(resource: string) {
    super(404, 'NOT_FOUND', `${resource} was not found.`);
  }
}
