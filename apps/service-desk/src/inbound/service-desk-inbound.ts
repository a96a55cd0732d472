import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { eventCatalog, eventsTopic } from '@dealledger/events';
import { PostgresEventStore } from '@dealledger/event-store';
import { IdempotentConsumer } from '@dealledger/messaging';
import { ConsumerRegistry, DATA_SOURCE, KAFKA, PRODUCER } from '@dealledger/platform';
import { RegisterSlaTermsWhenContractExecuted, UpdateServiceContractWhenContractChanges } from './sla-terms.kafka-handlers';

/** The service desk learns contracts and their SLA terms only from dealledger.contracts.events. */
@Injectable()
export class ServiceDeskInbound implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumer: IdempotentConsumer;

  constructor(consumers: ConsumerRegistry, @Inject(DATA_SOURCE) dataSource: DataSource, @Inject(KAFKA) kafka: Kafka, @Inject(PRODUCER) producer: Producer, store: PostgresEventStore) {
    const executed = new RegisterSlaTermsWhenContractExecuted(store.schema);
    const changed = new UpdateServiceContractWhenContractChanges(store.schema);
    this.consumer = new IdempotentConsumer({
      kafka,
      dataSource,
      schema: store.schema,
      groupId: `${process.env.TOPIC_PREFIX || 'dealledger'}.service-desk`,
      topics: [eventsTopic('contracts')],
      catalog: eventCatalog,
      producer,
      handlers: {
        ContractExecuted: (e, tx) => executed.handle(e, tx),
        ContractTerminated: (e, tx) => changed.handle(e, tx),
        ContractExpired: (e, tx) => changed.handle(e, tx),
        ContractRenewed: (e, tx) => changed.handle(e, tx),
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
