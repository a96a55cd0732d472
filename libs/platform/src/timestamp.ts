import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * The forms of ISO 8601 that JavaScript and PostgreSQL both read alike: a calendar date, or a
 * date and time with an optional offset of at most ±15:59 (ISO 8601 also allows weeks, ordinal
 * days, signed and zero years, which `Date` cannot parse or PostgreSQL refuses).
 */
const TIMESTAMP = /^(?!0000)(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-](0\d|1[0-5])(:?[0-5]\d)?)?)?$/;

export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = TIMESTAMP.exec(value);
  if (!m || Number.isNaN(Date.parse(value))) return false;
  // Date.parse rolls 2027-02-30 over into March: the calendar date must be the one written.
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).toISOString().startsWith(`${m[1]}-${m[2]}-${m[3]}`);
}

/** A date or time every part of the ledger reads the same (see `isTimestamp`). */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: (value) => isTimestamp(value),
        defaultMessage: (args) => `${args?.property} must be a date or time such as 2027-05-01 or 2027-05-01T12:00:00Z (offset up to ±15:59)`,
      },
    },
    options,
  );
}
