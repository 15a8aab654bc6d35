import { registerDecorator, ValidationOptions } from 'class-validator';
import { documentSchema } from '../openapi/schema-metadata';

/**
 * French social security number (NIR): 13 characters and a 2-digit key,
 * key = 97 − (number mod 97), where Corsica's département codes 2A and 2B
 * count as 19 and 18.
 */
const NIR_PATTERN = /^[1-478]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}$/;

export function normalizeNir(raw: string): string {
  return raw.replace(/[\s.-]/g, '').toUpperCase();
}

export function isValidNir(raw: string): boolean {
  const nir = normalizeNir(raw);
  if (!NIR_PATTERN.test(nir)) return false;
  const body = nir.slice(0, 13).replace('2A', '19').replace('2B', '18');
  const key = Number(nir.slice(13));
  return key === 97 - Number(BigInt(body) % 97n);
}

/** The key that makes a valid NIR of these 13 characters (for tests and generators). */
export function nirKey(first13: string): string {
  const body = first13.toUpperCase().replace('2A', '19').replace('2B', '18');
  return String(97 - Number(BigInt(body) % 97n)).padStart(2, '0');
}

/** Longest NIR accepted as written: 15 characters and separators (`1 85 05 78 006 084 36` has 21). */
export const NIR_MAX_LENGTH = 30;

export function IsNir(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    documentSchema({ maxLength: NIR_MAX_LENGTH })(target, propertyName);
    registerDecorator({
      name: 'isNir',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a valid NIR (15 characters with a correct key)', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && value.length <= NIR_MAX_LENGTH && isValidNir(value) },
    });
  };
}
