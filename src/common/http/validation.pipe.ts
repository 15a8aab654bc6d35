import { ValidationPipe } from '@nestjs/common';
import { ValidationError, ValidatorOptions, validateSync } from 'class-validator';
import { ValidationFailedException } from '../errors/app.exception';
import { flattenValidationErrors } from '../errors/validation-errors';
import { cacheValidationMetadata } from '../validation/metadata-cache';

/**
 * Nest's ValidationPipe with class-validator's synchronous run: no validator of
 * this API is asynchronous, and the asynchronous run makes a promise per
 * constraint of every request (a measurable share of a list request's CPU).
 */
export class SyncValidationPipe extends ValidationPipe {
  protected override validate(object: object, validatorOptions?: ValidatorOptions): ValidationError[] {
    return validateSync(object, validatorOptions);
  }
}

/** Whitelisting, transforming validation whose failures become `VALIDATION_FAILED` problems. */
export function createValidationPipe(): ValidationPipe {
  cacheValidationMetadata();
  return new SyncValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedException(flattenValidationErrors(errors)),
  });
}
