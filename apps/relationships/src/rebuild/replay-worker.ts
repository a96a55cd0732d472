import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { writeEvents } from '../projection/rows';
import { PartitionRange, replayShard } from './replay';

/** What the rebuild hands each worker thread: one shard of the partitions and where to write it. */
export interface ShardJob {
  brokers: string[];
  databaseUrl: string;
  schema: string;
  generation: number;
  groupId: string;
  ranges: PartitionRange[];
  concurrency: number;
}

/**
 * One shard of a rebuild, in its own thread: decoding Kafka batches and building rows is
 * JavaScript work, and a single thread cannot use the machine's other cores.
 */
async function run(job: ShardJob): Promise<number> {
  // A rebuild can always be run again: its writes need not wait for the WAL flush.
  const pool = new Pool({ connectionString: job.databaseUrl, max: job.concurrency, options: '-c synchronous_commit=off', application_name: 'dealledger-rebuild' });
  const kafka = new Kafka({ clientId: 'dealledger-rebuild', brokers: job.brokers, logLevel: logLevel.WARN, retry: { initialRetryTime: 100, retries: 8 } });
  try {
    return await replayShard({
      kafka,
      groupId: job.groupId,
      ranges: job.ranges,
      concurrency: job.concurrency,
      write: (events) => writeEvents(pool, job.schema, job.generation, events),
    });
  } finally {
    await pool.end();
  }
}

run(workerData as ShardJob).then(
  (written) => parentPort!.postMessage({ written }),
  (err: Error) => parentPort!.postMessage({ error: err.message ?? String(err) }),
);
