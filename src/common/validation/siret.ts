import { registerDecorator, ValidationOptions } from 'class-validator';
import { documentSchema } from '../openapi/schema-metadata';

/**
 * A SIRET is 14 digits passing the Luhn check, except for La Poste's
 * establishments (SIREN 356000000), whose digits must sum to a multiple of 5.
 */
export function isValidSiret(value: string): boolean {
  if (!/^\d{14}$/.test(value)) return false;
  if (value.startsWith('356000000')) {
    return [...value].reduce((sum, d) => sum + Number(d), 0) % 5 === 0;
  }
  let sum = 0;
  for (let i = 0; i < 14; i += 1) {
    let digit = Number(value[13 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function IsSiret(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    documentSchema({ pattern: '^\\d{14}$', maxLength: 14 })(target, propertyName);
    registerDecorator({
      name: 'isSiret',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a valid SIRET (14 digits, Luhn check)', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isValidSiret(value) },
    });
  };
}
