import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventEnvelope, Headers } from '@dealledger/events';
import { PostgresEventStore, START, WrongExpectedVersionError } from '@dealledger/event-store';
import { closeStoreAndKafka, Collected, collectFromTopic, eventually, newEvent, openStoreAndKafka, readWholeTopic, uniqueName } from '@dealledger/testing';
import { ensureTopics, headerString, OutboxRelay } from '@dealledger/messaging';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ev = (type: string) => newEvent(type);

describe('OutboxRelay (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('relay');
  const topic = `${uniqueName('t')}.relay.events`;
  let db: DataSource;
  let store: PostgresEventStore;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => ({ db, store, kafka, producer } = await openStoreAndKafka(schema, 'relay-test', [{ topic, partitions: 3 }])));
  afterAll(() => closeStoreAndKafka({ db, producer }, schema));

  /** A writer that keeps its transaction open for a while after appending: its lower positions commit late. */
  async function slowAppend(streamId: string, holdMs: number): Promise<void> {
    for (;;) {
      const version = (await store.readStream(streamId)).length;
      const runner = db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await store.append(streamId, version, [ev('Slow')], { queryRunner: runner });
        await sleep(holdMs);
        await runner.commitTransaction();
        store.notifyAppended();
        return;
      } catch (err) {
        await runner.rollbackTransaction();
        if (!(err instanceof WrongExpectedVersionError)) throw err;
      } finally {
        await runner.release();
      }
    }
  }

  async function fastAppend(streamId: string): Promise<void> {
    for (;;) {
      const version = (await store.readStream(streamId)).length;
      try {
        await store.append(streamId, version, [ev('Fast'), ev('Fast')]);
        return;
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw err;
      }
    }
  }

  const keyOf = (c: Collected) => {
    const e = JSON.parse(c.message.value!.toString()) as EventEnvelope;
    return `${e.streamId}#${e.streamVersion}`;
  };

  it('publishes every event exactly once, in per-stream order, despite slow concurrent transactions and a restart', async () => {
    const relay = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic, pollIntervalMs: 20 });
    relay.start();

    const streams = Array.from({ length: 10 }, () => `deal-${randomUUID()}`);
    const writers: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      const s = streams[i % streams.length];
      writers.push(i % 3 === 0 ? slowAppend(s, 50 + ((i * 37) % 250)) : fastAppend(s));
    }
    await Promise.all(writers);
    const firstWave = Number((await db.query(`SELECT count(*) AS n FROM "${schema}".events`))[0].n);

    // Restart: a new relay instance resumes from the checkpoint, not from the beginning.
    await sleep(300);
    await relay.stop();
    await Promise.all(streams.map((s) => fastAppend(s)));
    const restarted = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic, pollIntervalMs: 20 });
    restarted.start();

    const total = Number((await db.query(`SELECT count(*) AS n FROM "${schema}".events`))[0].n);
    expect(total).toBe(firstWave + streams.length * 2);
    await collectFromTopic(kafka, topic, (s) => new Set(s.map(keyOf)).size >= total);
    await sleep(500); // give a duplicate, if any, time to show up
    await restarted.stop();
    const more = await readWholeTopic(kafka, topic);

    // Exactly once per stream version.
    const keys = more.map(keyOf);
    expect(keys).toHaveLength(total);
    expect(new Set(keys).size).toBe(total);

    // Per-stream order: versions 1..n, each stream entirely in one partition.
    for (const s of streams) {
      const mine = more.filter((c) => c.message.key!.toString() === s);
      expect(new Set(mine.map((c) => c.partition)).size).toBe(1);
      const versions = mine
        .sort((a, b) => Number(a.message.offset) - Number(b.message.offset))
        .map((c) => (JSON.parse(c.message.value!.toString()) as EventEnvelope).streamVersion);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    }
  });

  it('sends the envelope and routing headers', async () => {
    const relay = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic, pollIntervalMs: 20 });
    const streamId = `deal-${randomUUID()}`;
    const e = ev('Checked');
    await store.append(streamId, 0, [e]);
    await relay.publishPending();
    const [found] = (await collectFromTopic(kafka, topic, (s) => s.some((c) => c.message.key?.toString() === streamId))).filter(
      (c) => c.message.key?.toString() === streamId,
    );
    const envelope = JSON.parse(found.message.value!.toString()) as EventEnvelope;
    expect(envelope).toMatchObject({
      id: e.id,
      type: 'Checked',
      schemaVersion: 1,
      context: 'test',
      streamId,
      streamType: 'deal',
      streamVersion: 1,
      parties: ['p'],
      correlationId: e.metadata.correlationId,
      causationId: null,
      data: e.data,
    });
    expect(envelope.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(headerString(found.message.headers, Headers.eventType)).toBe('Checked');
    expect(headerString(found.message.headers, Headers.eventId)).toBe(e.id);
    expect(headerString(found.message.headers, Headers.streamId)).toBe(streamId);
    expect(headerString(found.message.headers, Headers.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('saves its position at most every checkpointSaveIntervalMs while active, and when it stops', async () => {
    await fastAppend(`deal-${randomUUID()}`);
    const name = `relay:${uniqueName('cp')}`;
    const lazy = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic, name, pollIntervalMs: 20, checkpointSaveIntervalMs: 60000 });
    lazy.start();
    // The first save is due at once; the next not for a minute.
    const saved = await eventually(
      () => store.readCheckpoint(name),
      (c) => c.position > 0,
      10000,
    );
    const published = lazy.publishedCount;
    const s = `deal-${randomUUID()}`;
    await fastAppend(s);
    const last = (await store.readStream(s))[1].position;
    await eventually(
      async () => lazy.publishedCount,
      (n) => n >= published + 2,
      10000,
    );
    await sleep(200);
    expect(await store.readCheckpoint(name)).toEqual(saved);
    await lazy.stop();
    expect((await store.readCheckpoint(name)).position).toBeGreaterThanOrEqual(last);
  });

  /** The backend holding a relay's session advisory lock (key as in OutboxRelay.acquireLock). */
  const lockHolder = async (name: string): Promise<number | null> => {
    const rows = await db.query(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
          AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
      [`${schema}:${name}`],
    );
    return rows[0]?.pid ?? null;
  };

  it('stops publishing as soon as it has lost its lock, so a standby that took over is the only one to publish', async () => {
    const name = `relay:${uniqueName('lead')}`;
    const t = `${uniqueName('t')}.lead.events`;
    await ensureTopics(kafka, [{ topic: t, partitions: 1 }]);
    // Both start after everything stored so far, so only what is appended below is published.
    await store.saveCheckpoint(name, (await store.readAll(START, 1000000)).checkpoint);
    const a = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic: t, name, pollIntervalMs: 20, standbyRetryMs: 50 });
    const b = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic: t, name, pollIntervalMs: 20, standbyRetryMs: 50 });
    a.start();
    await eventually(
      async () => a.status.active,
      (x) => x,
      10000,
    );
    b.start();
    await sleep(200);
    expect(b.status.active).toBe(false);
    // The leader's lock session dies (a network cut, an operator's pg_terminate_backend).
    const pid = await lockHolder(name);
    expect(pid).not.toBeNull();
    await db.query(`SELECT pg_terminate_backend($1)`, [pid]);
    await eventually(
      async () => b.status.active,
      (x) => x,
      10000,
    );
    const streams = Array.from({ length: 5 }, () => `deal-${randomUUID()}`);
    for (const s of streams) await fastAppend(s);
    await collectFromTopic(kafka, t, (x) => x.length >= 10, 20000);
    await sleep(1000); // time for a second copy, if a stale leader were still publishing
    const all = await readWholeTopic(kafka, t);
    const admin = kafka.admin();
    await admin.connect();
    const [{ high }] = await admin.fetchTopicOffsets(t);
    await admin.disconnect();
    expect(Number(high)).toBe(10);
    expect(new Set(all.map(keyOf)).size).toBe(10);
    expect(a.status.active).toBe(false);
    await a.stop();
    await b.stop();
  });

  it('never moves a saved checkpoint backwards', async () => {
    const name = `relay:${uniqueName('fwd')}`;
    await store.saveCheckpoint(name, { transactionId: '5000', position: 40 });
    await store.saveCheckpoint(name, { transactionId: '4999', position: 900 });
    expect(await store.readCheckpoint(name)).toEqual({ transactionId: '5000', position: 40 });
    await store.saveCheckpoint(name, { transactionId: '5000', position: 41 });
    expect(await store.readCheckpoint(name)).toEqual({ transactionId: '5000', position: 41 });
  });

  it("publishes an append made inside a caller's transaction as soon as it commits, not at the next poll", async () => {
    const t = `${uniqueName('t')}.wake.events`;
    await ensureTopics(kafka, [{ topic: t, partitions: 1 }]);
    const name = `relay:${uniqueName('wake')}`;
    await store.saveCheckpoint(name, (await store.readAll(START, 1000000)).checkpoint);
    // A store of its own, to know when the relay has read and found nothing (it then waits a minute).
    const own = new PostgresEventStore(db, schema);
    let idle!: () => void;
    const waiting = new Promise<void>((r) => (idle = r));
    const readAll = own.readAll.bind(own);
    own.readAll = async (...args: Parameters<typeof readAll>) => {
      const page = await readAll(...args);
      if (page.events.length === 0) idle();
      return page;
    };
    const relay = new OutboxRelay(db, own, producer, kafka, { context: 'test', topic: t, name, pollIntervalMs: 60000 });
    relay.start();
    await waiting;
    const streamId = `deal-${randomUUID()}`;
    // As a consumer's handler does: the append is the transaction's first write, then its other writes.
    await db.transaction(async (tx) => {
      await own.append(streamId, 0, [ev('Drafted')], { queryRunner: tx.queryRunner });
    });
    await collectFromTopic(kafka, t, (x) => x.some((c) => c.message.key?.toString() === streamId), 15000);
    expect(relay.publishedCount).toBe(1);
    await relay.stop();
  });

  it('stops within seconds while a publish waits for a broker that does not answer', async () => {
    // As the idempotent producer does while Kafka is away: a send that retries without end.
    const stuck = { connect: async () => undefined, disconnect: async () => undefined, send: () => new Promise(() => undefined) } as unknown as Producer;
    const relay = new OutboxRelay(db, store, stuck, kafka, {
      context: 'test',
      topic,
      name: `relay:${uniqueName('away')}`,
      pollIntervalMs: 20,
      stopTimeoutMs: 2000,
    });
    await fastAppend(`deal-${randomUUID()}`);
    relay.start();
    await sleep(500);
    const t0 = Date.now();
    await relay.stop();
    expect(Date.now() - t0).toBeLessThan(6000);
  }, 30000);

  it('restarted after a stop that gave up on a stuck send, never lets the old loop move its position or publish beside it', async () => {
    const t = `${uniqueName('t')}.stale.events`;
    await ensureTopics(kafka, [{ topic: t, partitions: 1 }]);
    const name = `relay:${uniqueName('stale')}`;
    await store.saveCheckpoint(name, (await store.readAll(START, 1000000)).checkpoint);
    // The first send hangs (a broker that does not answer) until released, and then sends nothing.
    let release!: () => void;
    let stuck!: () => void;
    const sendStuck = new Promise<void>((r) => (stuck = r));
    let first = true;
    const flaky = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: (record: Parameters<Producer['send']>[0]) => {
        if (!first) return producer.send(record);
        first = false;
        stuck();
        return new Promise((r) => (release = () => r([])));
      },
    } as unknown as Producer;
    const relay = new OutboxRelay(db, store, flaky, kafka, { context: 'test', topic: t, name, pollIntervalMs: 20, stopTimeoutMs: 300 });
    relay.start();
    const early = `deal-${randomUUID()}`;
    await fastAppend(early);
    await sendStuck;
    await relay.stop(); // gives up on the send after 300 ms
    relay.start();
    await collectFromTopic(kafka, t, (x) => x.filter((c) => c.message.key?.toString() === early).length >= 2, 15000);
    // The new loop moves on past another stream...
    const middle = `deal-${randomUUID()}`;
    await fastAppend(middle);
    await collectFromTopic(kafka, t, (x) => x.filter((c) => c.message.key?.toString() === middle).length >= 2, 15000);
    release(); // ...and only then does the old loop's send return: it must not set the position back to just after `early`.
    await sleep(300);
    const later = Array.from({ length: 3 }, () => `deal-${randomUUID()}`);
    for (const s of later) await fastAppend(s);
    await collectFromTopic(kafka, t, (x) => later.every((s) => x.some((c) => c.message.key?.toString() === s)), 15000);
    await sleep(500); // time for a second copy, if the old loop were publishing too
    await relay.stop();
    const all = await readWholeTopic(kafka, t);
    // Each event once: the old loop neither set the position back nor published beside the new one.
    expect(all.map(keyOf).sort()).toEqual([early, middle, ...later].flatMap((s) => [`${s}#1`, `${s}#2`]).sort());
  }, 60000);

  it('lets only one of two relays on the same store publish', async () => {
    const a = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic, pollIntervalMs: 20, standbyRetryMs: 50 });
    const b = new OutboxRelay(db, store, producer, kafka, { context: 'test', topic, pollIntervalMs: 20, standbyRetryMs: 50 });
    a.start();
    await sleep(200);
    b.start();
    await sleep(200);
    expect([a.status.active, b.status.active]).toEqual([true, false]);
    await eventually(
      async () => [a.status.role, b.status.role],
      (r) => r[0] === 'active' && r[1] === 'standby',
      10000,
    );
    await a.stop();
    await sleep(300);
    expect(b.status.active).toBe(true);
    await b.stop();
  });
});
