import { randomUUID } from 'node:crypto';
import { IsString, MaxLength } from 'class-validator';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { deadLetterTopic, EventCatalog, EventEnvelope, Headers } from '@dealledger/events';
import { EVENT_STORE_MIGRATIONS } from '@dealledger/event-store';
import { collectFromTopic, dropSchema, eventually, openTestDatabase, readWholeTopic, sealed, uniqueName } from '@dealledger/testing';
import {
  connectProducer,
  createKafka,
  createProducer,
  ensureTopics,
  EventBatchHandler,
  headerString,
  IdempotentConsumer,
  Inbox1732700000001,
  PoisonMessageError,
} from '@dealledger/messaging';

class ThingHappenedV1 {
  @IsString() @MaxLength(20) name: string;
}

const catalog = new EventCatalog().register({ type: 'ThingHappened', schemaVersion: 1, context: 'test', schema: ThingHappenedV1, description: 'test' });

const STREAM = `thing-${randomUUID()}`;
function envelope(name: unknown, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return sealed({
    id: randomUUID(),
    type: 'ThingHappened',
    schemaVersion: 1,
    context: 'test',
    streamId: STREAM,
    streamType: 'thing',
    streamVersion: 1,
    position: 1,
    occurredAt: new Date().toISOString(),
    recordedAt: new Date().toISOString(),
    parties: ['a'],
    actor: null,
    correlationId: randomUUID(),
    causationId: null,
    data: { name },
    ...overrides,
  });
}
const message = (value: string | EventEnvelope): Message => ({ key: STREAM, value: typeof value === 'string' ? value : JSON.stringify(value) });

/** The tests' read side: a schema with the event store, the inbox and a table of things. */
async function openThingsDatabase(schema: string): Promise<DataSource> {
  const db = await openTestDatabase(schema, [...EVENT_STORE_MIGRATIONS, Inbox1732700000001]);
  await db.query(`CREATE TABLE "${schema}".things (event_id text PRIMARY KEY, name text NOT NULL)`);
  return db;
}

/** A plain INSERT: a second write of one event id would fail, so only the inbox keeps it once. */
const insertThings = (tx: EntityManager, schema: string, events: EventEnvelope[]) =>
  tx.query(`INSERT INTO "${schema}".things (event_id, name) SELECT unnest($1::text[]), unnest($2::text[])`, [
    events.map((e) => e.id),
    events.map((e) => (e.data as { name: unknown }).name),
  ]);

