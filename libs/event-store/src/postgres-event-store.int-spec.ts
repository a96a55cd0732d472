import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, QueryRunner } from 'typeorm';
import type { Decider } from '@dealledger/domain';
import { dropSchema, genericPlan, openTestDatabase, raceStoreReader, readWholeTopic, uniqueName } from '@dealledger/testing';
import { connectProducer, createKafka, ensureTopics, OutboxRelay } from '@dealledger/messaging';
import { EventCatalog } from '@dealledger/events';
import {
  anyAfterSql,
  canonicalEvent,
  chainHash,
  DuplicateEventError,
  handleCommand,
  NewEvent,
  pendingAfterSql,
  PostgresEventStore,
  START,
  StreamOrderConflictError,
  WrongExpectedVersionError,
} from '@dealledger/event-store';

const company = randomUUID();
const streamOf = (type = 'thing') => `${type}-${randomUUID()}`;
const ev = (type: string, data: Record<string, unknown> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: {
    occurredAt: new Date('2026-03-01T10:00:00.000Z'),
    parties: [company],
    actor: { companyId: company, personId: null },
    correlationId: randomUUID(),
  },
});

/** Reads the version, appends one event; on a conflict reads again. Returns attempts used. */
async function appendWithRetry(store: PostgresEventStore, streamId: string, type: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const version = (await store.readStream(streamId)).length;
    try {
      await store.append(streamId, version, [ev(type)]);
      return attempt;
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError)) throw err;
    }
  }
}

