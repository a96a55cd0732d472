import { compareAmounts, difference, fromUnits, isDecimal, lineTotal, ratio, sum, toUnits } from './money';

describe('money', () => {
  it('parses and formats decimals exactly', () => {
    expect(toUnits('41.70')).toBe(417000n);
    expect(fromUnits(417000n)).toBe('41.70');
    expect(fromUnits(42n)).toBe('0.0042');
    expect(fromUnits(toUnits('7'))).toBe('7.00');
  });
  it('multiplies large volumes without float error', () => {
    expect(lineTotal('1200', '41.70')).toBe('50040.00');
    expect(lineTotal('3', '0.1')).toBe('0.30');
    expect(lineTotal('999999999', '999999.9999')).toBe('999999998900000.0001');
  });
  it('multiplies fractional quantities and rounds the line half-up to 4 decimals', () => {
    expect(lineTotal('2.5', '41.70')).toBe('104.25');
    expect(lineTotal('0.75', '0.0001')).toBe('0.0001'); // 0.000075 -> up
    expect(lineTotal('2.5', '0.0001')).toBe('0.0003'); // 0.00025: a half goes up
    expect(lineTotal('2.4999', '0.0001')).toBe('0.0002'); // 0.00024999 -> down
    expect(lineTotal('2.5', '-0.0001')).toBe('-0.0003'); // away from zero, as the positive
  });
  it('sums, compares and divides', () => {
    expect(sum(['0.10', '0.20'])).toBe('0.30');
    expect(compareAmounts('10.00', '9.9999')).toBe(1);
    expect(ratio('50', '100')).toBe(0.5);
  });
  it('sums totals beyond what the ledger records (the event schema refuses them later, not the arithmetic)', () => {
    expect(sum([lineTotal('1000000', '999999999.00'), '1.00'])).toBe('999999999000001.00');
    expect(toUnits('1'.repeat(31))).toBe(BigInt('1'.repeat(31)) * 10_000n);
    expect(() => toUnits('1'.repeat(41))).toThrow(/not a decimal amount/);
  });
  it('refuses what is not a decimal amount', () => {
    expect(() => toUnits('1e3')).toThrow();
    expect(() => toUnits('--1')).toThrow();
    expect(() => toUnits('1.23456')).toThrow();
  });
  it('keeps the sign of a negative amount (a margin below cost) through its fraction', () => {
    expect(toUnits('-5.50')).toBe(-55000n);
    expect(difference('9.00', '12.50')).toBe('-3.50');
    expect(sum(['-3.50', '1.25'])).toBe('-2.25');
  });
  it('records up to 18 digits before the point: a deal of 10^15 fits, 10^18 does not', () => {
    expect(isDecimal('1000000000000000.00')).toBe(true);
    expect(isDecimal('999999999999999999.9999')).toBe(true);
    expect(isDecimal('1000000000000000000.00')).toBe(false);
    expect(isDecimal(lineTotal('1000000', '2000000000.00'))).toBe(true);
  });
});

describe('roundToMinor', () => {
  it('rounds half-up to the currency minor unit', () => {
    const { roundToMinor } = jest.requireActual('./money') as typeof import('./money');
    expect(roundToMinor('1.9019', 'EUR')).toBe('1.90');
    expect(roundToMinor('0.005', 'EUR')).toBe('0.01');
    expect(roundToMinor('1303.526', 'EUR')).toBe('1303.53');
    expect(roundToMinor('1234.5', 'JPY')).toBe('1235');
    expect(roundToMinor('1.2345', 'KWD')).toBe('1.235');
    expect(roundToMinor('-0.005', 'EUR')).toBe('-0.01');
    expect(roundToMinor('10', 'EUR')).toBe('10.00');
  });
});
