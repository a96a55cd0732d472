import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { eventCatalog, eventsTopic } from '@dealledger/events';
import { PostgresEventStore } from '@dealledger/event-store';
import { IdempotentConsumer } from '@dealledger/messaging';
import { ConsumerRegistry, DATA_SOURCE, KAFKA, PRODUCER } from '@dealledger/platform';
import { EndSupplyLineWhenContractEnded, LearnCallOffWhenCallOffPlaced, LearnSupplyLineWhenContractExecuted } from './supply-lines.kafka-handlers';

/** The resale app learns supply lines only from dealledger.contracts.events. */
@Injectable()
export class ResaleInbound implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumer: IdempotentConsumer;

  constructor(consumers: ConsumerRegistry, @Inject(DATA_SOURCE) dataSource: DataSource, @Inject(KAFKA) kafka: Kafka, @Inject(PRODUCER) producer: Producer, store: PostgresEventStore) {
    const executed = new LearnSupplyLineWhenContractExecuted(store.schema);
    const callOff = new LearnCallOffWhenCallOffPlaced(store.schema);
    const ended = new EndSupplyLineWhenContractEnded(store.schema);
    this.consumer = new IdempotentConsumer({
      kafka,
      dataSource,
      schema: store.schema,
      groupId: `${process.env.TOPIC_PREFIX || 'dealledger'}.resale`,
      topics: [eventsTopic('contracts')],
      catalog: eventCatalog,
      producer,
      handlers: {
        ContractExecuted: (e, tx) => executed.handle(e, tx),
        CallOffPlaced: (e, tx) => callOff.handle(e, tx),
        ContractTerminated: (e, tx) => ended.handle(e, tx),
        ContractExpired: (e, tx) => ended.handle(e, tx),
      },
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
