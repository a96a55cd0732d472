import { percentOf } from './money';
import { parsePaymentTerms } from './payment-terms';
import { UNIT_NAMES, unitCode, UNITS } from './units';

describe('payment terms', () => {
  it.each([
    ['30 days net', { daysNet: 30, earlyPayment: null }],
    ['Net 45', { daysNet: 45, earlyPayment: null }],
    ['net 60 days', { daysNet: 60, earlyPayment: null }],
    ['60 days', { daysNet: 60, earlyPayment: null }],
    ['payable within 14 days', { daysNet: 14, earlyPayment: null }],
    ['2/10 net 30', { daysNet: 30, earlyPayment: { days: 10, discountPercent: '2' } }],
    ['2% 10 days, net 30', { daysNet: 30, earlyPayment: { days: 10, discountPercent: '2' } }],
    ['1.5% discount within 14 days, 60 days net', { daysNet: 60, earlyPayment: { days: 14, discountPercent: '1.5' } }],
  ])('reads %j', (text, expected) => {
    expect(parsePaymentTerms(text)).toEqual(expected);
  });
  it('prefers the explicit net term to another number of days', () => {
    expect(parsePaymentTerms('Invoice within 14 days, payment 60 days net')).toEqual({ daysNet: 60, earlyPayment: null });
  });
  it.each([
    'As stated in the tender',
    'x',
    'net 400',
    '3/40 net 30',
    '100% 10 days, net 30',
    'net 1000',
    'payable within 1000 days',
    'Net 30 EOM',
    'net 30 days end of month',
    '30 days after delivery',
    'invoice within 14 days, pay within 60 days',
  ])('does not guess at %j', (text) => {
    expect(parsePaymentTerms(text)).toBeNull();
  });
});

describe('percentOf', () => {
  it('rounds half-up to 4 decimals', () => {
    expect(percentOf('54520.00', '19')).toBe('10358.80');
    expect(percentOf('0.0001', '50')).toBe('0.0001');
    expect(percentOf('0.0001', '49')).toBe('0.00');
    expect(percentOf('65176.30', '2')).toBe('1303.526');
    expect(percentOf('100', '7.7')).toBe('7.70');
  });
});

describe('units of measure', () => {
  it('maps codes, names and aliases to UN/ECE Recommendation 20 codes, case-insensitively', () => {
    expect(unitCode('t')).toBe('TNE');
    expect(unitCode('TNE')).toBe('TNE');
    expect(unitCode('Piece')).toBe('H87');
    expect(unitCode('kWh')).toBe('KWH');
    expect(unitCode('furlong')).toBeNull();
  });
  it('has no name that means two units', () => {
    const names = UNITS.flatMap((u) => [...new Set([u.code, u.name, ...u.aliases].map((n) => n.toLowerCase()))]);
    expect(new Set(names).size).toBe(names.length);
    expect(UNIT_NAMES.length).toBe(names.length);
  });
});
