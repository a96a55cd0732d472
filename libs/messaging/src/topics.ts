import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions?: number;
}

export function defaultPartitions(): number {
  return Number(process.env.KAFKA_PARTITIONS ?? 3);
}

/**
 * Creates missing topics with infinite retention (the log is how history is rebuilt).
 * Existing topics are left as they are.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions ?? defaultPartitions(),
        replicationFactor: -1,
        configEntries: [
          { name: 'retention.ms', value: '-1' },
          { name: 'retention.bytes', value: '-1' },
        ],
      })),
    });
  } catch (err) {
    // Another process creating the same topic at the same time is fine.
    if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS' && !/already exists/i.test(String(err))) throw err;
  } finally {
    await admin.disconnect();
  }
}
