/**
 * Decimal amounts as strings ("41.70", "0.0042") so that no consumer sees a binary float.
 * Arithmetic runs on integers of 1/10,000 of the currency unit (bigint), exact for any volume.
 */
const SCALE = 10_000n;
/**
 * What the ledger records: up to 18 digits before the point and 4 after (events and requests).
 * Room for a deal of 10^15 in any currency (totals of 10^12 are ordinary in VND, IDR, KRW) while
 * a bigint of 1/10,000 units stays exact; larger amounts are refused at the edge, never stored.
 */
export const DECIMAL_PATTERN = /^\d{1,18}(\.\d{1,4})?$/;
/** The same, signed (a resale's margin may be negative). */
export const SIGNED_DECIMAL_PATTERN = /^-?\d{1,18}(\.\d{1,4})?$/;
const DECIMAL = DECIMAL_PATTERN;
/** What arithmetic takes: results (a line total, a sum of many) may be larger than any recorded amount; the event's schema then refuses them. */
const OPERAND = /^-?\d{1,40}(\.\d{1,4})?$/;

export function isDecimal(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value);
}

export function toUnits(amount: string): bigint {
  // Requests are validated before they get here: a malformed amount is a fault of ours (a 500).
  if (typeof amount !== 'string' || !OPERAND.test(amount)) throw new Error(`not a decimal amount: ${amount}`);
  const negative = amount.startsWith('-');
  const [whole, frac = ''] = (negative ? amount.slice(1) : amount).split('.');
  const units = BigInt(whole) * SCALE + BigInt(frac.padEnd(4, '0'));
  return negative ? -units : units;
}

/** Formats with at least two decimals: 417000 -> "41.70", 42 -> "0.0042". */
export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / SCALE;
  let frac = (abs % SCALE)
    .toString()
    .padStart(4, '0')
    .replace(/0{1,2}$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/**
 * Quantity (a decimal string, see quantity.ts) x unit price. The exact product has up to 8
 * decimals; it is rounded to the 4 the ledger records half-up, as commercial rounding does:
 * a half (0.00005) goes up, away from zero, so 2.5 x 0.0001 = 0.00025 -> "0.0003" and a
 * negative price mirrors a positive one. Every total is a sum of line totals so rounded.
 */
export function lineTotal(quantity: string, unitPrice: string): string {
  const product = toUnits(quantity) * toUnits(unitPrice);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs + SCALE / 2n) / SCALE;
  return fromUnits(negative ? -rounded : rounded);
}

export function sum(amounts: string[]): string {
  return fromUnits(amounts.reduce((acc, a) => acc + toUnits(a), 0n));
}

export function compareAmounts(a: string, b: string): number {
  const d = toUnits(a) - toUnits(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** a / b as a JavaScript number (for scores, never for money). */
export function ratio(a: string, b: string): number {
  const bu = toUnits(b);
  if (bu === 0n) return 0;
  return Number((toUnits(a) * 1_000_000n) / bu) / 1_000_000;
}

export function difference(a: string, b: string): string {
  return fromUnits(toUnits(a) - toUnits(b));
}

/** `percent` % of an amount, rounded half-up to 4 decimals like a line total (VAT, an early-payment discount). */
export function percentOf(amount: string, percent: string): string {
  // Units are 1/10,000: the product is in 1/10^8, and a percent divides by 100 more.
  const product = toUnits(amount) * toUnits(percent);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs + 500_000n) / 1_000_000n;
  return fromUnits(negative ? -rounded : rounded);
}

/** ISO 4217 minor units of the currencies that do not have two (JPY none, KWD three, ...). */
const MINOR_UNITS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** The decimals an amount in `currency` is payable in. */
export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

/**
 * An amount rounded half-up to what can be paid in `currency` (cents, whole yen): invoice lines,
 * VAT and discounts are money that changes hands, unlike a unit price or a line of a quote.
 */
export function roundToMinor(amount: string, currency: string): string {
  const digits = minorUnits(currency);
  const step = 10n ** BigInt(4 - digits);
  const units = toUnits(amount);
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const rounded = ((abs + step / 2n) / step) * step;
  const s = fromUnits(negative ? -rounded : rounded);
  const [whole, frac = ''] = s.split('.');
  return digits === 0 ? whole : `${whole}.${frac.padEnd(digits, '0').slice(0, digits)}`;
}
