import { registerDecorator, ValidationOptions } from 'class-validator';
import { documentSchema } from '../openapi/schema-metadata';
import { today } from '../time/local-day';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date (YYYY-MM-DD). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** A calendar date (YYYY-MM-DD); with `past`, strictly before today; with `notFuture`, today at the latest (today in TIME_ZONE). */
export function IsCalendarDate(rule: { past?: boolean; notFuture?: boolean } = {}, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    documentSchema({ format: 'date', maxLength: 10 })(target, propertyName);
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: rule.past
          ? '$property must be a date (YYYY-MM-DD) in the past'
          : rule.notFuture
            ? '$property must be a date (YYYY-MM-DD), not in the future'
            : '$property must be a date (YYYY-MM-DD)',
        ...options,
      },
      validator: {
        validate: (value: unknown) => {
          if (!isIsoDate(value)) return false;
          const now = today();
          if (rule.past && value >= now) return false;
          if (rule.notFuture && value > now) return false;
          return value >= '1900-01-01';
        },
      },
    });
  };
}
