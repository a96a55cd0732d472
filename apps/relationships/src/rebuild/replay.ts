import { AssignerProtocol, Kafka, PartitionAssigner } from 'kafkajs';
import type { EventCatalog, EventEnvelope } from '@dealledger/events';
// By its path, not through @dealledger/messaging: the worker threads load this file, and the
// library's index would bring NestJS, TypeORM and the consumer into each of them.
import { checkMessage, parseEnvelope } from '../../../../libs/messaging/src/event-check';

/** One partition to replay: offsets from its start up to (not including) `end`. */
export interface PartitionRange {
  topic: string;
  partition: number;
  end: number;
  /** How many messages the range holds (end − low), for balancing shards. */
  count: number;
}

/**
 * Splits partitions into at most `n` shards of about equal message counts: the largest
 * partition goes to the lightest shard first. Empty shards are dropped.
 */
export function shardPartitions(ranges: PartitionRange[], n: number): PartitionRange[][] {
  const shards = Array.from({ length: Math.max(1, n) }, () => ({ load: 0, ranges: [] as PartitionRange[] }));
  for (const range of [...ranges].sort((a, b) => b.count - a.count)) {
    const lightest = shards.reduce((min, s) => (s.load < min.load ? s : min));
    lightest.ranges.push(range);
    lightest.load += range.count;
  }
  return shards.map((s) => s.ranges).filter((r) => r.length > 0);
}

/**
 * A group assignment that gives this consumer exactly the given partitions. Each shard's
 * consumer is the only member of its own group, so partitions never move between shards and
 * nothing is replayed twice by a rebalance.
 */
function fixedAssigner(assignment: Record<string, number[]>): PartitionAssigner {
  const name = 'DealLedgerFixedShard';
  return () => ({
    name,
    version: 1,
    async assign({ members }) {
      return members.map((member, i) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: i === 0 ? assignment : {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

export interface ShardReplay {
  kafka: Kafka;
  groupId: string;
  ranges: PartitionRange[];
  /** The live consumer's catalog: the replay upcasts as it does. */
  catalog: EventCatalog;
  /** Event ids the live consumer dead-lettered (its inbox): left out. */
  deadLettered: ReadonlySet<string>;
  /**
   * Per `topic:partition`, the live consumer's committed offset: below it, its inbox holds its
   * decisions; from it on (a consumer behind, or none), each message is checked here as it would be.
   */
  decidedBelow?: Record<string, number>;
  /** Writes one fetched batch of envelopes (idempotently: the order between partitions is free). */
  write: (events: EventEnvelope[]) => Promise<void>;
  /** Partitions worked on at once. */
  concurrency?: number;
}

export interface ShardResult {
  /** Events written. */
  written: number;
  /** Messages the live consumer dead-lettered, or would (unparseable, unknown version): not written. */
  skipped: number;
}

/**
 * Consumes the shard's partitions from offset 0 to their end offsets. Fails as soon as a write
 * fails or the consumer crashes: left to kafkajs, a failing batch is retried and the consumer
 * restarted over and over, and the rebuild would wait forever holding its lock.
 */
export async function replayShard({
  kafka,
  groupId,
  ranges,
  catalog,
  deadLettered,
  decidedBelow = {},
  write,
  concurrency = 4,
}: ShardReplay): Promise<ShardResult> {
  const remaining = new Map(ranges.map((r) => [`${r.topic}:${r.partition}`, r.end]));
  const assignment: Record<string, number[]> = {};
  for (const r of ranges) (assignment[r.topic] ??= []).push(r.partition);
  const result: ShardResult = { written: 0, skipped: 0 };
  if (remaining.size === 0) return result;

  let failed: Error | undefined;
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = (err) => {
      failed ??= err;
      reject(err);
    };
  });
  done.catch(() => undefined); // awaited below; a crash may come before that

  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
    partitionAssigners: [fixedAssigner(assignment)],
    // kafkajs's default for consumers, without its restart after a crash: the replay fails instead.
    retry: { retries: 5, restartOnFailure: async () => false },
  });
  const stopListening = consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: Object.keys(assignment), fromBeginning: true });
    consumer
      .run({
        autoCommit: false,
        partitionsConsumedConcurrently: concurrency,
        eachBatch: async ({ batch }) => {
          const key = `${batch.topic}:${batch.partition}`;
          const end = remaining.get(key);
          if (end === undefined || failed) return;
          try {
            const envelopes: EventEnvelope[] = [];
            for (const m of batch.messages) {
              if (Number(m.offset) >= end) break;
              const envelope =
                Number(m.offset) < (decidedBelow[key] ?? 0)
                  ? replayable(m.value, catalog, deadLettered, `offset:${batch.topic}:${batch.partition}:${m.offset}`)
                  : checked(m.value, catalog, batch.topic);
              if (envelope) envelopes.push(envelope);
              else result.skipped += 1;
            }
            await write(envelopes);
            result.written += envelopes.length;
          } catch (err) {
            return fail(err as Error);
          }
          const last = batch.messages[batch.messages.length - 1];
          if (last && Number(last.offset) + 1 >= end) {
            remaining.delete(key);
            consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
            if (remaining.size === 0) finish();
          }
        },
      })
      .catch(fail);
    await done;
  } finally {
    stopListening();
    await consumer.disconnect();
  }
  return result;
}

/**
 * A message the live consumer has decided on, as it handled it, or null where it dead-lettered
 * it. The rebuild waits for the live consumer to pass the replay's end offsets before it starts,
 * so the consumer's inbox holds its decision on (nearly) every message replayed: what it
 * dead-lettered is left out by event id, and what it handled passed its checks. So the data is not validated again here (about
 * 60 µs an event, class-validator, which would cut the rebuild's rate by more than half).
 * Unparseable messages and unknown versions have no id or no upcast and are left out as well.
 */
export function replayable(value: Buffer | null, catalog: EventCatalog, deadLettered: ReadonlySet<string>, place = ''): EventEnvelope | null {
  // The live consumer records what it dead-letters before handling under the message's place
  // (topic, partition, offset), so that a forged copy never takes a genuine event id's place.
  if (deadLettered.has(place)) return null;
  const parsed = parseEnvelope(value);
  if ('reason' in parsed) return null;
  const envelope = parsed.envelope;
  if (deadLettered.has(envelope.id) || !catalog.get(envelope.type, envelope.schemaVersion)) return null;
  return catalog.upcastEvent(envelope);
}

/** A message the live consumer has not decided on yet: checked in full, as it will check it. */
function checked(value: Buffer | null, catalog: EventCatalog, topic: string): EventEnvelope | null {
  const result = checkMessage(value, catalog, topic);
  return 'envelope' in result ? result.envelope : null;
}