describe('PostgresEventStore (real PostgreSQL)', () => {
  const schema = uniqueName('es');
  let db: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await openTestDatabase(schema);
    store = new PostgresEventStore(db, schema);
    // A table outside the event store, for transactions that write elsewhere.
    await db.query(`CREATE TABLE "${schema}".elsewhere (n integer)`);
  });
  afterAll(() => dropSchema(db, schema));

  describe('reading upcasts (the aggregate loader)', () => {
    class NoteV1 {}
    class NoteV2 {}
    const catalog = new EventCatalog()
      .register(
        { type: 'NoteTaken', schemaVersion: 1, context: 'test', schema: NoteV1, description: 'v1: an integer count' },
        { type: 'NoteTaken', schemaVersion: 2, context: 'test', schema: NoteV2, description: 'v2: an exact decimal count' },
      )
      .registerUpcaster({ type: 'NoteTaken', fromVersion: 1, upcast: (d) => ({ count: String(d.count) }) });

    it('gives folds the newest version of stored old events, keeps the log as stored, and verify still passes', async () => {
      const upcasting = new PostgresEventStore(db, schema, catalog);
      const s = streamOf('note');
      await upcasting.append(s, 0, [ev('NoteTaken', { count: 3 }), { ...ev('NoteTaken', { count: '2.5' }), schemaVersion: 2 }]);
      const read = await upcasting.readStream(s);
      expect(read.map((e) => [e.schemaVersion, e.data])).toEqual([
        [2, { count: '3' }],
        [2, { count: '2.5' }],
      ]);
      const stored = await upcasting.readStreamAsStored(s);
      expect(stored.map((e) => [e.schemaVersion, e.data])).toEqual([
        [1, { count: 3 }],
        [2, { count: '2.5' }],
      ]);
      // The hash covers what was stored, not what readers see.
      expect(read.map((e) => e.hash)).toEqual(stored.map((e) => e.hash));
      const all = (await upcasting.readAll(START, 100000)).events.filter((e) => e.streamId === s);
      expect(all.map((e) => e.schemaVersion)).toEqual([1, 2]);
      expect((await upcasting.asCurrent(all)).map((e) => e.data)).toEqual([{ count: '3' }, { count: '2.5' }]);
      expect((await upcasting.verify()).ok).toBe(true);
    });

    it('passes read events through the readers a context adds, after upcasting', async () => {
      const upcasting = new PostgresEventStore(db, schema, catalog);
      upcasting.addReader(async (events) => events.map((e) => ({ ...e, data: { ...(e.data as object), seen: true } })));
      const s = streamOf('note');
      await upcasting.append(s, 0, [ev('NoteTaken', { count: 1 })]);
      expect((await upcasting.readStream(s))[0].data).toEqual({ count: '1', seen: true });
      expect((await upcasting.readStreamAsStored(s))[0].data).toEqual({ count: 1 });
    });
  });

  describe('append and read', () => {
    it('appends atomically with versions 1..n and reads a stream back from a version', async () => {
      const s = streamOf('offer');
      const first = await store.append(s, 0, [ev('A', { n: 1 }), ev('B', { n: 2 })]);
      const second = await store.append(s, 2, [ev('C', { nested: { z: 1, a: [1, 'x'] } })]);
      expect(first.nextExpectedVersion).toBe(2);
      expect(second.nextExpectedVersion).toBe(3);
      const all = await store.readStream(s);
      expect(all.map((e) => [e.type, e.streamVersion, e.streamType])).toEqual([
        ['A', 1, 'offer'],
        ['B', 2, 'offer'],
        ['C', 3, 'offer'],
      ]);
      expect(all[2].data).toEqual({ nested: { z: 1, a: [1, 'x'] } });
      expect(all[0].parties).toEqual([company]);
      expect((await store.readStream(s, 3)).map((e) => e.type)).toEqual(['C']);
    });

    it('gives the events of one append positions in their order, with each hash chained to the one before', async () => {
      const s = streamOf('offer');
      const events = Array.from({ length: 12 }, (_, i) => ev(`E${i}`, { i }));
      const first = await store.append(s, 0, events.slice(0, 2));
      const second = await store.append(s, 2, events.slice(2));
      const read = await store.readStreamAsStored(s);
      expect(read.map((e) => e.type)).toEqual(events.map((e) => e.type));
      expect(read.map((e) => e.position)).toEqual([...first.positions, ...second.positions]);
      expect([...first.positions, ...second.positions]).toEqual([...first.positions, ...second.positions].sort((a, b) => a - b));
      let previous: Buffer | null = null;
      for (const e of read) {
        expect(e.hash).toBe(chainHash(previous, canonicalEvent(e)).toString('hex'));
        previous = Buffer.from(e.hash, 'hex');
      }
    });

    it('refuses a stale expected version with a typed conflict, writing nothing', async () => {
      const s = streamOf();
      await store.append(s, 0, [ev('A')]);
      await expect(store.append(s, 0, [ev('B')])).rejects.toBeInstanceOf(WrongExpectedVersionError);
      await expect(store.append(s, 5, [ev('B')])).rejects.toMatchObject({
        expectedVersion: 5,
        actualVersion: 1,
        code: 'stream.wrong_expected_version',
        status: 409,
      });
      expect(await store.readStream(s)).toHaveLength(1);
    });

    it('treats re-appending stored event ids as a no-op, even with a now-stale version', async () => {
      const s = streamOf();
      const events = [ev('A'), ev('B')];
      const first = await store.append(s, 0, events);
      const again = await store.append(s, 0, events);
      expect(again).toMatchObject({ noop: true, nextExpectedVersion: 2, positions: first.positions });
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it('refuses an append in which only some event ids are already stored', async () => {
      const s = streamOf();
      const a = ev('A');
      await store.append(s, 0, [a]);
      await expect(store.append(s, 1, [a, ev('B')])).rejects.toBeInstanceOf(DuplicateEventError);
      expect(await store.readStream(s)).toHaveLength(1);
    });

    it('rejects malformed stream ids', async () => {
      await expect(store.append('no-uuid-here', 0, [ev('A')])).rejects.toThrow(/stream id/);
    });
  });

  describe('under concurrency', () => {
    it('gives exactly one of many racing creators the new stream', async () => {
      const s = streamOf();
      const results = await Promise.allSettled(Array.from({ length: 30 }, () => store.append(s, 0, [ev('Created')])));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected.every((r) => r.reason instanceof WrongExpectedVersionError)).toBe(true);
      expect(await store.readStream(s)).toHaveLength(1);
    });

    it('never gaps or repeats versions with dozens of writers on one stream', async () => {
      const s = streamOf();
      const writers = 40;
      const attempts = await Promise.all(Array.from({ length: writers }, () => appendWithRetry(store, s, 'Tick')));
      const versions = (await store.readStream(s)).map((e) => e.streamVersion);
      expect(versions).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
      expect(attempts.some((n) => n > 1)).toBe(true); // they really did collide
    });

    it('never gaps or repeats versions with dozens of writers over many streams', async () => {
      const streams = Array.from({ length: 8 }, () => streamOf());
      await Promise.all(Array.from({ length: 48 }, (_, i) => appendWithRetry(store, streams[i % streams.length], 'Tick')));
      for (const s of streams) {
        expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6]);
      }
      expect((await store.verify()).ok).toBe(true);
    });
  });

  describe('readAll in commit order', () => {
    it('holds back events of later transactions until an earlier, slower one commits', async () => {
      const before = await store.readAll(START, 100000);
      const slow = streamOf('slow');
      const fast = streamOf('fast');
      const runner = db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await store.append(slow, 0, [ev('Slow')], { queryRunner: runner });
        await store.append(fast, 0, [ev('Fast')]);
        const fastPosition = (await store.readStream(fast))[0].position;
        const slowPosition = Number((await runner.query(`SELECT position FROM "${schema}".events WHERE stream_id = $1`, [slow]))[0].position);
        // The premise: the lower position commits later.
        expect(slowPosition).toBeLessThan(fastPosition);
        // The fast one is committed, but an older transaction is still open: nothing past it is read.
        const during = await store.readAll(before.checkpoint, 1000);
        expect(during.events.map((e) => e.streamId)).not.toContain(fast);
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
      const after = await store.readAll(before.checkpoint, 1000);
      const ids = after.events.map((e) => e.streamId);
      expect(ids).toContain(slow);
      expect(ids).toContain(fast);
      expect(ids.indexOf(slow)).toBeLessThan(ids.indexOf(fast));
      const nothingMore = await store.readAll(after.checkpoint, 1000);
      expect(nothingMore.events).toHaveLength(0);
    });

    it('does not wait for a running transaction that writes only elsewhere', async () => {
      const before = await store.readAll(START, 100000);
      const runner = db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query(`INSERT INTO "${schema}".elsewhere VALUES (1)`);
        const s = streamOf('meanwhile');
        await store.append(s, 0, [ev('Meanwhile')]);
        // The other transaction is older and still open, yet it holds no write lock on the events table.
        const during = await store.readAll(before.checkpoint, 1000);
        expect(during.events.map((e) => e.streamId)).toContain(s);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    });

    it('refuses to start appending in a transaction that already wrote elsewhere, and allows further appends after a first', async () => {
      const late = streamOf('late');
      const runner = db.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await runner.query(`INSERT INTO "${schema}".elsewhere VALUES (1)`);
        await expect(store.append(late, 0, [ev('Late')], { queryRunner: runner })).rejects.toThrow(/after other writes in the same transaction/);
        await runner.rollbackTransaction();

        const first = streamOf('first');
        await runner.startTransaction();
        await store.append(first, 0, [ev('First')], { queryRunner: runner });
        await runner.query(`INSERT INTO "${schema}".elsewhere VALUES (2)`);
        await store.append(late, 0, [ev('Late')], { queryRunner: runner });
        await runner.commitTransaction();
        expect(await store.readStream(first)).toHaveLength(1);
        expect(await store.readStream(late)).toHaveLength(1);
      } finally {
        await runner.release();
      }
    });

    it('decides a command in a caller’s transaction on what an earlier command of that transaction appended to the stream', async () => {
      // A counter: each command records the next number, decided from the stream as read.
      type Counted = { type: 'Counted'; data: { n: number } };
      const counter: Decider<number, { type: 'Count' }, Counted> = {
        initialState: 0,
        evolve: (_s, e) => e.data.n,
        decide: (_c, s) => [{ type: 'Counted', data: { n: s + 1 } }],
      };
      const streamId = streamOf('counter');
      const count = (commandId: string, queryRunner: QueryRunner) =>
        handleCommand<number, { type: 'Count' }, Counted>({
          store,
          streamId,
          decider: counter,
          command: { type: 'Count' },
          metadata: { commandId, now: new Date(), requester: null, correlationId: randomUUID() },
          parties: () => [company],
          schemaVersion: () => 1,
          queryRunner,
        });
      const runner = db.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await count('first', runner);
        // Read outside the transaction, the second would decide n = 1 again and conflict.
        await count('second', runner);
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
      expect((await store.readStream(streamId)).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
    });

    it('answers a command that lost the race to the same command id (another replica) with what the winner stored, not with its own decision', async () => {
      type Noted = { type: 'Noted'; data: { text: string } };
      // One event per line of the text: the second loser below decides more events than the winner stored.
      const noter: Decider<null, { type: 'Note'; text: string }, Noted> = {
        initialState: null,
        evolve: (s) => s,
        decide: (c) => c.text.split('\n').map((text) => ({ type: 'Noted' as const, data: { text } })),
      };
      const streamId = streamOf('note');
      const note = (on: PostgresEventStore, text: string) =>
        handleCommand<null, { type: 'Note'; text: string }, Noted>({
          store: on,
          streamId,
          decider: noter,
          command: { type: 'Note', text },
          metadata: { commandId: 'same-key', now: new Date(), requester: null, correlationId: randomUUID() },
          parties: () => [company],
          schemaVersion: () => 1,
        });
      const winner = await note(store, 'first body');
      // The loser read the stream before the winner committed: its first read finds it empty.
      const late = () => {
        const view = Object.create(store) as PostgresEventStore;
        let reads = 0;
        view.readStream = (async (...args: Parameters<PostgresEventStore['readStream']>) =>
          reads++ === 0 ? [] : store.readStream(...args)) as PostgresEventStore['readStream'];
        return view;
      };
      const loser = await note(late(), 'second body');
      expect(loser).toMatchObject({ replayed: true, events: [{ type: 'Noted', data: { text: 'first body' } }] });
      expect(loser.events).toEqual(winner.events);
      // One that decided more events than the winner stored (some of its ids stored, not all): the same answer.
      expect(await note(late(), 'second\nbody')).toMatchObject({ replayed: true, events: winner.events });
      expect((await store.readStream(streamId)).map((e) => e.data)).toEqual([{ text: 'first body' }]);
    });

    it('refuses to append to a stream after a newer transaction appended to it (a retryable conflict), so a stream is never out of commit order', async () => {
      const other = streamOf('other');
      const shared = streamOf('shared');
      const before = await store.readAll(START, 1000000);
      const runner = db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        // T1 appends elsewhere first: it has its transaction id from now on.
        await store.append(other, 0, [ev('Other')], { queryRunner: runner });
        // T2, younger, appends the shared stream's first event and commits.
        await store.append(shared, 0, [ev('First')]);
        // T1 now sees version 1 and would append version 2 with an older transaction id.
        await expect(store.append(shared, 1, [ev('Second')], { queryRunner: runner })).rejects.toBeInstanceOf(StreamOrderConflictError);
        await runner.rollbackTransaction();
      } finally {
        await runner.release();
      }
      // Retried in a new transaction, it goes through, and commit order agrees with version order.
      await store.append(shared, 1, [ev('Second')]);
      const after = await store.readAll(before.checkpoint, 1000000);
      expect(after.events.filter((e) => e.streamId === shared).map((e) => e.streamVersion)).toEqual([1, 2]);
      const err = new StreamOrderConflictError(shared, 1);
      expect(err).toBeInstanceOf(WrongExpectedVersionError);
      expect(err.code).toBe('stream.wrong_expected_version');
    });

    it('takes no transaction id before its INSERT holds the write lock, so a reader never passes an appender over as a bystander', async () => {
      // The reader treats a running transaction with an id but no write lock on events as a
      // bystander. A SHARE lock held elsewhere stops the append's INSERT at its lock request,
      // just after the stream-order check: the appender must not have an id yet at that point.
      const s = streamOf('unassigned');
      await store.append(s, 0, [ev('First')]);
      const blocker = db.createQueryRunner();
      const appender = db.createQueryRunner();
      await blocker.connect();
      await appender.connect();
      try {
        await blocker.startTransaction();
        await blocker.query(`LOCK TABLE "${schema}".events IN SHARE MODE`);
        const [{ pid }] = await appender.query('SELECT pg_backend_pid() AS pid');
        const appending = store.append(s, 1, [ev('Second')], { queryRunner: appender });
        let waiting: Array<{ xid: string | null }> = [];
        for (let i = 0; i < 1000 && waiting.length === 0; i++) {
          waiting = await db.query(
            `SELECT a.backend_xid::text AS xid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
              WHERE l.pid = $1 AND l.relation = '"${schema}".events'::regclass AND l.mode = 'RowExclusiveLock' AND NOT l.granted`,
            [pid],
          );
          if (waiting.length === 0) await sleep(10);
        }
        expect(waiting).toEqual([{ xid: null }]);
        await blocker.commitTransaction();
        await appending;
        expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual([1, 2]);
      } finally {
        if (blocker.isTransactionActive) await blocker.rollbackTransaction();
        await blocker.release();
        await appender.release();
      }
    });

    it('never skips, repeats or inverts an event while appenders, slow appending transactions, rollbacks, bystanders and multi-stream transactions race a reader', async () => {
      // The same race runs many times over with `npm run stress:store`.
      const result = await raceStoreReader(db, store, { ms: 5000 });
      expect(result.committed).toBeGreaterThan(200);
      expect({ missed: result.missed, repeated: result.repeated, inverted: result.inverted }).toEqual({ missed: [], repeated: [], inverted: [] });
      expect(result.read).toBe(result.committed);
    }, 30000);

    it('pages through the log without repeating or skipping', async () => {
      const s = streamOf();
      await store.append(
        s,
        0,
        Array.from({ length: 25 }, (_, i) => ev('Page', { i })),
      );
      const total = Number((await db.query(`SELECT count(*) AS n FROM "${schema}".events`))[0].n);
      const seen: number[] = [];
      let cp = START;
      // Transactions still open elsewhere on the server hold the horizon back: keep paging until all are read.
      const deadline = Date.now() + 20000;
      while (seen.length < total && Date.now() < deadline) {
        const page = await store.readAll(cp, 7);
        if (page.events.length === 0) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        seen.push(...page.events.map((e) => e.position));
        cp = page.checkpoint;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect((await store.readAll(cp, 7)).events).toHaveLength(0);
      expect(seen).toHaveLength(total);
    });

    it('asks whether anything came after a checkpoint, and how much, by the commit-order index, also in the generic plan a prepared statement keeps', async () => {
      // Enough of a log that a scan would show: the probe runs on every poll of every relay and projector.
      for (let i = 0; i < 20; i++)
        await store.append(
          streamOf(),
          0,
          Array.from({ length: 100 }, (_, j) => ev('Filler', { j })),
        );
      await db.query(`ANALYZE "${schema}".events`);
      const [last] = await db.query(`SELECT transaction_id::text AS t, position FROM "${schema}".events ORDER BY transaction_id DESC, position DESC LIMIT 1`);
      const total = Number((await db.query(`SELECT count(*) AS n FROM "${schema}".events`))[0].n);
      const atStart = [`'0'`, '0'];
      const atEnd = [`'${BigInt(last.t)}'`, String(Number(last.position))];
      for (const sql of [anyAfterSql(schema), pendingAfterSql(schema)]) {
        const { plan, nodes } = await genericPlan(db, sql, atStart);
        expect(plan).not.toContain('Seq Scan');
        // The range is the index's condition, not a filter over all of it.
        expect(nodes.find((n) => n['Index Name'] === 'events_commit_order_idx')?.['Index Cond']).toContain('transaction_id');
      }
      // And they answer under that plan: something after the start, nothing after the last event.
      expect((await genericPlan(db, anyAfterSql(schema), atStart)).rows).toHaveLength(1);
      expect((await genericPlan(db, anyAfterSql(schema), atEnd)).rows).toHaveLength(0);
      expect((await genericPlan(db, pendingAfterSql(schema), atStart)).rows[0].events).toBe(Math.min(total, 100000));
      expect((await genericPlan(db, pendingAfterSql(schema), atEnd)).rows[0].events).toBe(0);
    });
  });

  describe('commit order across transaction ids of different lengths', () => {
    // Events written with explicit transaction ids that straddle powers of ten: compared as
    // text, "1000" sorts before "999" and a page out of order moves the checkpoint past events
    // not yet read. Needs no luck: the ids are chosen, not waited for.
    const schema2 = uniqueName('es_order');
    let db2: DataSource;
    let store2: PostgresEventStore;
    let expected: number[];

    beforeAll(async () => {
      db2 = await openTestDatabase(schema2);
      store2 = new PostgresEventStore(db2, schema2);
      // Every chosen id must be below the server's counter (and so below the reader's horizon).
      while (BigInt((await db2.query(`SELECT pg_current_xact_id()::text AS x`))[0].x) < 10100n) {
        await db2.query(
          `DO $$ BEGIN FOR i IN 1..500 LOOP BEGIN PERFORM pg_current_xact_id(); CREATE TEMP TABLE IF NOT EXISTS burn (n int); INSERT INTO burn VALUES (1); EXCEPTION WHEN others THEN NULL; END; END LOOP; END $$`,
        );
        await db2.query(`SELECT pg_current_xact_id()`);
      }
      const xids = [8, 9, 10, 11, 98, 99, 100, 100, 101, 998, 999, 1000, 1001, 9998, 9999, 10000, 10001];
      // Inserted in a scrambled order, so positions do not follow transaction ids.
      const order = xids.map((x, i) => ({ x, i })).sort((a, b) => ((a.i * 7) % xids.length) - ((b.i * 7) % xids.length));
      const streams = new Map<number, string>();
      for (const { x, i } of order) {
        const s = streamOf('order');
        streams.set(i, s);
        await db2.query(
          `INSERT INTO "${schema2}".events (transaction_id, event_id, stream_id, stream_type, stream_version, type, schema_version, data, occurred_at, parties, correlation_id, hash)
           VALUES ($1::xid8, $2, $3, 'order', 1, 'Ordered', 1, $4, now(), '{}', 'c', '\\x00')`,
          [String(x), randomUUID(), s, JSON.stringify({ xid: x, i })],
        );
      }
      expected = (await db2.query(`SELECT position FROM "${schema2}".events ORDER BY transaction_id, position`)).map((r: { position: string }) =>
        Number(r.position),
      );
      // The premise: in commit order, positions are not ascending.
      expect([...expected].sort((a, b) => a - b)).not.toEqual(expected);
    });
    afterAll(() => dropSchema(db2, schema2));

    it('reads every event exactly once and in commit order, in pages of every size', async () => {
      for (let size = 1; size <= expected.length + 1; size++) {
        const seen: number[] = [];
        let cp = START;
        for (let pages = 0; pages <= expected.length + 1; pages++) {
          const page = await store2.readAll(cp, size);
          if (page.events.length === 0) break;
          seen.push(...page.events.map((e) => e.position));
          cp = page.checkpoint;
        }
        expect({ size, seen }).toEqual({ size, seen: expected });
      }
    });

    it('publishes every event exactly once and in commit order through the outbox relay, in batches of several sizes', async () => {
      const kafka = createKafka('order-test');
      const producer = await connectProducer(kafka);
      try {
        for (const batchSize of [1, 2, 3, 7]) {
          const topic = `${uniqueName('t')}.order.events`;
          // One partition: the order on the topic is the order of publishing.
          await ensureTopics(kafka, [{ topic, partitions: 1 }]);
          const relay = new OutboxRelay(db2, store2, producer, kafka, { context: 'test', topic, batchSize });
          await relay.publishPending();
          // publishPending returns once Kafka acknowledged every event: the topic holds all it will.
          const all = await readWholeTopic(kafka, topic, 20000);
          expect({ batchSize, positions: all.map((c) => (JSON.parse(c.message.value!.toString()) as { position: number }).position) }).toEqual({
            batchSize,
            positions: expected,
          });
        }
      } finally {
        await producer.disconnect();
      }
    }, 120000);
  });

  describe('hash chain', () => {
    it('verifies an untouched log', async () => {
      const report = await store.verify();
      expect(report).toMatchObject({ ok: true, broken: [] });
      expect(report.events).toBeGreaterThan(0);
    });

    it('names the event whose data was altered by SQL', async () => {
      const s = streamOf('contract');
      await store.append(s, 0, [ev('Drafted', { price: 100 }), ev('Signed', { by: 'a' }), ev('Signed', { by: 'b' })]);
      const victim = (await store.readStream(s))[1];
      await db.query(`UPDATE "${schema}".events SET data = '{"by":"mallory"}' WHERE event_id = $1`, [victim.id]);
      const report = await store.verify();
      expect(report.ok).toBe(false);
      expect(report.broken).toEqual([
        expect.objectContaining({ streamId: s, streamVersion: 2, eventId: victim.id, reason: expect.stringMatching(/hash mismatch/) }),
      ]);
      await db.query(`UPDATE "${schema}".events SET data = '{"by":"a"}' WHERE event_id = $1`, [victim.id]);
      expect((await store.verify()).ok).toBe(true);
    });

    it('notices an event rewritten together with its hash', async () => {
      const s = streamOf('contract');
      await store.append(s, 0, [ev('A'), ev('B'), ev('C')]);
      const b = (await store.readStream(s))[1];
      await db.query(`UPDATE "${schema}".events SET occurred_at = occurred_at + interval '1 day', hash = sha256(hash) WHERE event_id = $1`, [b.id]);
      const report = await store.verify();
      expect(report.broken.find((x) => x.streamId === s)).toMatchObject({ streamVersion: 2, eventId: b.id });
    });

    it('notices a deleted event', async () => {
      const s = streamOf('contract');
      await store.append(s, 0, [ev('A'), ev('B'), ev('C')]);
      await db.query(`DELETE FROM "${schema}".events WHERE stream_id = $1 AND stream_version = 2`, [s]);
      const report = await store.verify();
      expect(report.broken.find((x) => x.streamId === s)).toMatchObject({ streamVersion: 3, reason: expect.stringMatching(/version 2 is missing/) });
    });
  });
});
