import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { dropSchema, openTestDatabase, uniqueName } from '@dealledger/testing';
import { DomainError } from '@dealledger/domain';
import { EVENT_STORE_MIGRATIONS, NewEvent, PostgresEventStore } from '@dealledger/event-store';
import { DEADLINE_MIGRATIONS, DeadlineRule, DeadlineScheduler } from '@dealledger/platform';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const MIGRATIONS = [...EVENT_STORE_MIGRATIONS, ...DEADLINE_MIGRATIONS];

const EXPIRY: DeadlineRule = {
  kind: 'expiry',
  streamType: 'thing',
  change: (e) => (e.type === 'ThingScheduled' ? { due: e.data.due } : e.type === 'ThingDone' ? 'clear' : 'keep'),
};

const ev = (type: string, data: Record<string, unknown> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt: NOW, parties: [], actor: null, correlationId: randomUUID() },
});

describe('DeadlineScheduler (real PostgreSQL)', () => {
  let schema: string;
  let db: DataSource;
  let store: PostgresEventStore;
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;
  /** Streams whose onDue throws, and what. */
  let failures: Map<string, Error>;
  let calls: string[];
  const schedulers: DeadlineScheduler[] = [];

  beforeEach(async () => {
    schema = uniqueName('dl');
    db = await openTestDatabase(schema, MIGRATIONS);
    store = new PostgresEventStore(db, schema);
    failures = new Map();
    calls = [];
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    for (const s of schedulers.splice(0)) await s.stop();
    await dropSchema(db, schema);
  });

  function scheduler(options: { maxAttempts?: number } = {}): DeadlineScheduler {
    const s = new DeadlineScheduler(db, store, {
      rules: [EXPIRY],
      clock: () => NOW,
      intervalMs: 60000,
      maxAttempts: options.maxAttempts,
      onDue: async (_kind, streamId) => {
        calls.push(streamId);
        const failure = failures.get(streamId);
        if (failure) throw failure;
      },
    });
    schedulers.push(s);
    return s;
  }

  async function schedule(due: string): Promise<string> {
    const streamId = `thing-${randomUUID()}`;
    await store.append(streamId, 0, [ev('ThingScheduled', { due })]);
    return streamId;
  }

  const row = async (streamId: string) =>
    (await db.query(`SELECT attempts, last_error, parked_at FROM "${schema}".deadlines WHERE stream_id = $1`, [streamId]))[0];

  it('keeps keyed deadlines of one kind on a stream apart: each set and cleared by its key, all cleared together', async () => {
    const PART: DeadlineRule = {
      kind: 'part',
      streamType: 'thing',
      change: (e) =>
        e.type === 'PartScheduled'
          ? { due: e.data.due, key: e.data.key }
          : e.type === 'PartDone'
            ? { clear: e.data.key }
            : e.type === 'ThingDone'
              ? 'clear'
              : 'keep',
    };
    const due: string[] = [];
    const s = new DeadlineScheduler(db, store, {
      rules: [EXPIRY, PART],
      clock: () => NOW,
      intervalMs: 60000,
      onDue: async (kind, streamId) => void due.push(`${kind} ${streamId}`),
    });
    schedulers.push(s);
    const id = `thing-${randomUUID()}`;
    const at = '2026-03-01T00:00:00.000Z';
    await store.append(id, 0, [ev('ThingScheduled', { due: at }), ev('PartScheduled', { due: at, key: 'a' }), ev('PartScheduled', { due: at, key: 'b' })]);
    expect(await s.runOnce()).toBe(3);
    expect(due.sort()).toEqual([`expiry ${id}`, `part:a ${id}`, `part:b ${id}`]);
    await store.append(id, 3, [ev('PartDone', { key: 'a' })]);
    due.length = 0;
    await s.runOnce();
    expect(due.sort()).toEqual([`expiry ${id}`, `part:b ${id}`]);
    // 'clear' takes every key of the kind, and only that kind's.
    await store.append(id, 4, [ev('ThingDone')]);
    const kinds = async () =>
      (await db.query(`SELECT kind FROM "${schema}".deadlines WHERE stream_id = $1 ORDER BY kind`, [id])).map((r: { kind: string }) => r.kind);
    await s.runOnce();
    expect(await kinds()).toEqual([]);
    await store.append(id, 5, [ev('PartScheduled', { due: at, key: 'c' }), ev('ThingScheduled', { due: at })]);
    await s.runOnce();
    expect(await kinds()).toEqual(['expiry', 'part:c']);
  });

  it('goes on with the other deadlines when one fails, logging kind, stream and error and counting the attempt', async () => {
    const a = await schedule('2026-03-01T00:00:00.000Z');
    const bad = await schedule('2026-03-02T00:00:00.000Z');
    const c = await schedule('2026-03-03T00:00:00.000Z');
    failures.set(bad, new Error('handler exploded'));
    const s = scheduler();

    expect(await s.runOnce()).toBe(2);

    expect(calls).toEqual([a, bad, c]);
    expect(await row(bad)).toEqual({ attempts: 1, last_error: 'handler exploded', parked_at: null });
    expect(warn.mock.calls.map((c) => c[0])).toEqual([expect.stringMatching(new RegExp(`^expiry deadline of ${bad} .*attempt 1 of 5.*handler exploded`))]);

    // Attempts count failures in a row: a success clears them.
    failures.clear();
    await s.runOnce();
    expect(await row(bad)).toEqual({ attempts: 0, last_error: null, parked_at: null });
  });

  it('does not count a DomainError (nothing to do any more)', async () => {
    const done = await schedule('2026-03-01T00:00:00.000Z');
    failures.set(done, new DomainError('thing.done', 'conflict', 'already done'));
    expect(await scheduler().runOnce()).toBe(0);
    expect(await row(done)).toEqual({ attempts: 0, last_error: null, parked_at: null });
    expect(warn).not.toHaveBeenCalled();
  });

  it('parks a deadline after 5 failed checks in a row, logs it at error level and no longer tries it', async () => {
    const bad = await schedule('2026-03-01T00:00:00.000Z');
    const good = await schedule('2026-03-02T00:00:00.000Z');
    failures.set(bad, new Error('handler exploded'));
    const s = scheduler();

    for (let i = 0; i < 5; i++) await s.runOnce();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0][0]).toMatch(new RegExp(`^expiry deadline of ${bad} .*parked after 5 failed attempts.*handler exploded`));
    expect(await s.parked()).toEqual([
      { kind: 'expiry', streamId: bad, dueAt: '2026-03-01T00:00:00.000Z', attempts: 5, lastError: 'handler exploded', parkedAt: expect.any(String) },
    ]);

    calls = [];
    expect(await s.runOnce()).toBe(1);
    expect(calls).toEqual([good]);
  });

  it('puts a parked deadline back when an event sets it again', async () => {
    const bad = await schedule('2026-03-01T00:00:00.000Z');
    failures.set(bad, new Error('handler exploded'));
    const s = scheduler({ maxAttempts: 1 });
    await s.runOnce();
    expect((await row(bad)).parked_at).not.toBeNull();

    await store.append(bad, 1, [ev('ThingScheduled', { due: '2026-03-05T00:00:00.000Z' })]);
    failures.clear();
    calls = [];
    expect(await s.runOnce()).toBe(1);
    expect(calls).toEqual([bad]);
    expect(await row(bad)).toEqual({ attempts: 0, last_error: null, parked_at: null });
  });

  it('puts a parked deadline back on unpark', async () => {
    const bad = await schedule('2026-03-01T00:00:00.000Z');
    failures.set(bad, new Error('handler exploded'));
    const s = scheduler({ maxAttempts: 1 });
    await s.runOnce();
    calls = [];
    await s.runOnce();
    expect(calls).toEqual([]);

    expect(await s.unpark('expiry', bad)).toBe(true);
    expect(await s.unpark('expiry', bad)).toBe(false);
    expect(await row(bad)).toEqual({ attempts: 0, last_error: null, parked_at: null });
    await s.runOnce();
    expect(calls).toEqual([bad]);
  });

  it('does not count infrastructure failures (the connection lost, a deadlock)', async () => {
    const a = await schedule('2026-03-01T00:00:00.000Z');
    const b = await schedule('2026-03-02T00:00:00.000Z');
    failures.set(a, new Error('Connection terminated unexpectedly'));
    failures.set(b, Object.assign(new Error('deadlock detected'), { code: '40P01' }));
    const s = scheduler({ maxAttempts: 1 });
    await s.runOnce();
    await s.runOnce();
    expect(calls).toEqual([a, b, a, b]);
    expect(await row(a)).toEqual({ attempts: 0, last_error: null, parked_at: null });
    expect(await row(b)).toEqual({ attempts: 0, last_error: null, parked_at: null });
    expect(error).not.toHaveBeenCalled();
  });

  it('stops the check without counting anything when the failure cannot be recorded (database away)', async () => {
    const a = await schedule('2026-03-01T00:00:00.000Z');
    const b = await schedule('2026-03-02T00:00:00.000Z');
    // The scheduler's own connection, closed under it while it acts on the first deadline.
    const own = await openTestDatabase(schema, MIGRATIONS);
    const s = new DeadlineScheduler(own, store, {
      rules: [EXPIRY],
      clock: () => NOW,
      intervalMs: 60000,
      maxAttempts: 1,
      onDue: async (_kind, streamId) => {
        calls.push(streamId);
        await own.destroy();
        throw new Error('socket closed');
      },
    });
    schedulers.push(s);

    await expect(s.runOnce()).rejects.toThrow('socket closed');
    expect(calls).toEqual([a]);
    expect(await row(a)).toEqual({ attempts: 0, last_error: null, parked_at: null });
    expect(await row(b)).toEqual({ attempts: 0, last_error: null, parked_at: null });
    expect(warn.mock.calls.map((c) => c[0])).toEqual([expect.stringMatching(/not counted \(recording it failed.*the check stops here: socket closed/)]);
  });

  it('parks a deadline event the projector cannot apply, and the other deadlines still act', async () => {
    const good = await schedule('2026-03-01T00:00:00.000Z');
    const broken = await schedule('not a date');
    const s = scheduler();

    expect(await s.runOnce()).toBe(1);
    expect(calls).toEqual([good]);
    const parked = await db.query(`SELECT projection, stream_id, type, error FROM "${schema}".projection_parked_events`);
    expect(parked).toEqual([{ projection: 'projection:deadlines', stream_id: broken, type: 'ThingScheduled', error: expect.stringContaining('not a date') }]);
    expect(error.mock.calls.map((c) => c[0])).toEqual([expect.stringContaining(`stream ${broken}`)]);
  });
});
