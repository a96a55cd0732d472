// The event catalog's schemas are decorated classes: their metadata needs this in every thread.
import 'reflect-metadata';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Client, Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { eventCatalog, EventEnvelope } from '@dealledger/events';
// By its path, as replay.ts does: the library's index would bring NestJS and TypeORM into each thread.
import { createKafka } from '../../../../libs/messaging/src/kafka';
import { writeInbox } from '../projection/inbox-rows';
import { rowsOf, timelineEventOf, writeEvents } from '../projection/rows';
import { copyLine } from './copy-text';
import { PairRange, summariseRange } from './summarise';
import { PartitionRange, replayShard, ShardResult } from './replay';

/** What the rebuild hands each worker thread: one shard of the partitions and where to write it. */
export interface ShardJob {
  brokers: string[];
  /** The Kafka principal it signs in as (the relationships app's own). */
  principal: string;
  databaseUrl: string;
  schema: string;
  generation: number;
  groupId: string;
  ranges: PartitionRange[];
  concurrency: number;
  /** Event ids the live consumer dead-lettered. */
  deadLettered: string[];
  /** Per `topic:partition`, the offset below which the live consumer has decided on every message. */
  decidedBelow: Record<string, number>;
}

/**
 * One shard of a rebuild, in its own thread: decoding Kafka batches and building rows is
 * JavaScript work, and a single thread cannot use the machine's other cores.
 */
async function run(job: ShardJob): Promise<ShardResult> {
  // A rebuild can always be run again: its writes need not wait for the WAL flush.
  const pool = new Pool({
    connectionString: job.databaseUrl,
    max: job.concurrency,
    options: '-c synchronous_commit=off',
    application_name: 'dealledger-rebuild',
  });
  const kafka = createKafka('dealledger-rebuild', job.brokers, job.principal);
  try {
    return await replayShard({
      kafka,
      groupId: job.groupId,
      ranges: job.ranges,
      catalog: eventCatalog,
      deadLettered: new Set(job.deadLettered),
      decidedBelow: job.decidedBelow,
      concurrency: job.concurrency,
      write: (events) => copyEvents(pool, job.schema, job.generation, events),
    });
  } finally {
    await pool.end();
  }
}

const staged = new WeakSet<PoolClient>();

/** The projection's writers take TypeORM's shape of a query's answer: the rows. */
const rowsOnly = (client: PoolClient) => ({ query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows });

/**
 * Writes a batch through COPY into a per-connection staging table, then one INSERT … ON
 * CONFLICT DO NOTHING (COPY itself cannot skip the rows the live consumer already wrote).
 * Measured against the array-parameter INSERT of the live path: about 1.7× the events/s,
 * as neither side escapes or parses arrays.
 */
async function copyEvents(pool: Pool, schema: string, gen: number, events: EventEnvelope[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (!staged.has(client)) {
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS rebuild_stage (a text, b text, id text, ctx text, t text, sid text, pos bigint, occ text, rec text, p text, d text) ON COMMIT DELETE ROWS`,
      );
      staged.add(client);
    }
    let text = '';
    for (const e of events) for (const r of rowsOf(e)) text += copyLine(r);
    if (text.length > 0) {
      await pipeline(Readable.from([text]), client.query(copyFrom('COPY rebuild_stage FROM STDIN')));
      await client.query(
        `INSERT INTO "${schema}".timeline_g${gen} (company_a, company_b, event_id, context, type, stream_id, position, occurred_at, recorded_at, parties, data)
         SELECT a, b, id, ctx, t, sid, pos, occ, rec, p::jsonb, d::jsonb FROM rebuild_stage ON CONFLICT DO NOTHING`,
      );
    }
    // Company registrations concern no pair: only the companies table (a handful of rows).
    const companies = events.filter((e) => e.type === 'CompanyRegistered');
    if (companies.length > 0) await writeEvents(rowsOnly(client), schema, gen, companies);
    // The summaries come after the whole replay, a pair at a time (summarise.ts).
    await writeInbox(rowsOnly(client), schema, gen, events.filter((e) => e.type !== 'CompanyRegistered').map(timelineEventOf));
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * The second phase, in the same thread (starting another would load every module again): once
 * every shard is replayed, the rebuild sends each thread a range of pairs to summarise, or null.
 */
async function summarise(job: ShardJob, range: PairRange): Promise<number> {
  const client = new Client({ connectionString: job.databaseUrl, application_name: 'dealledger-rebuild' });
  await client.connect();
  try {
    return await summariseRange(client, job.schema, job.generation, range);
  } finally {
    await client.end();
  }
}

const job = workerData as ShardJob;
run(job)
  .then(async (replayed) => {
    parentPort!.postMessage(replayed);
    const range = await new Promise<PairRange | null>((resolve) => parentPort!.once('message', resolve));
    parentPort!.postMessage({ rows: range ? await summarise(job, range) : 0 });
  })
  .catch((err: Error) => parentPort!.postMessage({ error: err.message ?? String(err) }));
