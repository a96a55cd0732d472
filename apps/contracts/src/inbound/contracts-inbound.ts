import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { eventCatalog, eventsTopic } from '@dealledger/events';
import { PostgresEventStore } from '@dealledger/event-store';
import { IdempotentConsumer } from '@dealledger/messaging';
import { ConsumerRegistry, DATA_SOURCE, KAFKA, PRODUCER } from '@dealledger/platform';
import { DraftContractWhenOfferAccepted } from './draft-contract-when-offer-accepted.kafka-handler';
import { DraftContractWhenTenderAwarded } from './draft-contract-when-tender-awarded.kafka-handler';

/** The contracts app learns about deals only from dealledger.offers.events. */
@Injectable()
export class ContractsInbound implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumer: IdempotentConsumer;

  constructor(
    consumers: ConsumerRegistry,
    @Inject(DATA_SOURCE) dataSource: DataSource,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(PRODUCER) producer: Producer,
    store: PostgresEventStore,
    offerAccepted: DraftContractWhenOfferAccepted,
    tenderAwarded: DraftContractWhenTenderAwarded,
  ) {
    this.consumer = new IdempotentConsumer({
      kafka,
      dataSource,
      schema: store.schema,
      groupId: `${process.env.TOPIC_PREFIX || 'dealledger'}.contracts`,
      topics: [eventsTopic('offers')],
      catalog: eventCatalog,
      producer,
      handlers: {
        OfferAccepted: (e, tx) => offerAccepted.handle(e, tx),
        TenderAwarded: (e, tx) => tenderAwarded.handle(e, tx),
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
