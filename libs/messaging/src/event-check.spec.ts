import { randomUUID } from 'node:crypto';
import { IsInt, IsString, Min } from 'class-validator';
import { EventCatalog, EventEnvelope } from '@dealledger/events';
import { sealed } from '@dealledger/testing';
import { checkMessage } from './event-check';

class PricedV1 {
  @IsString() sku: string;
  @IsInt() @Min(0) cents: number;
}
class PricedV2 {
  @IsString() sku: string;
  @IsString() amount: string;
}

const catalog = new EventCatalog()
  .register(
    { type: 'Priced', schemaVersion: 1, context: 'offers', schema: PricedV1, description: 'v1' },
    { type: 'Priced', schemaVersion: 2, context: 'offers', schema: PricedV2, description: 'v2' },
  )
  .registerUpcaster({ type: 'Priced', fromVersion: 1, upcast: ({ cents, ...rest }) => ({ ...rest, amount: (Number(cents) / 100).toFixed(2) }) });

const envelope = (over: Partial<EventEnvelope> = {}): EventEnvelope =>
  sealed({
    id: randomUUID(),
    type: 'Priced',
    schemaVersion: 2,
    context: 'offers',
    streamId: `offer-${randomUUID()}`,
    streamType: 'offer',
    streamVersion: 1,
    position: 1,
    occurredAt: '2026-01-05T09:00:00.000Z',
    recordedAt: '2026-01-05T09:00:01.000Z',
    parties: [randomUUID()],
    actor: null,
    correlationId: randomUUID(),
    causationId: null,
    data: { sku: 'TYRE', amount: '52.00' },
    ...over,
  });
const value = (v: unknown) => Buffer.from(JSON.stringify(v));
const reasonOf = (v: Buffer | null | undefined) => {
  const r = checkMessage(v, catalog);
  return 'reason' in r ? r.reason : undefined;
};

describe('checkMessage', () => {
  describe('given a message that is no envelope', () => {
    it('refuses an empty value', () => {
      expect(reasonOf(null)).toBe('unparseable: empty value');
      expect(reasonOf(undefined)).toBe('unparseable: empty value');
    });

    it('refuses text that is not JSON', () => {
      expect(reasonOf(Buffer.from('{"id":'))).toMatch(/^unparseable: /);
    });

    it('refuses JSON that is not an object', () => {
      expect(reasonOf(value([1, 2]))).toBe('envelope: not a JSON object');
      expect(reasonOf(value('text'))).toBe('envelope: not a JSON object');
    });

    it('names every missing or invalid envelope field', () => {
      const broken: Record<string, unknown> = { ...envelope(), id: 'not-a-uuid', occurredAt: 'yesterday', schemaVersion: '2' };
      delete broken.parties;
      expect(reasonOf(value(broken))).toBe('envelope: missing or invalid id (UUID), schemaVersion (integer), occurredAt (ISO time), parties (array)');
      expect(reasonOf(value(envelope({ data: null })))).toBe('envelope: missing or invalid data (object)');
    });
  });

  describe('given a valid envelope', () => {
    it('refuses a schema version the catalog does not know', () => {
      expect(reasonOf(value(envelope({ schemaVersion: 3 })))).toBe('unknown schema version: Priced v3');
      expect(reasonOf(value(envelope({ type: 'Unheard' })))).toBe('unknown schema version: Unheard v2');
    });

    it("refuses data that fails its version's schema, saying why", () => {
      expect(reasonOf(value(envelope({ data: { sku: 'TYRE', amount: 52 } })))).toBe('schema: Priced v2: amount must be a string');
      expect(reasonOf(value(envelope({ schemaVersion: 1, data: { sku: 'TYRE', cents: -1 } })))).toBe('schema: Priced v1: cents must not be less than 0');
    });

    it('returns the newest version as it is', () => {
      const e = envelope();
      expect(checkMessage(value(e), catalog)).toEqual({ envelope: e });
    });

    it('upcasts an older version to the newest', () => {
      const e = envelope({ schemaVersion: 1, data: { sku: 'TYRE', cents: 5200 } });
      expect(checkMessage(value(e), catalog)).toEqual({ envelope: { ...e, schemaVersion: 2, data: { sku: 'TYRE', amount: '52.00' } } });
    });

    it("refuses an event of a type another context records, or on another context's topic", () => {
      // Only the owner's app may write its topic (broker ACLs); what claims otherwise is forged.
      expect(reasonOf(value(envelope({ context: 'resale' })))).toBe('owner: Priced is recorded by offers, not resale');
      const e = envelope();
      expect(checkMessage(value(e), catalog, 'dealledger.offers.events')).toEqual({ envelope: e });
      expect(checkMessage(value(e), catalog, 'dealledger.resale.events')).toEqual({
        reason: "owner: Priced belongs on offers's topic, not dealledger.resale.events",
      });
    });

    it('refuses an event whose hash is not its own chain link: altered data, altered parties, a made-up hash', () => {
      const e = envelope();
      const forged = 'chain: the hash is not that of this event and its previous hash (altered or forged)';
      expect(reasonOf(value({ ...e, data: { sku: 'TYRE', amount: '0.01' } }))).toBe(forged);
      expect(reasonOf(value({ ...e, parties: [randomUUID()] }))).toBe(forged);
      expect(reasonOf(value({ ...e, hash: 'ab'.repeat(32) }))).toBe(forged);
      expect(reasonOf(value({ ...e, previousHash: 'cd'.repeat(32) }))).toBe('chain: version 1 with a previous hash');
      expect(reasonOf(value({ ...envelope({ streamVersion: 2 }), previousHash: null }))).toBe('chain: version 2 without a previous hash');
      const { previousHash: _dropped, ...withoutLink } = e;
      expect(reasonOf(value(withoutLink))).toBe('envelope: missing or invalid previousHash (hex sha256 or null)');
      // A later event links to its predecessor's hash: the link is part of what is hashed.
      const second = envelope({ streamVersion: 2, previousHash: e.hash });
      expect(checkMessage(value(second), catalog)).toEqual({ envelope: second });
      expect(reasonOf(value({ ...second, previousHash: 'ef'.repeat(32) }))).toBe(forged);
    });

    it('throws when an upcaster is missing: a fault of the deployment, not of the message', () => {
      const gap = new EventCatalog().register(
        { type: 'Priced', schemaVersion: 1, context: 'offers', schema: PricedV1, description: 'v1' },
        { type: 'Priced', schemaVersion: 2, context: 'offers', schema: PricedV2, description: 'v2' },
      );
      expect(() => checkMessage(value(envelope({ schemaVersion: 1, data: { sku: 'TYRE', cents: 1 } })), gap)).toThrow('no upcaster for Priced v1 -> v2');
    });
  });
});