describe('IdempotentConsumer (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('consumer');
  const topic = `${uniqueName('t')}.test.events`;
  let db: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: IdempotentConsumer;
  let failNextFor: string | null = null;

  beforeAll(async () => {
    db = await openThingsDatabase(schema);
    await db.query(`CREATE TABLE "${schema}".counter (n integer NOT NULL)`);
    await db.query(`INSERT INTO "${schema}".counter VALUES (0)`);
    kafka = createKafka('consumer-test');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    producer = await connectProducer(kafka);
    consumer = new IdempotentConsumer({
      kafka,
      dataSource: db,
      schema,
      groupId: uniqueName('things'),
      topics: [topic],
      catalog,
      producer,
      handlers: {
        ThingHappened: async (event, tx) => {
          // A deliberately non-idempotent effect: only the inbox stops a second increment.
          await tx.query(`UPDATE "${schema}".counter SET n = n + 1`);
          await tx.query(`INSERT INTO "${schema}".things (event_id, name) VALUES ($1, $2)`, [event.id, event.data.name]);
          if (event.data.name === 'refuse-me') throw new PoisonMessageError('this thing is not allowed');
          if (failNextFor === event.id) {
            failNextFor = null;
            throw new Error('database hiccup'); // transient: rolled back, retried
          }
        },
      },
    });
    await consumer.start();
  });

  afterAll(async () => {
    await consumer.stop();
    await producer.disconnect();
    await dropSchema(db, schema);
  });

  const counter = async () => Number((await db.query(`SELECT n FROM "${schema}".counter`))[0].n);
  const things = async () => Number((await db.query(`SELECT count(*) AS n FROM "${schema}".things`))[0].n);

  it('handles each event once, even when every message is delivered twice', async () => {
    const good = Array.from({ length: 10 }, (_, i) => envelope(`thing ${i}`));
    await producer.send({ topic, messages: good.map(message) });
    await eventually(counter, (n) => n === 10);
    await producer.send({ topic, messages: good.map(message) });
    await eventually(
      async () => consumer.counts.duplicate,
      (n) => n >= 10,
    );
    expect(await counter()).toBe(10);
    expect(await things()).toBe(10);
  });

  it('rolls back a failed attempt with its inbox record and applies the retry once', async () => {
    const e = envelope('flaky');
    failNextFor = e.id;
    await producer.send({ topic, messages: [message(e)] });
    await eventually(counter, (n) => n === 11);
    expect(failNextFor).toBeNull();
    expect(await things()).toBe(11);
  });

  it('dead-letters poison messages with the reason, and goes on', async () => {
    const before = await counter();
    const unknownVersion = envelope('v9', { schemaVersion: 9 });
    const refused = envelope('refuse-me');
    const after = envelope('after the poison');
    await producer.send({
      topic,
      messages: [
        message('{not json'),
        message(JSON.stringify({ hello: 'world' })),
        message(envelope(12345)),
        message(envelope('a name far longer than twenty characters')),
        message(unknownVersion),
        message(refused),
        message(envelope('ignored', { type: 'SomethingElse' })),
        message(after),
      ],
    });
    await eventually(counter, (n) => n === before + 1);
    expect(Number((await db.query(`SELECT count(*) AS n FROM "${schema}".things WHERE event_id = $1`, [after.id]))[0].n)).toBe(1);
    // The refused event's writes were rolled back with its transaction.
    expect(Number((await db.query(`SELECT count(*) AS n FROM "${schema}".things WHERE event_id = $1`, [refused.id]))[0].n)).toBe(0);

    const dead = await collectFromTopic(kafka, deadLetterTopic(topic), (s) => s.length >= 6);
    const reasons = dead.map((d) => headerString(d.message.headers, Headers.dlqReason));
    expect(reasons).toEqual([
      expect.stringMatching(/^unparseable/),
      expect.stringMatching(/^envelope: missing or invalid id/),
      expect.stringMatching(/^schema: ThingHappened v1: .*name must be a string/),
      expect.stringMatching(/^schema: .*shorter than or equal to 20/),
      expect.stringMatching(/^unknown schema version: ThingHappened v9/),
      expect.stringMatching(/^refused: this thing is not allowed/),
    ]);
    expect(dead[0].message.value!.toString()).toBe('{not json');
    expect(headerString(dead[5].message.headers, Headers.dlqOriginalTopic)).toBe(topic);
    expect(headerString(dead[5].message.headers, Headers.dlqOriginalOffset)).toMatch(/^\d+$/);
    expect(consumer.counts.skipped).toBeGreaterThanOrEqual(1);
  });
});

