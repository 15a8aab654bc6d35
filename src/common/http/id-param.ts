import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedException } from '../errors/app.exception';

/** A UUID path parameter; anything else is a 400 VALIDATION_FAILED naming the parameter. */
export function IdParam(name = 'id'): ParameterDecorator {
  return Param(name, new ParseUUIDPipe({ exceptionFactory: () => new ValidationFailedException([{ field: name, message: `${name} must be a UUID` }]) }));
}
