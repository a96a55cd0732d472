import { contentMatches } from './documents';

const bytes = (...xs: (number | string)[]) => Uint8Array.from(xs.flatMap((x) => (typeof x === 'string' ? [...Buffer.from(x)] : [x])));

describe('document content checks', () => {
  it('recognises each accepted type by its first bytes', () => {
    expect(contentMatches('application/pdf', bytes('%PDF-1.7\n'))).toBe(true);
    expect(contentMatches('image/png', bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe(true);
    expect(contentMatches('image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0))).toBe(true);
    expect(contentMatches('text/plain', bytes('Prüfbericht 3.1 — ok'))).toBe(true);
    expect(contentMatches('text/csv', bytes('sku,qty\nS355,80\n'))).toBe(true);
    expect(contentMatches('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes('PK', 3, 4, 20))).toBe(true);
  });
  it('refuses content that is not what its type says, and types it does not take', () => {
    expect(contentMatches('application/pdf', bytes('<html><script>'))).toBe(false);
    expect(contentMatches('image/png', bytes('%PDF-1.7'))).toBe(false);
    expect(contentMatches('text/plain', bytes('MZ', 0x90, 0))).toBe(false);
    expect(contentMatches('text/plain', bytes(0xc3, 0x28))).toBe(false);
    expect(contentMatches('text/html', bytes('<p>'))).toBeNull();
    expect(contentMatches('application/pdf', bytes())).toBe(false);
  });
});
