import { Inject, OnApplicationBootstrap, OnApplicationShutdown, Type } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { eventCatalog } from '@dealledger/events';
import { PostgresEventStore } from '@dealledger/event-store';
import { EventBatchHandler, EventHandler, IdempotentConsumer } from '@dealledger/messaging';
import { ConsumerRegistry, DATA_SOURCE, KAFKA, PRODUCER } from './ledger.module';

/** What a context does with the events it consumes. */
export interface InboundHandlers {
  /** By event type; events of other types are skipped. */
  handlers: Record<string, EventHandler>;
  /** One transaction per fetched batch: only for handlers that write read tables (see IdempotentConsumerOptions). */
  handleBatch?: EventBatchHandler;
}

export interface InboundSpec<Deps extends unknown[]> {
  /** Names the generated provider class, e.g. `ContractsInbound`. */
  name: string;
  /** Read when the app starts (tests set TOPIC_PREFIX just before). */
  groupId: () => string;
  topics: () => string[];
  /** Providers the handlers need: given to `handlers` after the schema, in this order. */
  inject?: { [K in keyof Deps]: Type<Deps[K]> | string | symbol };
  handlers: (schema: string, ...deps: Deps) => InboundHandlers;
}

/** The group id of a context's own consumer: one per context and topic prefix. */
export const contextGroupId = (context: string) => `${process.env.TOPIC_PREFIX || 'dealledger'}.${context}`;

/**
 * A context's consumer of other contexts' topics: idempotent (inbox), registered for the health
 * check, started in the background once the app is up and stopped when it shuts down.
 */
export abstract class Inbound implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumer: IdempotentConsumer;

  protected constructor(
    spec: InboundSpec<never[]>,
    infrastructure: { consumers: ConsumerRegistry; dataSource: DataSource; kafka: Kafka; producer: Producer; store: PostgresEventStore },
    deps: unknown[],
  ) {
    const { consumers, dataSource, kafka, producer, store } = infrastructure;
    const { handlers, handleBatch } = (spec.handlers as (schema: string, ...deps: unknown[]) => InboundHandlers)(store.schema, ...deps);
    this.consumer = new IdempotentConsumer({
      kafka,
      dataSource,
      schema: store.schema,
      groupId: spec.groupId(),
      topics: spec.topics(),
      catalog: eventCatalog,
      producer,
      handlers,
      handleBatch,
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

/** The provider class for one context's consumer: list it in the module's providers. */
export function inboundConsumer<Deps extends unknown[]>(spec: InboundSpec<Deps>): Type<Inbound> {
  const own = spec as unknown as InboundSpec<never[]>;
  class Wired extends Inbound {
    constructor(...args: unknown[]) {
      const [consumers, dataSource, kafka, producer, store, ...deps] = args as [
        ConsumerRegistry,
        DataSource,
        Kafka,
        Producer,
        PostgresEventStore,
        ...unknown[],
      ];
      super(own, { consumers, dataSource, kafka, producer, store }, deps);
    }
  }
  // Declared by hand: the dependencies differ per context and a generated class has no parameter types to read.
  const tokens = [ConsumerRegistry, DATA_SOURCE, KAFKA, PRODUCER, PostgresEventStore, ...(spec.inject ?? [])];
  tokens.forEach((token, index) => Inject(token)(Wired, undefined, index));
  Object.defineProperty(Wired, 'name', { value: spec.name });
  return Wired;
}
