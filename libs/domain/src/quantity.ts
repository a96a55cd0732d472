import { DECIMAL_PATTERN, toUnits } from './money';

/**
 * Quantities as exact decimal strings, like amounts: tonnes of steel ("2.5"), metres of cable
 * ("0.75"), pieces ("1200"). Up to 18 digits before the point and 4 after; arithmetic runs on
 * bigints of 1/10,000 of a unit, so call-offs add up exactly whatever their number.
 *
 * One canonical form, so that "3.0", "03" and "3" are one quantity in events, totals and
 * comparisons: no leading zeros, no trailing zeros after the point, no point without decimals.
 */
const SCALE = 10_000n;

/**
 * A quantity the ledger records (events and requests): a decimal amount (DECIMAL_PATTERN) with
 * a digit other than zero, i.e. above zero. A pattern rather than a check in code, so that the
 * event schemas state it to every consumer.
 */
export const QUANTITY_PATTERN = /^(?=[\d.]*[1-9])\d{1,18}(\.\d{1,4})?$/;

/** A quantity the ledger can record: a decimal string of the pattern, above zero. */
export function isQuantity(value: unknown): value is string {
  return typeof value === 'string' && QUANTITY_PATTERN.test(value);
}

/** The same, zero allowed (a committed volume, what is left of a lot). */
export function isQuantityOrZero(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_PATTERN.test(value);
}

export function quantityUnits(quantity: string): bigint {
  return toUnits(quantity);
}

/** Canonical form of 1/10,000 units: 25000n -> "2.5", 30000n -> "3", 7500n -> "0.75". */
export function fromQuantityUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const frac = (abs % SCALE).toString().padStart(4, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / SCALE}${frac ? `.${frac}` : ''}`;
}

/** "3.0" -> "3", "02.50" -> "2.5". */
export function normaliseQuantity(quantity: string): string {
  return fromQuantityUnits(toUnits(quantity));
}

/**
 * A quantity as a client or an old event gives it: a decimal string, or a positive integer
 * JSON number (before quantities were decimal); canonical, or null for anything else (a
 * fraction as a binary float, 1e21, a negative or zero, more than 4 decimals, text).
 */
export function quantityFrom(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : null;
  return isQuantity(value) ? normaliseQuantity(value) : null;
}

export function compareQuantities(a: string, b: string): -1 | 0 | 1 {
  const d = toUnits(a) - toUnits(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function sumQuantities(quantities: readonly string[]): string {
  return fromQuantityUnits(quantities.reduce((acc, q) => acc + toUnits(q), 0n));
}

export function addQuantities(a: string, b: string): string {
  return fromQuantityUnits(toUnits(a) + toUnits(b));
}

/** a - b; negative when b is larger (callers compare first where that is an error). */
export function subtractQuantities(a: string, b: string): string {
  return fromQuantityUnits(toUnits(a) - toUnits(b));
}

export function maxQuantity(a: string, b: string): string {
  return compareQuantities(a, b) >= 0 ? a : b;
}

/**
 * The price tier that applies at `quantity`: the one with the highest minimum not above it;
 * undefined below every minimum (callers decide: refuse, or take the first tier).
 */
export function tierAtQuantity<T extends { minQuantity: string }>(tiers: readonly T[], quantity: string): T | undefined {
  const q = toUnits(quantity);
  let best: T | undefined;
  for (const t of tiers) {
    const min = toUnits(t.minQuantity);
    if (min <= q && (best === undefined || min > toUnits(best.minQuantity))) best = t;
  }
  return best;
}

/** The tier with the lowest minimum. */
export function lowestTier<T extends { minQuantity: string }>(tiers: readonly T[]): T {
  return tiers.reduce((a, b) => (toUnits(b.minQuantity) < toUnits(a.minQuantity) ? b : a));
}
