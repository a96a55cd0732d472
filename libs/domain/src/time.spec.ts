import fc from 'fast-check';
import { isIsoTime, isoTime } from './time';

/** The definition isoTime keeps to: whatever Date makes of the text, or its error. */
const viaDate = (t: string) => {
  try {
    return new Date(t).toISOString();
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
};
const viaIsoTime = (t: string) => {
  try {
    return isoTime(t);
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
};

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

describe('isoTime', () => {
  it('gives back every time toISOString writes, unchanged', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        const t = d.toISOString();
        // Recognised as such, not only given back by Date.
        expect(isIsoTime(t)).toBe(true);
        expect(isoTime(t)).toBe(t);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with Date on text of that shape with any digits (months, days and hours that do not exist)', () => {
    const shaped = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(shaped, (t) => {
        expect(viaIsoTime(t)).toBe(viaDate(t));
        // Kept as written exactly when Date would give it back unchanged.
        expect(isIsoTime(t)).toBe(viaDate(t) === t);
      }),
      { numRuns: 20000 },
    );
  });

  it('agrees with Date on the edges and on other forms', () => {
    for (const t of [
      '2024-02-29T12:00:00.000Z',
      '2023-02-29T12:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-12-31T24:00:00.000Z',
      '2026-12-31T23:59:60.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2026-12-02T10:00:00Z',
      '2026-12-02T10:00:00.000+01:00',
      '2026-12-02',
      '2026-12-02T10:00:00.000z',
      'not a time at all, 24 ch',
      '',
    ])
      expect([t, viaIsoTime(t)]).toEqual([t, viaDate(t)]);
  });
});
