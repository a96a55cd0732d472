import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { DataSource, MigrationInterface } from 'typeorm';
import { EVENT_STORE_MIGRATIONS, openDatabase } from '@dealledger/event-store';

/** A name no other test run uses: schemas, topic prefixes, consumer groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export async function openTestDatabase(schema: string, migrations: (new () => MigrationInterface)[] = EVENT_STORE_MIGRATIONS): Promise<DataSource> {
  return openDatabase({ schema, migrations, poolSize: 40 });
}

export async function dropSchema(dataSource: DataSource, schema: string): Promise<void> {
  await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await dataSource.destroy();
}

export interface Collected {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads `topic` from the beginning with a fresh consumer group until `until` says enough
 * (or the timeout passes: then it throws with what it saw).
 */
export async function collectFromTopic(
  kafka: Kafka,
  topic: string,
  until: (seen: Collected[]) => boolean,
  timeoutMs = 30000,
): Promise<Collected[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('collector'), allowAutoTopicCreation: false });
  const seen: Collected[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms on ${topic} having seen ${seen.length} messages`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ topic: t, partition, message }) => {
            seen.push({ topic: t, partition, message });
            if (until(seen)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
