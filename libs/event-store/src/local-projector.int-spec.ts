import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { eventually, dropSchema, openTestDatabase, uniqueName } from '@dealledger/testing';
import { LocalProjector, NewEvent, PostgresEventStore, RecordedEvent } from '@dealledger/event-store';

const company = randomUUID();
const streamOf = () => `thing-${randomUUID()}`;
const ev = (type: string): NewEvent => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  data: {},
  metadata: { occurredAt: new Date('2026-03-01T10:00:00.000Z'), parties: [company], actor: null, correlationId: randomUUID() },
});

/** What a Nest Logger method was called with, and the context (the projector's name) it logged under. */
function logged(spy: jest.SpyInstance): { context: string; message: string }[] {
  return spy.mock.calls.map((call, i) => ({ context: (spy.mock.contexts[i] as { context: string }).context, message: String(call[0]) }));
}

describe('LocalProjector (real PostgreSQL)', () => {
  const schema = uniqueName('lp');
  let db: DataSource;
  let store: PostgresEventStore;
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeAll(async () => {
    db = await openTestDatabase(schema);
    store = new PostgresEventStore(db, schema);
    // A read table without a unique key: an event applied twice would show as two rows.
    await db.query(`CREATE TABLE "${schema}".seen (projection text NOT NULL, event_id uuid NOT NULL, type text NOT NULL)`);
  });
  afterAll(() => dropSchema(db, schema));
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  /** Records every event of `streamId` in `seen`; `fail` decides which throw instead. */
  function projector(
    name: string,
    streamId: string,
    fail: (e: RecordedEvent) => Error | null,
    target = store,
    pollIntervalMs?: number,
    checkpointRecheckMs?: number,
  ) {
    return new LocalProjector(db, target, {
      name,
      pollIntervalMs,
      checkpointRecheckMs,
      apply: async (events: RecordedEvent[], tx: EntityManager) => {
        for (const e of events) {
          if (e.streamId !== streamId) continue;
          await tx.query(`INSERT INTO "${schema}".seen (projection, event_id, type) VALUES ($1, $2, $3)`, [name, e.id, e.type]);
          const err = fail(e);
          if (err) throw err;
        }
      },
    });
  }

  const seen = async (name: string) =>
    (await db.query(`SELECT type FROM "${schema}".seen WHERE projection = $1 ORDER BY type`, [name])).map((r: { type: string }) => r.type);
  const parked = (name: string) =>
    db.query(`SELECT event_id, position::int AS position, stream_id, type, error, parked_at FROM "${schema}".projection_parked_events WHERE projection = $1`, [
      name,
    ]);
  const checkpointOf = async (name: string) => (await store.readCheckpoint(name)).position;
  /** Until the projection has applied an event of this type. */
  const untilSeen = (name: string, type: string, timeoutMs = 5000, everyMs = 20) =>
    eventually(
      () => seen(name),
      (types) => types.includes(type),
      timeoutMs,
      everyMs,
    );

  it('parks an event that fails on its own, applies the rest of its batch exactly once, logs it, and goes on', async () => {
    const name = uniqueName('projection:poison');
    const s = streamOf();
    const [a, poison, c] = [ev('A'), ev('Poison'), ev('C')];
    const { positions } = await store.append(s, 0, [a, poison, c]);
    const p = projector(name, s, (e) => (e.type === 'Poison' ? new Error('cannot apply Poison') : null));

    await p.catchUp();

    expect(await seen(name)).toEqual(['A', 'C']);
    expect(await parked(name)).toEqual([
      { event_id: poison.id, position: positions[1], stream_id: s, type: 'Poison', error: 'cannot apply Poison', parked_at: expect.any(Date) },
    ]);
    expect(await checkpointOf(name)).toBe(positions[2]);
    expect(logged(error)).toEqual([
      {
        context: `LocalProjector(${name})`,
        message: expect.stringMatching(new RegExp(`parked event ${poison.id} \\(Poison, stream ${s}, position ${positions[1]}\\).*cannot apply Poison`)),
      },
    ]);
    expect(logged(warn)).toEqual([{ context: `LocalProjector(${name})`, message: expect.stringContaining('cannot apply Poison') }]);

    // Later events are projected; the parked one is not tried again.
    await store.append(s, 3, [ev('D')]);
    await p.catchUp();
    expect(await seen(name)).toEqual(['A', 'C', 'D']);
    expect(await parked(name)).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(1);
  });

  it('parks an event that cannot be read (its reader fails), and goes on with the rest', async () => {
    const name = uniqueName('projection:unreadable');
    const s = streamOf();
    const reading = new PostgresEventStore(db, schema);
    reading.addReader(async (events) => {
      if (events.some((e) => e.type === 'Unreadable')) throw new Error('cannot open Unreadable');
      return events;
    });
    const [a, unreadable, c] = [ev('A'), ev('Unreadable'), ev('C')];
    const { positions } = await reading.append(s, 0, [a, unreadable, c]);
    await projector(name, s, () => null, reading).catchUp();
    expect(await seen(name)).toEqual(['A', 'C']);
    expect(await parked(name)).toEqual([expect.objectContaining({ event_id: unreadable.id, type: 'Unreadable', error: 'cannot open Unreadable' })]);
    expect(await checkpointOf(name)).toBe(positions[2]);
  });

  it('parks a poison event once and applies the others once when two instances catch up together', async () => {
    const name = uniqueName('projection:pair');
    const s = streamOf();
    await store.append(s, 0, [ev('A'), ev('B'), ev('Poison'), ev('C'), ev('Poison'), ev('D')]);
    const fail = (e: RecordedEvent) => (e.type === 'Poison' ? new Error('cannot apply Poison') : null);
    const [one, two] = [projector(name, s, fail), projector(name, s, fail)];

    await Promise.all([one.catchUp(), two.catchUp()]);

    expect(await seen(name)).toEqual(['A', 'B', 'C', 'D']);
    expect((await parked(name)).map((r: { type: string }) => r.type)).toEqual(['Poison', 'Poison']);
    expect(error).toHaveBeenCalledTimes(2);
  });

  it('does not park an event that fails with an infrastructure error: the step fails and the event is applied once that passes', async () => {
    const name = uniqueName('projection:deadlock');
    const s = streamOf();
    await store.append(s, 0, [ev('A'), ev('B')]);
    let failing = true;
    const p = projector(name, s, (e) => (failing && e.type === 'B' ? Object.assign(new Error('deadlock detected'), { code: '40P01' }) : null));
    const before = await checkpointOf(name);

    await expect(p.catchUp()).rejects.toThrow('deadlock detected');
    expect(await parked(name)).toEqual([]);
    expect(await seen(name)).toEqual([]);
    expect(await checkpointOf(name)).toBe(before);

    failing = false;
    await p.catchUp();
    expect(await seen(name)).toEqual(['A', 'B']);
    expect(await parked(name)).toEqual([]);
  });

  it('does not park an event that fails while the database does not answer, and parks it once it does', async () => {
    const name = uniqueName('projection:away');
    const s = streamOf();
    const { positions } = await store.append(s, 0, [ev('A'), ev('Poison')]);
    const p = projector(name, s, (e) => (e.type === 'Poison' ? new Error('cannot apply Poison') : null));
    // The probe that follows a lone failure finds the database away. (All arguments passed on:
    // a transaction's queries come through here with their query runner.)
    const query = db.query.bind(db) as (...args: unknown[]) => Promise<any>;
    const probe = jest
      .spyOn(db, 'query')
      .mockImplementation((...args: any[]) => (args[0] === 'SELECT 1' ? Promise.reject(new Error('connect ECONNREFUSED')) : query(...args)));

    await expect(p.catchUp()).rejects.toThrow('cannot apply Poison');
    expect(await parked(name)).toEqual([]);
    expect(await checkpointOf(name)).toBe(positions[0]);

    probe.mockRestore();
    await p.catchUp();
    expect(await parked(name)).toMatchObject([{ type: 'Poison' }]);
    expect(await seen(name)).toEqual(['A']);
  });

  it('logs the failures of its loop with its name', async () => {
    const name = uniqueName('projection:loop');
    const s = streamOf();
    await store.append(s, 0, [ev('A')]);
    const p = projector(name, s, () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), store, 50);
    p.start();
    try {
      await eventually(
        async () => logged(warn),
        (l) => l.some((x) => x.context === `LocalProjector(${name})` && x.message.includes('terminating connection')),
        5000,
        20,
      );
    } finally {
      await p.stop();
    }
    expect(await parked(name)).toEqual([]);
  });

  it('reads its checkpoint once, not at every poll, and again when another instance moved it: nothing applied twice or lost', async () => {
    const name = uniqueName('projection:memory');
    const s = streamOf();
    // Its own store instance: its appends wake only projectors on it (not one on the shared store).
    const own = new PostgresEventStore(db, schema);
    const reads = jest.spyOn(own, 'readCheckpoint');
    const polling = projector(name, s, () => null, own, 100, 60000);
    polling.start();
    try {
      await own.append(s, 0, [ev('A')]);
      await untilSeen(name, 'A');
      // A second of polls (about ten of them): the checkpoint is not read again.
      await new Promise((r) => setTimeout(r, 1000));
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      await polling.stop();
    }

    // Woken by its own appends only (no poll within the test): another instance applies B and
    // moves the checkpoint past what this one remembers; C wakes it.
    reads.mockClear();
    const woken = projector(name, s, () => null, own, 60000, 60000);
    woken.start();
    try {
      await eventually(
        () => Promise.resolve(reads.mock.calls.length),
        (n) => n === 1,
        5000,
        20,
      );
      await store.append(s, 1, [ev('B')]);
      await projector(name, s, () => null).catchUp();
      await own.append(s, 2, [ev('C')]);
      await untilSeen(name, 'C');
      expect(await seen(name)).toEqual(['A', 'B', 'C']);
      // Its commit of B and C was refused, and it read the checkpoint again.
      expect(reads).toHaveBeenCalledTimes(2);
    } finally {
      await woken.stop();
    }
    expect(error).not.toHaveBeenCalled();
  });

  it('notices within seconds, with nothing appended, that an operator deleted its checkpoint, and replays the log once', async () => {
    const name = uniqueName('projection:reset');
    const s = streamOf();
    await store.append(s, 0, [ev('A'), ev('B')]);
    const one = projector(name, s, () => null, store, 100, 500);
    one.start();
    try {
      await eventually(
        () => seen(name),
        (types) => types.length === 2,
        5000,
        20,
      );
      // What the class says to do to rebuild the table: delete its rows and its checkpoint (together).
      await db.transaction(async (tx) => {
        await tx.query(`DELETE FROM "${schema}".seen WHERE projection = $1`, [name]);
        await tx.query(`DELETE FROM "${schema}".outbox_checkpoints WHERE name = $1`, [name]);
      });
      await eventually(
        () => seen(name),
        (types) => types.length >= 2,
        5000,
        20,
      );
      // Settled: each event once, nothing parked.
      await new Promise((r) => setTimeout(r, 700));
      expect(await seen(name)).toEqual(['A', 'B']);
      expect(await parked(name)).toEqual([]);
      expect(error).not.toHaveBeenCalled();
    } finally {
      await one.stop();
    }
  });

  it('does not lose a wake-up that arrives while a step runs (no wait for the next poll)', async () => {
    const name = uniqueName('projection:wake');
    const s = streamOf();
    // Its own store instance: appends through it wake only this projector, and readAll can be wrapped.
    const own = new PostgresEventStore(db, schema);
    const readAll = own.readAll.bind(own);
    let appendedAt = 0;
    // The race made certain: a step reads all there is (a short batch, after which the projector
    // would sleep), then (before it returns) an append commits and wakes the projector.
    jest.spyOn(own, 'readAll').mockImplementation(async (after, limit) => {
      const result = await readAll(after, limit);
      if (!appendedAt && result.events.length < (limit ?? 1000)) {
        await own.append(s, 0, [ev('Late')]);
        appendedAt = Date.now();
      }
      return result;
    });
    const p = projector(name, s, () => null, own, 10000);
    p.start();
    try {
      await untilSeen(name, 'Late', 3000, 10);
      expect(Date.now() - appendedAt).toBeLessThan(2000);
    } finally {
      await p.stop();
    }
  });
});
