import { ApiProperty } from '@nestjs/swagger';

/**
 * Adds schema keywords (format, maxLength…) to a property's OpenAPI metadata,
 * merged with what the Swagger plugin or an explicit @ApiProperty says: for
 * validation decorators of our own, so that the limit they enforce is also
 * documented.
 */
export function documentSchema(schema: { format?: string; maxLength?: number; pattern?: string }): PropertyDecorator {
  return ApiProperty(schema);
}
