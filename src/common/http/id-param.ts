import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ValidationFailedException } from '../errors/app.exception';

/**
 * A UUID path parameter; anything else is a 400 VALIDATION_FAILED naming the
 * parameter. Documented as such (`format: uuid`, 36 characters).
 */
export function IdParam(name = 'id'): ParameterDecorator {
  const param = Param(name, new ParseUUIDPipe({ exceptionFactory: () => new ValidationFailedException([{ field: name, message: `${name} must be a UUID` }]) }));
  return (target, propertyKey, index) => {
    param(target, propertyKey, index);
    const descriptor = propertyKey === undefined ? undefined : Object.getOwnPropertyDescriptor(target, propertyKey);
    if (propertyKey !== undefined && descriptor) {
      ApiParam({ name, required: true, schema: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36 } })(target, propertyKey, descriptor);
    }
  };
}
