import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventEnvelope, Headers } from '@dealledger/events';
import { PostgresEventStore, RecordedEvent, WrongExpectedVersionError } from '@dealledger/event-store';
import { closeStoreAndKafka, Collected, collectFromTopic, newEvent, openStoreAndKafka, readWholeTopic, uniqueName } from '@dealledger/testing';
import { ensureTopics, findUnpublished, headerString, OutboxRelay, republish, toEnvelope, toKafkaMessage } from '@dealledger/messaging';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ev = (type: string) => newEvent(type);

const idOf = (c: Collected) => headerString(c.message.headers, Headers.eventId) ?? (JSON.parse(c.message.value!.toString()) as EventEnvelope).id;

describe('republish (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('republish');
  let db: DataSource;
  let store: PostgresEventStore;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => ({ db, store, kafka, producer } = await openStoreAndKafka(schema, 'republish-test')));
  afterAll(() => closeStoreAndKafka({ db, producer }, schema));

  /** Appends one event to `streamId` and returns it as stored. */
  async function append(streamId: string, type: string): Promise<RecordedEvent> {
    for (;;) {
      const before = await store.readStream(streamId);
      const version = before.length;
      try {
        await store.append(streamId, version, [ev(type)]);
        const stored = await store.readStream(streamId, version + 1);
        return { ...stored[0], previousHash: before[version - 1]?.hash ?? null };
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw err;
      }
    }
  }

  it('names exactly the events the relay passed over, publishes each once in the relay format, then finds nothing', async () => {
    const topic = `${uniqueName('t')}.republish.events`;
    await ensureTopics(kafka, [{ topic, partitions: 3 }]);
    const streams = Array.from({ length: 4 }, () => `deal-${randomUUID()}`);

    // Published by the relay.
    const relayed: RecordedEvent[] = [];
    for (const s of streams) relayed.push(await append(s, 'Relayed'), await append(s, 'Relayed'));
    const relay = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic });
    expect(await relay.publishPending()).toBe(relayed.length);

    // Published by hand without headers: found through the JSON value. One relayed event twice.
    const bare = [await append(streams[0], 'Bare'), await append(streams[1], 'Bare')];
    await producer.send({
      topic,
      acks: -1,
      messages: [...bare.map((e) => ({ key: e.streamId, value: JSON.stringify(toEnvelope(e, 'test')) })), toKafkaMessage(toEnvelope(relayed[0], 'test'))],
    });

    // Skipped: the checkpoint moves past them as the broken reader moved it, nothing is sent.
    const skipped: RecordedEvent[] = [];
    for (const s of [...streams, streams[2]]) skipped.push(await append(s, 'Skipped'));
    const last = skipped[skipped.length - 1];
    await store.saveCheckpoint(`relay:${topic}`, { transactionId: last.transactionId, position: last.position });

    // After the checkpoint: the live relay's to publish, not missing.
    const pending = [await append(streams[0], 'Pending'), await append(streams[3], 'Pending')];

    const total = relayed.length + bare.length + skipped.length + pending.length;
    const found = await findUnpublished({ kafka, dataSource: db, schema, topic });
    expect(found.stored).toBe(total);
    expect(found.afterCheckpoint).toBe(pending.length);
    expect(found.onTopic).toBe(relayed.length + bare.length);
    expect(found.messagesOnTopic).toBe(relayed.length + bare.length + 1);
    expect(found.unreadable).toBe(0);
    // Appended one after another: append order is commit order.
    expect(found.missing.map((e) => e.id)).toEqual(skipped.map((e) => e.id));
    expect(found.missing[0]).toEqual(skipped[0]);

    const dry = await republish({ kafka, dataSource: db, schema, topic, producer, context: 'test', dryRun: true });
    expect(dry.published).toBe(0);
    expect(dry.missing.map((e) => e.id)).toEqual(skipped.map((e) => e.id));

    const done = await republish({ kafka, dataSource: db, schema, topic, producer, context: 'test' });
    expect(done.published).toBe(skipped.length);

    const expected = relayed.length + bare.length + 1 + skipped.length;
    await collectFromTopic(kafka, topic, (s) => s.length >= expected);
    await sleep(500); // a second copy, if any, has time to show up
    const all = await readWholeTopic(kafka, topic);
    expect(all).toHaveLength(expected);
    for (const e of skipped) {
      const copies = all.filter((c) => idOf(c) === e.id);
      expect(copies).toHaveLength(1);
      const [c] = copies;
      // The relay's format: keyed by stream, the envelope as value, the event id header.
      expect(c.message.key!.toString()).toBe(e.streamId);
      expect(headerString(c.message.headers, Headers.eventId)).toBe(e.id);
      expect(JSON.parse(c.message.value!.toString())).toEqual(toEnvelope(e, 'test'));
    }
    // Within a stream the republished events follow each other in version order.
    const onStream2 = all
      .filter((c) => c.message.key!.toString() === streams[2] && skipped.some((e) => e.id === idOf(c)))
      .sort((a, b) => Number(a.message.offset) - Number(b.message.offset))
      .map((c) => (JSON.parse(c.message.value!.toString()) as EventEnvelope).streamVersion);
    expect(onStream2).toHaveLength(2);
    expect(onStream2[0]).toBeLessThan(onStream2[1]);
    expect(all.some((c) => pending.some((e) => e.id === idOf(c)))).toBe(false);

    const again = await findUnpublished({ kafka, dataSource: db, schema, topic });
    expect(again.missing).toEqual([]);
    expect(again.onTopic).toBe(relayed.length + bare.length + skipped.length);
  });

  it('counts nothing as missing before the relay saved a checkpoint, and reads a missing topic as empty', async () => {
    const topic = `${uniqueName('t')}.absent.events`;
    await append(`deal-${randomUUID()}`, 'Unrelayed');
    const found = await findUnpublished({ kafka, dataSource: db, schema, topic });
    expect(found.stored).toBeGreaterThan(0);
    expect(found.checkpoint).toEqual({ transactionId: '0', position: 0 });
    expect(found.afterCheckpoint).toBe(found.stored);
    expect(found.onTopic).toBe(0);
    expect(found.missing).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });

  it('beside a live relay and concurrent appends, publishes nothing twice', async () => {
    const topic = `${uniqueName('t')}.live.events`;
    await ensureTopics(kafka, [{ topic, partitions: 3 }]);
    const relay = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic, pollIntervalMs: 20, checkpointSaveIntervalMs: 20 });
    relay.start();
    const streams = Array.from({ length: 5 }, () => `deal-${randomUUID()}`);
    let writing = true;
    const writers = streams.map(async (s) => {
      while (writing) {
        await append(s, 'Live');
        await sleep(5);
      }
    });
    try {
      let republished = 0;
      for (let i = 0; i < 3; i++) {
        await sleep(200);
        republished += (await republish({ kafka, dataSource: db, schema, topic, producer, context: 'test' })).published;
      }
      expect(republished).toBe(0);
    } finally {
      writing = false;
      await Promise.all(writers);
    }

    const total = Number((await db.query(`SELECT count(*) AS n FROM "${schema}".events`))[0].n);
    await collectFromTopic(kafka, topic, (s) => new Set(s.map(idOf)).size >= total);
    await sleep(500);
    await relay.stop();
    const all = await readWholeTopic(kafka, topic);
    expect(all).toHaveLength(total);
    expect(new Set(all.map(idOf)).size).toBe(total);
    expect((await findUnpublished({ kafka, dataSource: db, schema, topic })).missing).toEqual([]);
  });
});
