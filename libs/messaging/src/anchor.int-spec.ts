import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { canonicalEvent, chainHash, PostgresEventStore } from '@dealledger/event-store';
import { closeStoreAndKafka, newEvent, openStoreAndKafka, uniqueName } from '@dealledger/testing';
import { OutboxRelay, toEnvelope, toKafkaMessage, verifyAgainstTopic } from '@dealledger/messaging';

const ev = (type: string, data: Record<string, unknown> = {}) => newEvent(type, data);

describe('the topic anchors the store: a cut-off or consistently rewritten tail is found (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('anchor');
  const topic = `${uniqueName('t')}.anchor.events`;
  let db: DataSource;
  let store: PostgresEventStore;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => ({ db, store, kafka, producer } = await openStoreAndKafka(schema, 'anchor-test', [{ topic, partitions: 3 }])));
  afterAll(() => closeStoreAndKafka({ db, producer }, schema));

  const anchor = () => verifyAgainstTopic({ kafka, dataSource: db, schema, topic });

  it('passes an untouched store, then names a deleted last event and a tail rewritten with valid links, which the chain check alone misses', async () => {
    const offer = `offer-${randomUUID()}`;
    const deal = `deal-${randomUUID()}`;
    await store.append(offer, 0, [ev('OfferDrafted'), ev('OfferSubmitted'), ev('OfferWithdrawn')]);
    await store.append(deal, 0, [ev('Drafted', { price: '100.00' }), ev('Signed'), ev('Priced', { price: '90.00' })]);
    expect(await new OutboxRelay(db, store, producer, kafka, { context: 'test', topic }).publishPending()).toBe(6);
    expect(await anchor()).toEqual({ onTopic: 6, findings: [] });

    // The withdrawal cut off: the offer reads as submitted again, and no link is broken.
    const withdrawn = (await store.readStream(offer))[2];
    await db.query(`DELETE FROM "${schema}".events WHERE event_id = $1`, [withdrawn.id]);
    // The last price rewritten with a hash recomputed from its predecessor: every link holds.
    const [, signed, priced] = await store.readStream(deal);
    const forged = { ...priced, data: { price: '9.00' } };
    const hash = chainHash(Buffer.from(signed.hash, 'hex'), canonicalEvent(forged));
    await db.query(`UPDATE "${schema}".events SET data = $2, hash = $3 WHERE event_id = $1`, [priced.id, forged.data, hash]);
    expect((await store.verify()).ok).toBe(true);

    expect((await anchor()).findings).toEqual(
      [
        { eventId: withdrawn.id, streamId: offer, streamVersion: 3, reason: expect.stringMatching(/no longer in the store/) },
        { eventId: priced.id, streamId: deal, streamVersion: 3, reason: expect.stringMatching(/another hash than published/) },
      ].sort((a, b) => a.streamId.localeCompare(b.streamId)),
    );

    // Publishing the rewritten event again (as its app could) does not re-anchor it.
    await producer.send({
      topic,
      acks: -1,
      messages: [toKafkaMessage(toEnvelope({ ...forged, hash: hash.toString('hex'), previousHash: signed.hash }, 'test'))],
    });
    expect((await anchor()).findings).toEqual(
      expect.arrayContaining([
        { eventId: priced.id, streamId: deal, streamVersion: 3, reason: expect.stringMatching(/published again later with another hash/) },
        { eventId: priced.id, streamId: deal, streamVersion: 3, reason: expect.stringMatching(/another hash than published/) },
      ]),
    );
  });
});
