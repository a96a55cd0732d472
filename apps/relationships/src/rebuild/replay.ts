import { AssignerProtocol, Kafka, PartitionAssigner } from 'kafkajs';
import type { EventEnvelope } from '@dealledger/events';

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
  /** Writes one fetched batch of envelopes (idempotently: the order between partitions is free). */
  write: (events: EventEnvelope[]) => Promise<void>;
  /** Partitions worked on at once. */
  concurrency?: number;
}

/** Consumes the shard's partitions from offset 0 to their end offsets; returns how many events it wrote. */
export async function replayShard({ kafka, groupId, ranges, write, concurrency = 4 }: ShardReplay): Promise<number> {
  const remaining = new Map(ranges.map((r) => [`${r.topic}:${r.partition}`, r.end]));
  const assignment: Record<string, number[]> = {};
  for (const r of ranges) (assignment[r.topic] ??= []).push(r.partition);
  if (remaining.size === 0) return 0;

  let written = 0;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 4 * 1024 * 1024, partitionAssigners: [fixedAssigner(assignment)] });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: Object.keys(assignment), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          partitionsConsumedConcurrently: concurrency,
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
            await write(envelopes);
            written += envelopes.length;
            const last = batch.messages[batch.messages.length - 1];
            if (last && Number(last.offset) + 1 >= end) {
              remaining.delete(key);
              consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
              if (remaining.size === 0) resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return written;
}
