import fc from 'fast-check';
import { dense, sparse, sparseJson } from './sparse';

/** As stored: JSON text (no -0, no undefined fields). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('sparse and dense', () => {
  it('give back any value that has every field of the template', () => {
    // Records at the top, as a tally and a summary are (what is stored for no difference is `{}`).
    const record = fc.dictionary(fc.string(), fc.jsonValue());
    fc.assert(
      fc.property(record, record, (template, changes) => {
        // Every field of the template, some of them changed or added to.
        const value = asJson(dense(asJson(changes), asJson(template)));
        const stored = asJson(sparse(value, template) ?? {});
        expect(asJson(dense(stored, asJson(template)))).toEqual(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('leave out exactly what equals the template', () => {
    const template = { n: 0, s: '0', none: null, set: {}, nested: { a: 0, b: 0 } };
    expect(sparse({ n: 0, s: '0', none: null, set: {}, nested: { a: 0, b: 0 } }, template)).toBeUndefined();
    expect(sparse({ n: 1, s: '0', none: 'x', set: { k: true }, nested: { a: 0, b: 2 }, extra: 0 }, template)).toEqual({
      n: 1,
      none: 'x',
      set: { k: true },
      nested: { b: 2 },
      extra: 0,
    });
    expect(dense({}, template)).toEqual(template);
    // A field the template has not is kept whole, even when it equals something of the template.
    expect(dense(sparse({ ...template, set: { n: 0 } }, template), { ...template })).toEqual({ ...template, set: { n: 0 } });
  });

  it('keep a member named __proto__ as a field, not as the prototype', () => {
    const value = JSON.parse('{"set":{"__proto__":true,"k":true}}');
    const stored = JSON.parse(sparseJson(value, { set: {} }));
    const back = dense(stored, { set: {} }) as { set: Record<string, unknown> };
    expect(Object.keys(back.set)).toEqual(['__proto__', 'k']);
    expect(Object.getPrototypeOf(back.set)).toBe(Object.prototype);
  });
});
