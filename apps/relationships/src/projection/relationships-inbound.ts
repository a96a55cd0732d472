import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { CONTEXTS, eventCatalog, eventsTopic } from '@dealledger/events';
import { PostgresEventStore } from '@dealledger/event-store';
import { EventBatchHandler, EventHandler, IdempotentConsumer } from '@dealledger/messaging';
import { ConsumerRegistry, DATA_SOURCE, KAFKA, PRODUCER } from '@dealledger/platform';
import { writableGenerations, writeEvents } from './generations';

/** Every context's topic the ledger publishes (the read side publishes none of its own). */
export const sourceTopics = () => CONTEXTS.filter((c) => c !== 'relationships').map((c) => eventsTopic(c));

export const relationshipsGroupId = () => process.env.RELATIONSHIPS_GROUP_ID ?? `${process.env.TOPIC_PREFIX || 'dealledger'}.relationships`;

/**
 * The live projection: consumes every dealledger.*.events topic from the earliest offset with
 * its own consumer group, idempotently (inbox + keyed rows), into every writable generation.
 * Several instances in one group share the partitions.
 */
@Injectable()
export class RelationshipsInbound implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumer: IdempotentConsumer;

  constructor(consumers: ConsumerRegistry, @Inject(DATA_SOURCE) dataSource: DataSource, @Inject(KAFKA) kafka: Kafka, @Inject(PRODUCER) producer: Producer, store: PostgresEventStore) {
    // A fetched batch is written in one transaction: a few statements for many events.
    const projectBatch: EventBatchHandler = async (events, tx) => {
      for (const gen of await writableGenerations(tx, store.schema)) await writeEvents(tx, store.schema, gen, events);
    };
    const project: EventHandler = (event, tx) => projectBatch([event], tx);
    const handlers = Object.fromEntries([...new Set(eventCatalog.list().map((d) => d.type))].map((type) => [type, project]));
    this.consumer = new IdempotentConsumer({
      kafka,
      dataSource,
      schema: store.schema,
      groupId: relationshipsGroupId(),
      topics: sourceTopics(),
      catalog: eventCatalog,
      producer,
      handlers,
      handleBatch: projectBatch,
    });
    consumers.add(this.consumer);
  }

  onApplicationBootstrap(): void {
    this.consumer.startInBackground();
  }

  onApplicationShutdown(): Promise<void> {
    return this.consumer.stop();
  }
}
