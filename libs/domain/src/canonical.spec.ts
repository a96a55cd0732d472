import fc from 'fast-check';
import { canonicalJson, hashOf } from './canonical';

/** The first version, word for word: every stored hash was computed through it. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => reference(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, leaves out undefined members and writes undefined in arrays as null', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, undefined, 'x'], c: null }, e: undefined })).toBe('{"a":{"c":null,"d":[3,null,"x"]},"b":1}');
    expect(canonicalJson({ z: '\u2028"é', Z: -0, 10: true, 9: 1.5e300 })).toBe('{"10":true,"9":1.5e+300,"Z":0,"z":"\u2028\\"é"}');
  });

  it('writes what has no JSON (functions, symbols) as the first version did', () => {
    const odd = { f: () => 1, s: Symbol('s'), list: [() => 1, Symbol('t'), 1], n: null };
    expect(canonicalJson(odd)).toBe(reference(odd));
    expect(canonicalJson(odd.list)).toBe('[,,1]');
  });

  it('gives the very text of the first version for any value', () => {
    fc.assert(
      fc.property(
        fc.anything({ withSparseArray: true, withNullPrototype: true, withObjectString: true, withDate: true, withMap: true, withSet: true }),
        (value) => {
          expect(canonicalJson(value)).toBe(reference(value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives the same text, and hash, for equal values whatever their key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
        expect(hashOf(reversed)).toBe(hashOf(record));
      }),
    );
  });
});
