import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Admin, Kafka } from 'kafkajs';
import type { PoolClient } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { conflict } from '@dealledger/domain';
import { eventCatalog } from '@dealledger/events';
import { kafkaBrokers, kafkaPrincipal } from '@dealledger/messaging';
import { createGenerationTables, digestOf, dropGenerationTables, writeEvents } from '../projection/generations';
import { drainDeferred } from '../projection/rows';
import type { Db } from '../projection/rows';
import { PartitionRange, replayShard, ShardResult, shardPartitions } from './replay';
import type { ShardJob } from './replay-worker';
import { pairRanges, PairRange, summariseRange } from './summarise';

export interface RebuildReport {
  generation: number;
  previousGeneration: number;
  events: number;
  durationMs: number;
  eventsPerSecond: number;
  /** The replay alone: from offset 0 to the target offsets, into the new tables. */
  replayMs: number;
  replayEventsPerSecond: number;
  digest: string;
  previousDigest: string;
  equal: boolean;
  /** Whether the new generation is now the active one: only when the digests are equal, or forced. */
  swapped: boolean;
  forced: boolean;
  rows: number;
  /** Messages the live consumer dead-lettered (its inbox), or unparseable or of an unknown version: left out. */
  skipped: number;
}

export interface RebuildOptions {
  /** Worker threads for the replay; 0 replays in this thread; unset picks by size (see `workerThreshold`). */
  workers?: number;
  /** From how many events on the replay uses worker threads when `workers` is unset. */
  workerThreshold: number;
  /**
   * Partitions each worker writes at once. One is fastest here: more concurrent writers into
   * the same new tables contend in PostgreSQL (measured: two workers × 1 beat 2 × 2 and 2 × 4).
   */
  concurrency: number;
  brokers: string[];
  /** The Kafka principal worker threads sign in as: the relationships app's. */
  principal: string;
  /**
   * How long a replaced generation stays before a later rebuild drops it: a query that picked
   * it just before the swap is still reading it.
   */
  retiredGraceMs: number;
  /** How long to wait for the live consumer to reach the replay's target offsets before comparing. */
  catchUpTimeoutMs: number;
}

export const rebuildOptions = (overrides: Partial<RebuildOptions> = {}): RebuildOptions => ({
  workers: process.env.REBUILD_WORKERS === undefined ? undefined : Number(process.env.REBUILD_WORKERS),
  workerThreshold: 20000,
  concurrency: 1,
  brokers: kafkaBrokers(),
  principal: kafkaPrincipal('relationships'),
  retiredGraceMs: 60000,
  catchUpTimeoutMs: 30000,
  ...overrides,
});

export interface RunOptions {
  /** Swap even when the digests differ (the live generation is known to be wrong, or empty). */
  force?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Replays the topics from offset 0 into a fresh generation of tables while queries keep
 * answering from the live one. The target is every partition's end offset when the rebuild
 * starts; events after that reach the new generation through the live consumer, which writes to
 * building generations too (see generations.ts). Once the live consumer has reached the target
 * as well, both generations must hold the same rows: the new one is swapped in only if their
 * digests are equal (or when forced). Otherwise it is kept as `rejected` and the rebuild fails
 * with a conflict naming both digests.
 */
export class RelationshipsRebuild {
  private readonly logger = new Logger('Rebuild');

  constructor(
    private readonly db: DataSource,
    private readonly kafka: Kafka,
    private readonly schema: string,
    private readonly topics: () => string[],
    /** The live consumer's group: the rebuild waits for it, and names its own groups after it. */
    private readonly liveGroupId: string,
    private readonly options: RebuildOptions = rebuildOptions(),
  ) {}

