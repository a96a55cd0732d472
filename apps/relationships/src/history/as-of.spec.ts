import { BadRequestException } from '@nestjs/common';
import { parseAsOf } from './relationship.http.controller';

describe('parseAsOf', () => {
  it('takes ISO 8601 times and dates that exist', () => {
    expect(parseAsOf('2027-03-01T00:00:00Z')).toBe('2027-03-01T00:00:00.000Z');
    expect(parseAsOf('2028-02-29')).toBe('2028-02-29T00:00:00.000Z');
    expect(parseAsOf(undefined)).toBeUndefined();
  });

  it('refuses dates that do not exist rather than rolling them over, and what is not a time', () => {
    for (const bad of ['2026-02-30', '2027-02-29T10:00:00Z', '2026-13-01', 'yesterday', '']) expect(() => parseAsOf(bad)).toThrow(BadRequestException);
  });
});