describe('IdempotentConsumer: dead letters, inbox pruning and stopping (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('dlq');
  const topic = `${uniqueName('t')}.test.events`;
  let db: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: IdempotentConsumer;
  let failBatches = 0;

  beforeAll(async () => {
    db = await openThingsDatabase(schema);
    kafka = createKafka('dlq-consumer-test');
    // The consumer is never started (which would create its dead-letter topic): create it here.
    await ensureTopics(kafka, [
      { topic, partitions: 1 },
      { topic: deadLetterTopic(topic), partitions: 1 },
    ]);
    producer = await connectProducer(kafka);
    const handleBatch: EventBatchHandler = async (events, tx) => {
      await insertThings(tx, schema, events);
      if (failBatches > 0) {
        failBatches -= 1;
        throw new Error('database hiccup');
      }
    };
    // Not started: messages are handed to it directly, as kafkajs would (again) on a redelivery.
    consumer = new IdempotentConsumer({
      kafka,
      dataSource: db,
      schema,
      groupId: uniqueName('dlq'),
      topics: [topic],
      catalog,
      producer,
      handlers: { ThingHappened: (event, tx) => handleBatch([event], tx) },
      handleBatch,
    });
  });

  afterAll(async () => {
    await producer.disconnect();
    await dropSchema(db, schema);
  });

  const kafkaMessage = (value: string, offset: string) => ({
    key: Buffer.from(STREAM),
    value: Buffer.from(value),
    offset,
    timestamp: String(Date.now()),
    attributes: 0,
    headers: {},
  });
  /** Every dead letter of this topic whose value contains `marker`: the whole topic, read to its end. */
  const deadLettersWith = async (marker: string) => {
    const all = await readWholeTopic(kafka, deadLetterTopic(topic));
    return all.filter((c) => c.message.value!.toString().includes(marker));
  };

  it('dead-letters an unparseable or schema-invalid message once, however often it is delivered', async () => {
    const marker = randomUUID();
    const invalid = JSON.stringify(envelope(`${marker} is a name far too long for the schema`));
    const garbage = `{not json ${marker}`;
    expect(await consumer.process(topic, 0, kafkaMessage(invalid, '100'))).toBe('dead-lettered');
    expect(await consumer.process(topic, 0, kafkaMessage(garbage, '101'))).toBe('dead-lettered');
    expect(await consumer.process(topic, 0, kafkaMessage(invalid, '100'))).toBe('duplicate');
    expect(await consumer.process(topic, 0, kafkaMessage(garbage, '101'))).toBe('duplicate');
    expect(await deadLettersWith(marker)).toHaveLength(2);
  });

  it('does not dead-letter a message of a batch a second time when the batch is retried', async () => {
    const marker = randomUUID();
    const bad = JSON.stringify(envelope(`${marker} is a name far too long for the schema`));
    const good = envelope(`ok ${marker.slice(0, 8)}`);
    const batch = [kafkaMessage(bad, '200'), kafkaMessage(JSON.stringify(good), '201')];
    failBatches = 1;
    await expect(consumer.processBatch(topic, 0, batch)).rejects.toThrow('database hiccup');
    // kafkajs hands the same batch over again.
    await consumer.processBatch(topic, 0, batch);
    expect((await db.query(`SELECT count(*)::int AS n FROM "${schema}".things WHERE event_id = $1`, [good.id]))[0].n).toBe(1);
    expect(await deadLettersWith(marker)).toHaveLength(1);
  });

  it("prunes records of handled events older than the retention, only this consumer's, and keeps those of dead letters", async () => {
    const inbox = `"${schema}".inbox`;
    const name = (consumer as unknown as { name: string }).name;
    await db.query(
      `INSERT INTO ${inbox} (consumer, event_id, outcome, processed_at) VALUES ($1, 'old-1', 'handled', now() - interval '40 days'), ($1, 'old-2', 'handled', now() - interval '31 days'), ($1, 'recent', 'handled', now() - interval '29 days'), ('someone-else', 'old-3', 'handled', now() - interval '40 days'), ($1, 'old-dead', 'dead-lettered', now() - interval '40 days')`,
      [name],
    );
    expect(await consumer.pruneInbox(30)).toBe(2);
    const left = (await db.query(
      `SELECT consumer, event_id FROM ${inbox} WHERE event_id IN ('old-1', 'old-2', 'recent', 'old-3', 'old-dead') ORDER BY event_id`,
    )) as { event_id: string }[];
    expect(left.map((r) => r.event_id)).toEqual(['old-3', 'old-dead', 'recent']);
    expect(await consumer.pruneInbox(0)).toBe(0);
  });

  it('stops within seconds while Kafka cannot be reached', async () => {
    const away = createKafka('unreachable', ['127.0.0.1:1']);
    const lonely = new IdempotentConsumer({
      kafka: away,
      dataSource: db,
      schema,
      groupId: uniqueName('away'),
      topics: [topic],
      catalog,
      producer: createProducer(away),
      handlers: {},
    });
    lonely.startInBackground();
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await lonely.stop();
    expect(Date.now() - t0).toBeLessThan(8000);
  }, 30000);
  it('starts again, as a new member, a consumer that stays out of its group, and leaves a joined one alone', async () => {
    // The first two members kafkajs makes go silent, as one was seen to after a broker was
    // killed mid-join: they never join, never crash, and never answer a disconnect. The first
    // hangs in its start-up (run() never returns), the second once started. The first is never
    // asked to disconnect: with kafkajs, a member disconnected before its run() returns can
    // start fetching afterwards.
    let disconnectsAsked = 0;
    let made = 0;
    const silent = new Proxy(kafka, {
      get: (target, prop) =>
        prop !== 'consumer'
          ? Reflect.get(target, prop)
          : (config: Parameters<Kafka['consumer']>[0]) => {
              const real = target.consumer(config);
              const n = made++;
              if (n > 1) return real;
              return Object.assign(Object.create(real) as typeof real, {
                on: () => () => undefined,
                connect: async () => undefined,
                subscribe: async () => undefined,
                run: n === 0 ? () => new Promise<void>(() => undefined) : async () => undefined,
                disconnect: () => {
                  disconnectsAsked += 1;
                  return new Promise<void>(() => undefined);
                },
              });
            },
    });
    const watched = new IdempotentConsumer({
      kafka: silent,
      dataSource: db,
      schema,
      groupId: uniqueName('silent'),
      topics: [topic],
      catalog,
      producer,
      handlers: {
        ThingHappened: async (event, tx) => void (await tx.query(`INSERT INTO "${schema}".things (event_id, name) VALUES ($1, 'watched')`, [event.id])),
      },
      rejoinAfterMs: 2000,
    });
    const e = envelope('watched');
    await producer.send({ topic, messages: [message(e)] });
    try {
      watched.startInBackground();
      await eventually(
        async () => (await db.query(`SELECT 1 FROM "${schema}".things WHERE event_id = $1`, [e.id])).length,
        (n) => n === 1,
        40000,
      );
      expect(watched.restarts).toBe(2);
      // The member that had started was asked to leave once the new one had started.
      expect(disconnectsAsked).toBe(1);
      expect(watched.status.joined).toBe(true);
      // Joined, it is left alone however long it stays.
      await new Promise((r) => setTimeout(r, 6000));
      expect(watched.restarts).toBe(2);
      expect(made).toBe(3);
    } finally {
      const t0 = Date.now();
      await watched.stop();
      expect(Date.now() - t0).toBeLessThan(8000);
    }
  }, 90000);
});

