import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { conflict } from '@dealledger/domain';
import { kafkaBrokers } from '@dealledger/messaging';
import { createGenerationTables, digestOf, dropGenerationTables, writeEvents } from '../projection/generations';
import { PartitionRange, replayShard, shardPartitions } from './replay';
import type { ShardJob } from './replay-worker';

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
  rows: number;
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
}

export const rebuildOptions = (overrides: Partial<RebuildOptions> = {}): RebuildOptions => ({
  workers: process.env.REBUILD_WORKERS === undefined ? undefined : Number(process.env.REBUILD_WORKERS),
  workerThreshold: 20000,
  concurrency: 1,
  brokers: kafkaBrokers(),
  ...overrides,
});

/**
 * Replays the topics from offset 0 into a fresh generation of tables while queries keep
 * answering from the live one, then swaps. The target is every partition's end offset when
 * the rebuild starts; events after that reach the new generation through the live consumer,
 * which writes to building generations too (see generations.ts).
 */
export class RelationshipsRebuild {
  private readonly logger = new Logger('Rebuild');

  constructor(
    private readonly db: DataSource,
    private readonly kafka: Kafka,
    private readonly schema: string,
    private readonly topics: () => string[],
    private readonly groupPrefix: string,
    private readonly options: RebuildOptions = rebuildOptions(),
  ) {}

  async run(): Promise<RebuildReport> {
    const lock = this.db.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = await lock.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [`${this.schema}:rebuild`]);
      if (!locked) throw conflict('rebuild.running', 'a rebuild is already running');
      try {
        return await this.rebuild();
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`${this.schema}:rebuild`]);
      }
    } finally {
      await lock.release();
    }
  }

  private async rebuild(): Promise<RebuildReport> {
    const started = Date.now();
    const s = `"${this.schema}"`;
    // Abandoned building generations (a crash mid-rebuild) go first.
    for (const g of await this.db.query(`SELECT generation FROM ${s}.generations WHERE status = 'building'`)) {
      await dropGenerationTables(this.db, this.schema, g.generation);
      await this.db.query(`DELETE FROM ${s}.generations WHERE generation = $1`, [g.generation]);
    }
    const [{ previous, next }] = await this.db.query(
      `SELECT (SELECT generation FROM ${s}.generations WHERE status = 'active') AS previous, coalesce(max(generation), 0) + 1 AS next FROM ${s}.generations`,
    );
    await createGenerationTables(this.db, this.schema, next);
    // Registered before the target offsets are read: from here on the live consumer writes here too.
    await this.db.query(`INSERT INTO ${s}.generations (generation, status) VALUES ($1, 'building')`, [next]);

    const replayStarted = Date.now();
    const events = await this.replay(next);
    const replayMs = Date.now() - replayStarted;
    // Compared before the swap, while the live consumer still writes to both generations.
    const [fresh, old] = await Promise.all([digestOf(this.db, this.schema, next), digestOf(this.db, this.schema, previous)]);

    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE ${s}.generations SET status = 'retired' WHERE generation = $1`, [previous]);
      await tx.query(`UPDATE ${s}.generations SET status = 'active', activated_at = now() WHERE generation = $1`, [next]);
    });
    await dropGenerationTables(this.db, this.schema, previous);
    const durationMs = Date.now() - started;
    const report = {
      generation: next,
      previousGeneration: previous,
      events,
      durationMs,
      eventsPerSecond: Math.round(events / Math.max(durationMs / 1000, 0.001)),
      replayMs,
      replayEventsPerSecond: Math.round(events / Math.max(replayMs / 1000, 0.001)),
      digest: fresh.digest,
      previousDigest: old.digest,
      equal: fresh.digest === old.digest,
      rows: fresh.rows,
    };
    this.logger.log(`generation ${next} replaced ${previous}: ${events} events in ${durationMs} ms (${report.eventsPerSecond}/s; replay ${replayMs} ms, ${report.replayEventsPerSecond}/s), digests ${report.equal ? 'equal' : 'differ'}`);
    return report;
  }

  /**
   * Consumes every topic from offset 0 to the end offsets read now; returns how many events it
   * wrote. Large replays are split into shards of partitions, each in a worker thread of its
   * own; small ones run here, where starting threads would cost more than it saves.
   */
  private async replay(gen: number): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const ranges: PartitionRange[] = [];
      for (const topic of this.topics().filter((t) => existing.has(t))) {
        for (const p of await admin.fetchTopicOffsets(topic)) {
          const count = Number(p.high) - Number(p.low);
          if (count > 0) ranges.push({ topic, partition: p.partition, end: Number(p.high), count });
        }
      }
      const total = ranges.reduce((n, r) => n + r.count, 0);
      const url = (this.db.options as { url?: string }).url;
      const workers = url ? this.options.workers ?? (total >= this.options.workerThreshold ? defaultWorkers() : 0) : 0;
      const groupBase = `${this.groupPrefix}.rebuild.${gen}.${randomBytes(3).toString('hex')}`;
      const shards = shardPartitions(ranges, Math.max(1, workers));
      const groups = shards.map((_, i) => `${groupBase}.${i}`);
      try {
        if (workers === 0) {
          return await replayShard({
            kafka: this.kafka,
            groupId: groups[0] ?? groupBase,
            ranges,
            write: (events) =>
              this.db.transaction(async (tx) => {
                // A rebuild can always be run again: its batches need not wait for the WAL flush.
                await tx.query('SET LOCAL synchronous_commit = off');
                await writeEvents(tx, this.schema, gen, events);
              }),
          });
        }
        const jobs: ShardJob[] = shards.map((shard, i) => ({
          brokers: this.options.brokers,
          databaseUrl: url!,
          schema: this.schema,
          generation: gen,
          groupId: groups[i],
          ranges: shard,
          concurrency: this.options.concurrency,
        }));
        this.logger.log(`replaying ${total} events from ${ranges.length} partitions in ${jobs.length} worker threads`);
        const counts = await runWorkers(jobs);
        return counts.reduce((a, b) => a + b, 0);
      } finally {
        await admin.deleteGroups(groups).catch(() => undefined);
      }
    } finally {
      await admin.disconnect();
    }
  }
}

/** One worker per core, at most four (`REBUILD_WORKERS` overrides, see RebuildOptions). */
function defaultWorkers(): number {
  return Math.min(availableParallelism(), 4);
}

/** Runs each job in its own worker thread; if one fails, the others are stopped and the replay fails. */
async function runWorkers(jobs: ShardJob[]): Promise<number[]> {
  // Compiled, the worker is a .js file; under ts-node or Jest it is the .ts source.
  const file = join(__dirname, `replay-worker${extname(__filename)}`);
  const preload = file.endsWith('.ts') ? `require('ts-node/register/transpile-only');` : '';
  const workers = jobs.map((job) => new Worker(`${preload}require(${JSON.stringify(file)});`, {
    eval: true,
    workerData: job,
    // A rebuild allocates a great deal of short-lived garbage: a larger young generation spends far less time collecting it.
    resourceLimits: { maxYoungGenerationSizeMb: 192 },
  }));
  try {
    return await Promise.all(
      workers.map(
        (worker, i) =>
          new Promise<number>((resolve, reject) => {
            worker.once('message', (m: { written?: number; error?: string }) =>
              m.error === undefined ? resolve(m.written!) : reject(new Error(`rebuild worker ${i}: ${m.error}`)),
            );
            worker.once('error', reject);
            worker.once('exit', (code) => reject(new Error(`rebuild worker ${i} exited with code ${code}`)));
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
