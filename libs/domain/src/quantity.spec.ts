import { lineTotal } from './money';
import {
  addQuantities,
  compareQuantities,
  fromQuantityUnits,
  isQuantity,
  isQuantityOrZero,
  lowestTier,
  maxQuantity,
  normaliseQuantity,
  quantityFrom,
  quantityUnits,
  subtractQuantities,
  sumQuantities,
  tierAtQuantity,
} from './quantity';

describe('quantity', () => {
  it('has one canonical form: no leading zeros, no trailing zeros, no bare point', () => {
    expect(normaliseQuantity('3.0')).toBe('3');
    expect(normaliseQuantity('03')).toBe('3');
    expect(normaliseQuantity('2.50')).toBe('2.5');
    expect(normaliseQuantity('0.7500')).toBe('0.75');
    expect(normaliseQuantity('1200')).toBe('1200');
    expect(fromQuantityUnits(quantityUnits('0.0001'))).toBe('0.0001');
    expect(fromQuantityUnits(0n)).toBe('0');
    expect(fromQuantityUnits(-25000n)).toBe('-2.5');
  });

  it('compares exactly, whatever the form', () => {
    expect(compareQuantities('3', '3.0000')).toBe(0);
    expect(compareQuantities('2.5', '2')).toBe(1);
    expect(compareQuantities('0.9999', '1')).toBe(-1);
    expect(compareQuantities('999999999999999999.9999', '999999999999999999.9998')).toBe(1);
    expect(maxQuantity('1.25', '1.3')).toBe('1.3');
  });

  it('adds and subtracts without float error', () => {
    expect(addQuantities('0.1', '0.2')).toBe('0.3');
    expect(addQuantities('0.75', '1.25')).toBe('2');
    expect(sumQuantities(['600', '400.5', '0.0001'])).toBe('1000.5001');
    expect(sumQuantities([])).toBe('0');
    expect(subtractQuantities('10', '2.5')).toBe('7.5');
    expect(subtractQuantities('2.5', '2.5')).toBe('0');
    expect(subtractQuantities('1', '1.5')).toBe('-0.5');
  });

  it('knows a recordable quantity: up to 18 digits and 4 decimals, above zero', () => {
    for (const q of ['1', '2.5', '0.0001', '999999999999999999.9999', '3.0']) expect(isQuantity(q)).toBe(true);
    for (const q of ['0', '0.0000', '-1', '1.23456', '1e3', 'abc', '', ' 1', '1.', '.5', '1000000000000000000', 3, null]) expect(isQuantity(q)).toBe(false);
    expect(isQuantityOrZero('0')).toBe(true);
    expect(isQuantityOrZero('-0.5')).toBe(false);
  });

  it('takes what clients and old events send: decimal strings and positive integer numbers, nothing else', () => {
    expect(quantityFrom('2.50')).toBe('2.5');
    expect(quantityFrom(5)).toBe('5');
    expect(quantityFrom(1_000_000_000)).toBe('1000000000');
    for (const v of [0, -3, 2.5, 1e21, Number.NaN, Infinity, '0', '-3', '1.23456', '1e21', 'abc', null, undefined, true, {}])
      expect(quantityFrom(v)).toBeNull();
  });

  it('selects the highest tier whose minimum is not above the quantity, in any order', () => {
    const tiers = [
      { minQuantity: '10', unitPrice: '9.00' },
      { minQuantity: '1', unitPrice: '10.00' },
      { minQuantity: '2', unitPrice: '9.50' },
    ];
    expect(tierAtQuantity(tiers, '2.5')?.unitPrice).toBe('9.50');
    expect(tierAtQuantity(tiers, '2')?.unitPrice).toBe('9.50');
    expect(tierAtQuantity(tiers, '1.9999')?.unitPrice).toBe('10.00');
    expect(tierAtQuantity(tiers, '10.0')?.unitPrice).toBe('9.00');
    expect(tierAtQuantity(tiers, '0.5')).toBeUndefined();
    expect(lowestTier(tiers).minQuantity).toBe('1');
  });

  it('prices a fractional quantity exactly, rounding the line half-up', () => {
    expect(lineTotal('2.5', '47.50')).toBe('118.75');
    expect(lineTotal('0.3333', '0.5')).toBe('0.1667'); // 0.16665: a half goes up
    expect(lineTotal('0.3333', '0.4')).toBe('0.1333'); // 0.13332 goes down
  });
});