describe('IdempotentConsumer with a batch handler (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('batch');
  const topic = `${uniqueName('t')}.test.events`;
  let db: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: IdempotentConsumer;
  const batchSizes: number[] = [];
  let failOnce = false;

  beforeAll(async () => {
    db = await openThingsDatabase(schema);
    kafka = createKafka('batch-consumer-test');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    producer = await connectProducer(kafka);
    const handleBatch: EventBatchHandler = async (events, tx) => {
      batchSizes.push(events.length);
      await insertThings(tx, schema, events);
      if (events.some((e) => e.data.name === 'refuse-me')) throw new PoisonMessageError('this thing is not allowed');
      if (failOnce) {
        failOnce = false;
        throw new Error('database hiccup');
      }
    };
    consumer = new IdempotentConsumer({
      kafka,
      dataSource: db,
      schema,
      groupId: uniqueName('batch'),
      topics: [topic],
      catalog,
      producer,
      handlers: { ThingHappened: (event, tx) => handleBatch([event], tx) },
      handleBatch,
    });
    await consumer.start();
  });

  afterAll(async () => {
    await consumer.stop();
    await producer.disconnect();
    await dropSchema(db, schema);
  });

  const names = async () => (await db.query(`SELECT name FROM "${schema}".things ORDER BY name`)).map((r: { name: string }) => r.name);

  it('handles a fetched batch in one transaction, each event once, duplicates within and across batches included', async () => {
    const good = Array.from({ length: 20 }, (_, i) => envelope(`thing ${String(i).padStart(2, '0')}`));
    await producer.send({ topic, messages: [...good, good[0]].map(message) });
    await eventually(names, (n) => n.length === 20);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    await producer.send({ topic, messages: good.map(message) });
    await eventually(
      async () => consumer.counts.duplicate,
      (n) => n >= 21,
    );
    expect(await names()).toEqual(good.map((e) => (e.data as { name: string }).name));
    expect(consumer.counts.handled).toBe(20);
  });

  it('retries a batch whose transaction failed, and applies it once', async () => {
    failOnce = true;
    const more = [envelope('retried a'), envelope('retried b')];
    await producer.send({ topic, messages: more.map(message) });
    await eventually(names, (n) => n.includes('retried a') && n.includes('retried b'));
    expect(failOnce).toBe(false);
    expect((await names()).filter((n: string) => n.startsWith('retried'))).toEqual(['retried a', 'retried b']);
  });

  it('dead-letters only the refused event of a batch and handles the rest', async () => {
    const around = [envelope('before refusal'), envelope('refuse-me'), envelope('after refusal')];
    await producer.send({ topic, messages: [...around.map(message), message('{not json')] });
    await eventually(names, (n) => n.includes('after refusal'));
    expect(await names()).toEqual(expect.arrayContaining(['before refusal', 'after refusal']));
    expect(await names()).not.toContain('refuse-me');
    const dead = await collectFromTopic(kafka, deadLetterTopic(topic), (s) => s.length >= 2);
    expect(dead.map((d) => headerString(d.message.headers, Headers.dlqReason)).sort()).toEqual([
      expect.stringMatching(/^refused: this thing is not allowed/),
      expect.stringMatching(/^unparseable/),
    ]);
  });
});

