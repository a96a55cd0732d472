import { isUuid, uuidV5 } from './ids';

describe('uuidV5', () => {
  it('matches the RFC 4122 name-based algorithm (DNS namespace test vector)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
  it('is deterministic per name and differs across names', () => {
    expect(uuidV5('offer:1')).toBe(uuidV5('offer:1'));
    expect(uuidV5('offer:1')).not.toBe(uuidV5('offer:2'));
    expect(isUuid(uuidV5('offer:1'))).toBe(true);
  });
});