  async run({ force = false }: RunOptions = {}): Promise<RebuildReport> {
    const lock = this.db.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = await lock.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [`${this.schema}:rebuild`]);
      if (!locked) throw conflict('rebuild.running', 'a rebuild is already running');
      try {
        return await this.rebuild(force, lock);
      } finally {
        // A session that died took its lock with it: do not hide the rebuild's own error behind this one.
        await lock.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`${this.schema}:rebuild`]).catch(() => undefined);
      }
    } finally {
      await lock.release();
    }
  }

  private get s() {
    return `"${this.schema}"`;
  }

  /**
   * `lock` is the session holding the rebuild lock: the generations are dropped and swapped
   * through it, so a rebuild whose session died (and with it the lock, which another rebuild
   * may hold by now) fails there instead of changing what the other one relies on.
   */
  private async rebuild(force: boolean, lock: QueryRunner): Promise<RebuildReport> {
    const started = Date.now();
    const s = this.s;
    // Numbered before the stale generations go, so that no number comes back.
    const [{ previous, next }] = await this.db.query(
      `SELECT (SELECT generation FROM ${s}.generations WHERE status = 'active') AS previous, coalesce(max(generation), 0) + 1 AS next FROM ${s}.generations`,
    );
    if (previous === null) throw conflict('rebuild.no_active_generation', 'there is no active generation to rebuild and compare against');
    await this.dropStale(lock);
    await createGenerationTables(this.db, this.schema, next);
    // Registered before the target offsets are read: from here on the live consumer writes here too.
    // The live consumer keeps its per-event writes for it aside until the replay is done (drainDeferred).
    await this.db.query(`INSERT INTO ${s}.generations (generation, status, deferring) VALUES ($1, 'building', true)`, [next]);

    let replayed: ShardResult;
    let replayMs: number;
    let fresh: Awaited<ReturnType<typeof digestOf>>;
    let old: Awaited<ReturnType<typeof digestOf>>;
    try {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        const ranges = await this.targets(admin);
        // First the live consumer passes the end offsets: its inbox then holds what it
        // dead-lettered of everything the replay reads, and the replay leaves that out.
        const decidedBelow = await this.waitForLiveConsumer(admin, ranges);
        const deadLettered = await this.deadLettered();
        const replayStarted = Date.now();
        replayed = await this.replay(admin, next, upToLiveConsumer(ranges, decidedBelow), { deadLettered, decidedBelow });
        await this.db.transaction((tx) => drainDeferred(tx, this.schema, next));
        replayMs = Date.now() - replayStarted;
      } finally {
        await admin.disconnect();
      }
      [fresh, old] = await this.digests(next, previous);
    } catch (err) {
      // A failed replay leaves a partial generation: nothing to inspect, and the live one stays.
      await this.dropOwn(lock, next);
      throw err;
    }

    const equal = fresh.digest === old.digest;
    const swapped = equal || force;
    if (swapped) {
      await this.swap(lock, previous, next).catch(async (err) => {
        await this.dropOwn(lock, next);
        throw err;
      });
    } else {
      await lock.query(`UPDATE ${s}.generations SET status = 'rejected' WHERE generation = $1`, [next]);
    }
    const durationMs = Date.now() - started;
    const { written: events, skipped } = replayed;
    const report: RebuildReport = {
      generation: next,
      previousGeneration: previous,
      events,
      durationMs,
      eventsPerSecond: Math.round(events / Math.max(durationMs / 1000, 0.001)),
      replayMs,
      replayEventsPerSecond: Math.round(events / Math.max(replayMs / 1000, 0.001)),
      digest: fresh.digest,
      previousDigest: old.digest,
      equal,
      swapped,
      forced: force,
      rows: fresh.rows,
      skipped,
    };
    const figures = `${events} events (${skipped} skipped) in ${durationMs} ms (${report.eventsPerSecond}/s; replay ${replayMs} ms, ${report.replayEventsPerSecond}/s)`;
    if (!swapped) {
      const detail =
        `generation ${next} was not swapped in: its digest ${fresh.digest} differs from the live generation ${previous}'s ${old.digest}; ` +
        `it is kept as 'rejected' for inspection until the next rebuild; force=true swaps anyway`;
      this.logger.warn(`${detail} (${figures})`);
      throw conflict('rebuild.digest_mismatch', detail, { report });
    }
    this.logger.log(`generation ${next} replaced ${previous}: ${figures}, digests ${equal ? 'equal' : 'differ (forced)'}`);
    return report;
  }

  /** Drops what earlier rebuilds left: abandoned (a crash mid-rebuild), rejected, and retired for longer than the grace period. */
  private async dropStale(lock: QueryRunner): Promise<void> {
    const stale = await lock.query(
      `SELECT generation FROM ${this.s}.generations
        WHERE status IN ('building', 'rejected') OR (status = 'retired' AND (retired_at IS NULL OR retired_at < now() - $1 * interval '1 millisecond'))`,
      [this.options.retiredGraceMs],
    );
    for (const g of stale) await this.drop(lock, g.generation);
  }

  /**
   * Drops this rebuild's own generation after a failure; through a fresh session if the lock's
   * died (the generation is this rebuild's alone, and the live consumer would write to it until
   * a later rebuild dropped it).
   */
  private async dropOwn(lock: QueryRunner, gen: number): Promise<void> {
    await this.drop(lock, gen)
      .catch(() => this.drop(this.db, gen))
      .catch((e) => this.logger.error(`dropping generation ${gen} failed: ${(e as Error).message}`));
  }

  private async drop(lock: Db, gen: number): Promise<void> {
    // Unregistered first, so the live consumer stops writing to it (a write in flight fails and is retried).
    await lock.query(`DELETE FROM ${this.s}.generations WHERE generation = $1`, [gen]);
    await dropGenerationTables(lock, this.schema, gen);
  }

  /**
   * Retires the generation that was active when this rebuild began and activates the new one,
   * in one transaction, or neither: if either is no longer in the state this rebuild left it in
   * (another rebuild swapped or dropped it meanwhile), nothing changes and the rebuild fails.
   */
  private async swap(lock: QueryRunner, previous: number, next: number): Promise<void> {
    const s = this.s;
    const moved = async (sql: string, gen: number) =>
      (await lock.query(`WITH moved AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM moved`, [gen]))[0].n as number;
    await lock.startTransaction();
    try {
      // Retired first: at most one generation is active at any moment (a unique index says so).
      const retired = await moved(`UPDATE ${s}.generations SET status = 'retired', retired_at = now() WHERE generation = $1 AND status = 'active'`, previous);
      const activated = await moved(`UPDATE ${s}.generations SET status = 'active', activated_at = now() WHERE generation = $1 AND status = 'building'`, next);
      if (retired !== 1 || activated !== 1) {
        throw conflict(
          'rebuild.superseded',
          `generation ${previous} is no longer active or ${next} no longer building: another rebuild changed them; nothing was swapped`,
        );
      }
      await lock.commitTransaction();
    } catch (err) {
      if (lock.isTransactionActive) await lock.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  }

  /** Every partition's end offset now, where it holds anything. */
  private async targets(admin: Admin): Promise<PartitionRange[]> {
    const existing = new Set(await admin.listTopics());
    const ranges: PartitionRange[] = [];
    for (const topic of this.topics().filter((t) => existing.has(t))) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const count = Number(p.high) - Number(p.low);
        if (count > 0) ranges.push({ topic, partition: p.partition, end: Number(p.high), count });
      }
    }
    return ranges;
  }

  /**
   * Consumes the target ranges into generation `gen`. Large replays are split into shards of
   * partitions, each in a worker thread of its own; small ones run here, where starting threads
   * would cost more than it saves.
   */
  /** What the live consumer dead-lettered (its inbox keeps those records for good). */
  private async deadLettered(): Promise<string[]> {
    const rows = await this.db.query(`SELECT event_id FROM ${this.s}.inbox WHERE consumer = $1 AND outcome = 'dead-lettered'`, [this.liveGroupId]);
    return rows.map((r: { event_id: string }) => r.event_id);
  }

  private async replay(
    admin: Admin,
    gen: number,
    ranges: PartitionRange[],
    live: { deadLettered: string[]; decidedBelow: Record<string, number> },
  ): Promise<ShardResult> {
    const { deadLettered, decidedBelow } = live;
    const total = ranges.reduce((n, r) => n + r.count, 0);
    const url = (this.db.options as { url?: string }).url;
    const workers = url ? (this.options.workers ?? (total >= this.options.workerThreshold ? defaultWorkers() : 0)) : 0;
    const groupBase = `${this.liveGroupId}.rebuild.${gen}.${randomBytes(3).toString('hex')}`;
    const shards = shardPartitions(ranges, Math.max(1, workers));
    const groups = shards.map((_, i) => `${groupBase}.${i}`);
    try {
      if (workers === 0) {
        const result = await replayShard({
          kafka: this.kafka,
          groupId: groups[0] ?? groupBase,
          ranges,
          catalog: eventCatalog,
          deadLettered: new Set(deadLettered),
          decidedBelow,
          write: (events) =>
            this.db.transaction(async (tx) => {
              // A rebuild can always be run again: its batches need not wait for the WAL flush.
              await tx.query('SET LOCAL synchronous_commit = off');
              await writeEvents(tx, this.schema, gen, events, { summaries: false });
            }),
        });
        await this.summarise(gen);
        return result;
      }
      const jobs: ShardJob[] = shards.map((shard, i) => ({
        brokers: this.options.brokers,
        principal: this.options.principal,
        databaseUrl: url!,
        schema: this.schema,
        generation: gen,
        groupId: groups[i],
        ranges: shard,
        concurrency: this.options.concurrency,
        deadLettered,
        decidedBelow,
      }));
      this.logger.log(`replaying ${total} events from ${ranges.length} partitions in ${jobs.length} worker threads`);
      // Then the summaries, a range of pairs in each thread.
      const results = await runWorkers(jobs, (n) => pairRanges(this.db, this.schema, gen, n));
      return { written: results.reduce((n, r) => n + r.written, 0), skipped: results.reduce((n, r) => n + r.skipped, 0) };
    } finally {
      await admin.deleteGroups(groups).catch(() => undefined);
    }
  }

  /** The replay's second phase in this thread (see summariseRange), on a connection of the app's pool. */
  private async summarise(gen: number): Promise<void> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const client = (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
      await summariseRange(client, this.schema, gen, { from: null, to: null });
    } finally {
      await runner.release();
    }
  }

  /**
   * Waits (catchUpTimeoutMs at most) for the live consumer to pass the end offsets; returns
   * where it stands per partition (`topic:partition`): below that it has decided on every message.
   */
  private async waitForLiveConsumer(admin: Admin, ranges: PartitionRange[]): Promise<Record<string, number>> {
    if (ranges.length === 0) return {};
    const topics = [...new Set(ranges.map((r) => r.topic))];
    const deadline = Date.now() + this.options.catchUpTimeoutMs;
    for (;;) {
      const committed: Record<string, number> = {};
      for (const t of await admin.fetchOffsets({ groupId: this.liveGroupId, topics })) {
        for (const p of t.partitions) committed[`${t.topic}:${p.partition}`] = Number(p.offset);
      }
      if (!Object.values(committed).some((offset) => offset >= 0)) return committed;
      const behind = ranges.filter((r) => (committed[`${r.topic}:${r.partition}`] ?? -1) < r.end);
      if (behind.length === 0) return committed;
      if (Date.now() >= deadline) {
        this.logger.warn(
          `the live consumer is still behind on ${behind.length} partitions after ${this.options.catchUpTimeoutMs} ms; checking what it has not decided on here`,
        );
        return committed;
      }
      await sleep(200);
    }
  }

  /**
   * Both digests side by side, from one snapshot: the live consumer writes to both generations
   * in one transaction, so two snapshots could each hold a different part of its writes.
   */
  private async digests(a: number, b: number) {
    const [first, second] = [this.db.createQueryRunner(), this.db.createQueryRunner()];
    try {
      await first.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const [{ snapshot }] = await first.query('SELECT pg_export_snapshot() AS snapshot');
      await second.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await second.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
      return await Promise.all([digestOf(first, this.schema, a), digestOf(second, this.schema, b)]);
    } finally {
      for (const runner of [second, first]) {
        await runner.query('ROLLBACK').catch(() => undefined);
        await runner.release();
      }
    }
  }
}