describe('IdempotentConsumer: offsets after a crash (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('crash');
  const topic = `${uniqueName('t')}.test.events`;
  const groupId = uniqueName('crash');
  let db: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: IdempotentConsumer;
  let failures = 0;
  let commitsWhileJoining = 0;

  beforeAll(async () => {
    db = await openThingsDatabase(schema);
    // A member that does not retry a failed batch: it crashes at once, and kafkajs starts it
    // again ~3 s later. While the restarted member connects and joins, kafkajs is not running it
    // and skips any commit: a commit is asked for there, as the periodic one may be (on a quiet
    // broker the join is too short for the timer to hit it by chance; after a broker or database
    // restart it takes seconds). Commits every 5 s, so that none comes between the handling and
    // the crash.
    const client = createKafka('crash-consumer-test');
    kafka = new Proxy(client, {
      get: (target, prop) =>
        prop !== 'consumer'
          ? Reflect.get(target, prop)
          : (config: Parameters<Kafka['consumer']>[0]) => {
              const member = target.consumer({ ...config, retry: { retries: 0, initialRetryTime: 3000 } });
              // Only the crash the failing thing causes (a join that failed would crash it too).
              let crashed = false;
              member.on(member.events.CRASH, () => (crashed = failures === 1 && commitsWhileJoining === 0));
              member.on(member.events.CONNECT, () => {
                if (!crashed) return;
                crashed = false;
                commitsWhileJoining += 1;
                void (consumer as unknown as { commits: { flush(): Promise<void> } }).commits.flush();
              });
              return member;
            },
    });
    await ensureTopics(kafka, [{ topic, partitions: 2 }]);
    producer = await connectProducer(kafka);
    consumer = new IdempotentConsumer({
      kafka,
      dataSource: db,
      schema,
      groupId,
      topics: [topic],
      catalog,
      producer,
      handlers: { ThingHappened: async () => undefined },
      handleBatch: async (events, tx) => {
        if (events.some((e) => e.data.name === 'fail once') && failures === 0) {
          failures += 1;
          throw new Error('database restarting');
        }
        await insertThings(tx, schema, events);
      },
    });
    const interval = process.env.KAFKA_COMMIT_INTERVAL_MS;
    process.env.KAFKA_COMMIT_INTERVAL_MS = '5000';
    try {
      await consumer.start();
    } finally {
      if (interval === undefined) delete process.env.KAFKA_COMMIT_INTERVAL_MS;
      else process.env.KAFKA_COMMIT_INTERVAL_MS = interval;
    }
  });

  afterAll(async () => {
    await consumer.stop();
    await producer.disconnect();
    await dropSchema(db, schema);
  });

  const committed = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Object.fromEntries(partitions.map((p) => [p.partition, Number(p.offset)]));
    } finally {
      await admin.disconnect();
    }
  };

  it('commits a partition whose traffic stopped before the crash, once the member is back', async () => {
    // Partition 0 gets five things and then nothing more; partition 1 a thing that fails once.
    const quiet = Array.from({ length: 5 }, (_, i) => envelope(`quiet ${i}`));
    await producer.send({ topic, messages: quiet.map((e) => ({ ...message(e), partition: 0 })) });
    await eventually(
      async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".things`))[0].n,
      (n) => n === 5,
    );
    await producer.send({ topic, messages: [{ ...message(envelope('fail once')), partition: 1 }] });
    await eventually(committed, (c) => c[0] === 5 && c[1] === 1, 30000);
    expect(failures).toBe(1);
    expect(commitsWhileJoining).toBe(1);
    // The member crashed before its commit: partition 0 came again from the group's offset.
    expect(consumer.counts.duplicate).toBe(5);
    expect(consumer.counts.handled).toBe(6);
  }, 60000);
});
