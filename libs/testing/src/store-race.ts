import { randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { Checkpoint, NewEvent, PostgresEventStore, START, WrongExpectedVersionError } from '@dealledger/event-store';

export interface StoreRaceOptions {
  /** How long the writers run. */
  ms: number;
  /** Concurrent writers, spread over the kinds below. */
  writers?: number;
  /** The reader's page sizes are drawn from 1..maxPage. */
  maxPage?: number;
}

export interface StoreRaceResult {
  committed: number;
  read: number;
  /** Positions the reader saw more than once. */
  repeated: number[];
  /** Committed positions the reader never saw. */
  missed: number[];
  /** Streams whose versions the reader saw out of order (`stream: v3 after v5`). */
  inverted: string[];
  /** Appends refused because a newer transaction had appended to the stream (retried). */
  orderConflicts: number;
  ok: boolean;
}

const ev = (type: string): NewEvent => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  data: {},
  metadata: { occurredAt: new Date(), parties: [], actor: null, correlationId: randomUUID() },
});

/**
 * Races one commit-order reader against every kind of writer the event store meets: quick
 * appends, appending transactions that linger and write elsewhere (one in five rolls back),
 * bystanders that only write elsewhere, and transactions that append to a fresh stream and then
 * to a few shared hot streams (which may meet a younger transaction's append: DL004, retried).
 * The reader pages with random sizes from the position it had reached before the race and must
 * see every committed event exactly once, each stream in version order. Used by the event
 * store's test and by `npm run stress:store`.
 */
export async function raceStoreReader(db: DataSource, store: PostgresEventStore, options: StoreRaceOptions): Promise<StoreRaceResult> {
  const elsewhere = `"${store.schema}".race_elsewhere`;
  await db.query(`CREATE TABLE IF NOT EXISTS ${elsewhere} (n integer)`);
  const hot = Array.from({ length: 2 }, () => `hot-${randomUUID()}`);
  let cp: Checkpoint = START;
  for (;;) {
    const page = await store.readAll(cp, 100000);
    if (page.events.length === 0) break;
    cp = page.checkpoint;
  }

  const until = Date.now() + options.ms;
  const committed = new Set<number>();
  const seen = new Map<number, number>();
  const lastVersion = new Map<string, number>();
  const inverted: string[] = [];
  let orderConflicts = 0;
  let writing = true;
  const maxPage = options.maxPage ?? 200;

  const reader = (async () => {
    let drainUntil = 0;
    for (;;) {
      const done = !writing;
      const page = await store.readAll(cp, 1 + Math.floor(Math.random() * maxPage));
      for (const e of page.events) {
        seen.set(e.position, (seen.get(e.position) ?? 0) + 1);
        const last = lastVersion.get(e.streamId) ?? 0;
        if (e.streamVersion !== last + 1) inverted.push(`${e.streamId}: v${e.streamVersion} after v${last}`);
        lastVersion.set(e.streamId, Math.max(last, e.streamVersion));
      }
      cp = page.checkpoint;
      if (page.events.length === 0 && done) {
        // An empty page can come while an unrelated session still holds back the horizon (on a
        // busy database): keep reading for a while until every committed event was seen, so a
        // late event is not reported as missed. A missed one stays missed after the deadline.
        if (drainUntil === 0) drainUntil = Date.now() + 10000;
        if ([...committed].every((p) => seen.has(p)) || Date.now() > drainUntil) return;
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (page.events.length === 0) await new Promise((r) => setTimeout(r, 1));
    }
  })();

  const inTransaction = async (work: (runner: QueryRunner) => Promise<number[]>, commit: boolean): Promise<number[]> => {
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const positions = await work(runner);
      await (commit ? runner.commitTransaction() : runner.rollbackTransaction());
      return commit ? positions : [];
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    } finally {
      await runner.release();
    }
  };
  const pause = (ms: number) => new Promise((r) => setTimeout(r, Math.random() * ms));
  const writer = async (kind: number) => {
    while (Date.now() < until) {
      let positions: number[] = [];
      if (kind === 0) {
        positions = (await store.append(`quick-${randomUUID()}`, 0, [ev('Quick')])).positions;
      } else if (kind < 3) {
        const commit = Math.random() >= 0.2;
        positions = await inTransaction(async (runner) => {
          const p = (await store.append(`slow-${randomUUID()}`, 0, [ev('Slow'), ev('Slow')], { queryRunner: runner })).positions;
          await pause(5);
          await runner.query(`INSERT INTO ${elsewhere} VALUES (1)`);
          return p;
        }, commit);
      } else if (kind === 3) {
        await inTransaction(async (runner) => {
          await runner.query(`INSERT INTO ${elsewhere} VALUES (2)`);
          await pause(50);
          return [];
        }, true);
      } else {
        // Two streams in one transaction: the second append may meet a younger writer's.
        const stream = hot[Math.floor(Math.random() * hot.length)];
        try {
          positions = await inTransaction(async (runner) => {
            const first = (await store.append(`multi-${randomUUID()}`, 0, [ev('Multi')], { queryRunner: runner })).positions;
            // Long enough for a younger transaction to append to the hot stream and commit meanwhile.
            await pause(15);
            const version = (await runner.query(`SELECT count(*)::int AS n FROM "${store.schema}".events WHERE stream_id = $1`, [stream]))[0].n;
            const second = (await store.append(stream, version, [ev('Hot')], { queryRunner: runner })).positions;
            return [...first, ...second];
          }, true);
        } catch (err) {
          if (!(err instanceof WrongExpectedVersionError)) throw err;
          if (err.message.includes('newer transaction')) orderConflicts += 1;
        }
      }
      positions.forEach((p) => committed.add(p));
    }
  };
  const writers = options.writers ?? 20;
  try {
    await Promise.all(Array.from({ length: writers }, (_, i) => writer(i % 5)));
  } finally {
    writing = false;
    await reader;
  }
  const repeated = [...seen.entries()].filter(([, n]) => n > 1).map(([p]) => p);
  const missed = [...committed].filter((p) => !seen.has(p));
  return {
    committed: committed.size,
    read: seen.size,
    repeated,
    missed,
    inverted,
    orderConflicts,
    ok: repeated.length === 0 && missed.length === 0 && inverted.length === 0 && seen.size === committed.size,
  };
}
