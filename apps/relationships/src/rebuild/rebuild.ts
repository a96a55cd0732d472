import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@dealledger/events';
import { conflict } from '@dealledger/domain';
import { createGenerationTables, digestOf, dropGenerationTables, writeEvents } from '../projection/generations';

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
    const fresh = await digestOf(this.db, this.schema, next);
    const old = await digestOf(this.db, this.schema, previous);

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

  /** Consumes every topic from offset 0 to the end offsets read now; returns how many events it wrote. */
  private async replay(gen: number): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const topics = this.topics().filter((t) => existing.has(t));
    const remaining = new Map<string, number>(); // "topic:partition" -> end offset still to reach
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low)) remaining.set(`${topic}:${p.partition}`, Number(p.high));
      }
    }
    const groupId = `${this.groupPrefix}.rebuild.${gen}.${randomBytes(3).toString('hex')}`;
    let written = 0;
    if (remaining.size > 0) {
      const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 4 * 1024 * 1024 });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer
            .run({
              autoCommit: false,
              partitionsConsumedConcurrently: 4,
              eachBatch: async ({ batch }) => {
                const key = `${batch.topic}:${batch.partition}`;
                const end = remaining.get(key);
                if (end === undefined) return;
                const envelopes: EventEnvelope[] = [];
                for (const m of batch.messages) {
                  if (Number(m.offset) >= end) break;
                  try {
                    const envelope = JSON.parse(m.value!.toString('utf8')) as EventEnvelope;
                    if (envelope && typeof envelope.id === 'string' && Array.isArray(envelope.parties)) envelopes.push(envelope);
                  } catch {
                    /* unparseable: the live consumer dead-letters it; a rebuild skips it */
                  }
                }
                // A rebuild can always be run again: its batches need not wait for the WAL flush.
                await this.db.transaction(async (tx) => {
                  await tx.query('SET LOCAL synchronous_commit = off');
                  await writeEvents(tx, this.schema, gen, envelopes);
                });
                written += envelopes.length;
                const last = batch.messages[batch.messages.length - 1];
                if (last && Number(last.offset) + 1 >= end) {
                  remaining.delete(key);
                  if (remaining.size === 0) resolve();
                }
              },
            })
            .catch(reject);
        });
      } finally {
        await consumer.disconnect();
      }
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    return written;
  }
}
