import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { NewEvent, PostgresEventStore } from '@dealledger/event-store';
import { connectProducer, createKafka, ensureTopics } from '@dealledger/messaging';
import { dropSchema, openTestDatabase } from './index';

/** What the store-and-broker tests stand on: a migrated schema of their own, its store, Kafka and a producer. */
export interface StoreAndKafka {
  db: DataSource;
  store: PostgresEventStore;
  kafka: Kafka;
  producer: Producer;
}

/** Opens it for `schema` (the topics are made first when given); close it with `closeStoreAndKafka`. */
export async function openStoreAndKafka(schema: string, clientId: string, topics: { topic: string; partitions?: number }[] = []): Promise<StoreAndKafka> {
  const db = await openTestDatabase(schema);
  const kafka = createKafka(clientId);
  if (topics.length > 0) await ensureTopics(kafka, topics);
  return { db, store: new PostgresEventStore(db, schema), kafka, producer: await connectProducer(kafka) };
}

export async function closeStoreAndKafka(opened: Pick<StoreAndKafka, 'db' | 'producer'>, schema: string): Promise<void> {
  await opened.producer?.disconnect();
  if (opened.db) await dropSchema(opened.db, schema);
}

/** An event to append in store-level tests: one party, no actor, a fresh correlation id. */
export function newEvent(type: string, data: Record<string, unknown> = { at: Date.now() }): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data, metadata: { occurredAt: new Date(), parties: ['p'], actor: null, correlationId: randomUUID() } };
}
