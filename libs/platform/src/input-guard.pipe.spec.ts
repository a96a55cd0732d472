import { DomainError } from '@dealledger/domain';
import { InputGuardPipe, MAX_DEPTH } from './input-guard.pipe';

const pipe = new InputGuardPipe();
const body = (value: unknown) => pipe.transform(value, { type: 'body' });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof DomainError ? `${err.kind}:${err.code}` : String(err);
  }
};
const nested = (levels: number) => JSON.parse('{"a":'.repeat(levels) + '1' + '}'.repeat(levels));

describe('InputGuardPipe', () => {
  it('refuses text PostgreSQL cannot store or that is not Unicode: NUL, unpaired surrogates, in values and keys', () => {
    expect(codeOf(() => body({ name: 'Acme\u0000 GmbH' }))).toBe('invalid:request.invalid_text');
    expect(codeOf(() => body({ notes: ['ok', 'half \ud83d'] }))).toBe('invalid:request.invalid_text');
    expect(codeOf(() => body({ x: '\ude00 low alone' }))).toBe('invalid:request.invalid_text');
    expect(codeOf(() => body({ ['key\u0000']: 1 }))).toBe('invalid:request.invalid_text');
    expect(codeOf(() => pipe.transform('a\u0000', { type: 'query' }))).toBe('invalid:request.invalid_text');
  });

  it('lets every other text through, paired surrogates (emoji) included', () => {
    expect(body({ name: 'Pneus Lyonnais 🚗 — Ünïcødé', tiers: [{ minQuantity: 1 }] })).toEqual({
      name: 'Pneus Lyonnais 🚗 — Ünïcødé',
      tiers: [{ minQuantity: 1 }],
    });
  });

  it(`refuses JSON nested deeper than ${MAX_DEPTH} levels and accepts up to it`, () => {
    expect(codeOf(() => body(nested(MAX_DEPTH)))).toBeNull();
    expect(codeOf(() => body(nested(MAX_DEPTH + 1)))).toBe('invalid:request.too_deep');
    expect(codeOf(() => body(nested(2500)))).toBe('invalid:request.too_deep');
  });

  it('refuses keys that reach prototypes, as JSON.parse makes them', () => {
    expect(codeOf(() => body(JSON.parse('{"items":[{"__proto__":{"admin":true}}]}')))).toBe('invalid:request.forbidden_key');
    expect(codeOf(() => body(JSON.parse('{"constructor":{"prototype":{}}}')))).toBe('invalid:request.forbidden_key');
  });

  it('writes every UUID in lower case, in values at any depth and in arrays, and leaves other text as it is', () => {
    const upper = 'B0B0B0B0-0000-4000-8000-0000000000AB';
    expect(body({ buyerId: upper, source: { deliveryId: upper }, supplierIds: [upper, 'x'], note: `see ${upper}` })).toEqual({
      buyerId: upper.toLowerCase(),
      source: { deliveryId: upper.toLowerCase() },
      supplierIds: [upper.toLowerCase(), 'x'],
      note: `see ${upper}`,
    });
    expect(pipe.transform(upper, { type: 'param' })).toBe(upper.toLowerCase());
    expect(pipe.transform({ contract: upper }, { type: 'query' })).toEqual({ contract: upper.toLowerCase() });
  });
});
