import { DECIMAL_PATTERN, QUANTITY_PATTERN, quantityFrom } from '@dealledger/domain';
import { Transform } from 'class-transformer';
import { Matches, ValidateBy, ValidationOptions } from 'class-validator';

/**
 * Quantities in version-2 events (offers, contracts, resale): exact decimal strings, as
 * amounts are. Version 1 recorded them as JSON integers; `decimalQuantity` is how the
 * upcasters turn those into version 2.
 */
const QUANTITY_MESSAGE = (field: string) => `${field} must be a quantity above zero: a decimal string with at most 4 decimals, such as "2.5"`;

/** A quantity above zero (an item, a tier's minimum, a call-off line). */
export const IsQuantity = (options?: ValidationOptions): PropertyDecorator =>
  Matches(QUANTITY_PATTERN, { message: (a) => QUANTITY_MESSAGE(a.property), ...options });

/** A quantity that may be zero (a committed volume, what is left of a lot). */
export const IsQuantityOrZero = (options?: ValidationOptions): PropertyDecorator =>
  Matches(DECIMAL_PATTERN, { message: (a) => `${a.property} must be a quantity: a decimal string with at most 4 decimals, such as "2.5" or "0"`, ...options });

/**
 * A version-1 quantity (a JSON integer) as version 2 has it: 5 -> "5". Anything else is left
 * as it is, so that an upcaster applied to data that is already decimal changes nothing.
 */
export function decimalQuantity(value: unknown): unknown {
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
}

type Data = Record<string, unknown>;

/** The named fields of `data` as decimal quantities (those it has; absent ones stay absent). */
export function withDecimalQuantities(data: Data, ...fields: string[]): Data {
  const out = { ...data };
  for (const f of fields) if (f in out) out[f] = decimalQuantity(out[f]);
  return out;
}

/** Maps the objects of an array; anything else passes unchanged (an upcaster never throws: validation refuses odd data). */
export function eachObject(value: unknown, f: (item: Data) => Data): unknown {
  return Array.isArray(value) ? value.map((x) => (x !== null && typeof x === 'object' ? f(x as Data) : x)) : value;
}

/** An item with its price tiers' minimums as decimal quantities. */
export const withDecimalTierMinimums = (item: Data): Data => ({ ...item, tiers: eachObject(item.tiers, (t) => withDecimalQuantities(t, 'minQuantity')) });

/**
 * A quantity in a request body or query: a decimal string, or a positive integer JSON number
 * from clients written before quantities were decimal, handed on as its canonical string
 * ("3.0" and 3 both become "3"). Anything else (a fraction as a JSON number, 1e21, zero,
 * a negative, more than 4 decimals, text) fails validation: a 400 problem+json.
 */
export function QuantityInput(options?: ValidationOptions): PropertyDecorator {
  const normalise = Transform(({ value }) => quantityFrom(value) ?? value);
  const validate = ValidateBy(
    {
      name: 'isQuantityInput',
      validator: {
        validate: (value) => typeof value === 'string' && QUANTITY_PATTERN.test(value),
        defaultMessage: (a) =>
          `${a?.property} must be a quantity above zero: a decimal string with at most 4 decimals (such as "2.5") or a whole number (such as 12)`,
      },
    },
    options,
  );
  return (target, key) => {
    normalise(target, key);
    validate(target, key);
  };
}

/** As QuantityInput, but zero is a quantity too (goods received and none accepted). */
export function QuantityOrZeroInput(options?: ValidationOptions): PropertyDecorator {
  const normalise = Transform(({ value }) => (value === 0 || value === '0' ? '0' : (quantityFrom(value) ?? value)));
  const validate = ValidateBy(
    {
      name: 'isQuantityOrZeroInput',
      validator: {
        validate: (value) => typeof value === 'string' && DECIMAL_PATTERN.test(value),
        defaultMessage: (a) => `${a?.property} must be a quantity: a decimal string with at most 4 decimals (such as "2.5" or "0") or a whole number`,
      },
    },
    options,
  );
  return (target, key) => {
    normalise(target, key);
    validate(target, key);
  };
}
