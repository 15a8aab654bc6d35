import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';

/**
 * The decimal places of a number, also when JavaScript writes it in exponent
 * notation (`1e-7`, `2e-323`): class-validator's `IsNumber({ maxDecimalPlaces })`
 * reads them from `toString()` and throws on such numbers (a 500).
 */
export function decimalPlaces(value: number): number {
  const [mantissa, exponent] = value.toExponential().split('e');
  return Math.max(0, (mantissa.split('.')[1] ?? '').length - Number(exponent));
}

/** A finite number with at most `max` decimal places (replaces `IsNumber({ maxDecimalPlaces })`). */
export function IsDecimal(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNumber',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'number' && Number.isFinite(value) && decimalPlaces(value) <= max,
        defaultMessage: buildMessage((each) => `${each}$property must be a number with at most ${max} decimal places`, options),
      },
    },
    options,
  );
}