/** One worker per core, at most four (`REBUILD_WORKERS` overrides, see RebuildOptions). */
function defaultWorkers(): number {
  return Math.min(availableParallelism(), 4);
}

/**
 * Runs each job in its own worker thread: the replay of its shard, then, once every shard is
 * replayed, the summaries of a range of pairs (`ranges`, asked for one per thread). If one fails
 * or exits early, the others are stopped and the replay fails.
 */
async function runWorkers(jobs: ShardJob[], ranges: (n: number) => Promise<PairRange[]>): Promise<ShardResult[]> {
  // Compiled, the worker is a .js file (its @dealledger/* imports made relative by the build);
  // under ts-node or Jest it is the .ts source, which needs the compiler and the path aliases.
  const file = join(__dirname, `replay-worker${extname(__filename)}`);
  const preload = file.endsWith('.ts')
    ? `const paths = require('tsconfig-paths'); const config = paths.loadConfig(${JSON.stringify(__dirname)});
       require('ts-node').register({ transpileOnly: true, project: config.configFileAbsolutePath });
       paths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });`
    : '';
  const workers = jobs.map(
    (job) =>
      new Worker(`${preload}require(${JSON.stringify(file)});`, {
        eval: true,
        workerData: job,
        // A rebuild allocates a great deal of short-lived garbage: a larger young generation spends far less time collecting it.
        resourceLimits: { maxYoungGenerationSizeMb: 192 },
      }),
  );
  try {
    const next = workers.map(messagesOf);
    const results = await Promise.all(next.map((n) => n() as Promise<ShardResult>));
    const pairs = await ranges(workers.length);
    workers.forEach((w, i) => w.postMessage(pairs[i] ?? null));
    await Promise.all(next.map((n) => n()));
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The next message of worker `i` each call, in order; rejected once it fails, reports an error or exits. */
function messagesOf(worker: Worker, i: number): () => Promise<unknown> {
  const queue: unknown[] = [];
  let waiting: { resolve: (m: unknown) => void; reject: (e: Error) => void } | null = null;
  let failed: Error | null = null;
  const fail = (err: Error) => {
    failed ??= err;
    waiting?.reject(failed);
    waiting = null;
  };
  worker.on('message', (m: { error?: string }) => {
    if (m && m.error !== undefined) return fail(new Error(`rebuild worker ${i}: ${m.error}`));
    if (waiting) waiting.resolve(m);
    else queue.push(m);
    waiting = null;
  });
  worker.once('error', fail);
  worker.once('exit', (code) => fail(new Error(`rebuild worker ${i} exited with code ${code}`)));
  return () =>
    queue.length > 0 ? Promise.resolve(queue.shift()) : failed ? Promise.reject(failed) : new Promise((resolve, reject) => (waiting = { resolve, reject }));
}

/**
 * The ranges the replay writes. A live consumer still behind after the wait writes the rest
 * itself, into both generations and in each stream's order (its per-event part kept aside until
 * the replay is done): a replay that wrote a stream's later events before the live consumer
 * wrote its earlier ones would tally them out of order. Without any live offsets (no live
 * consumer: a benchmark, a copy), the replay writes everything.
 */
export function upToLiveConsumer(ranges: PartitionRange[], decidedBelow: Record<string, number>): PartitionRange[] {
  if (!Object.values(decidedBelow).some((offset) => offset >= 0)) return ranges;
  return ranges.flatMap((r) => {
    const decided = Math.max(0, decidedBelow[`${r.topic}:${r.partition}`] ?? 0);
    if (decided >= r.end) return [r];
    const count = r.count - (r.end - decided);
    return count > 0 ? [{ ...r, end: decided, count }] : [];
  });
}
