import { canonicalEvent, canonicalJson, chainHash } from './hash-chain';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}');
  });
  it('gives equal text for equal values built in different key order', () => {
    expect(canonicalJson({ x: 1, y: 'é' })).toBe(canonicalJson({ y: 'é', x: 1 }));
  });
  it('drops undefined properties as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});

describe('chainHash', () => {
  const event = {
    id: '0b9f0e0e-1f8e-4a43-9c1a-111111111111',
    type: 'Signed',
    schemaVersion: 1,
    streamId: 'contract-0b9f0e0e-1f8e-4a43-9c1a-222222222222',
    streamVersion: 1,
    occurredAt: '2026-01-01T00:00:00.000Z',
    parties: ['a'],
    actor: null,
    correlationId: 'c',
    causationId: null,
    data: { by: 'a' },
  };
  it('depends on the previous hash and on every covered field', () => {
    const h1 = chainHash(null, canonicalEvent(event));
    expect(h1).toHaveLength(32);
    expect(chainHash(h1, canonicalEvent(event))).not.toEqual(h1);
    expect(chainHash(null, canonicalEvent({ ...event, data: { by: 'b' } }))).not.toEqual(h1);
    expect(chainHash(null, canonicalEvent({ ...event, streamVersion: 2 }))).not.toEqual(h1);
    expect(chainHash(null, canonicalEvent({ ...event }))).toEqual(h1);
  });
});
