import { ValidationPipe } from '@nestjs/common';
import { ValidationFailedException } from '../errors/app.exception';
import { flattenValidationErrors } from '../errors/validation-errors';

/** Whitelisting, transforming validation whose failures become `VALIDATION_FAILED` problems. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedException(flattenValidationErrors(errors)),
  });
}
