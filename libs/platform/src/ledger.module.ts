import { Controller, DynamicModule, Get, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, Res } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource, MigrationInterface } from 'typeorm';
import { AuthGuard, Public } from '@dealledger/auth';
import { eventsTopic } from '@dealledger/events';
import { EVENT_STORE_MIGRATIONS, openDatabase, PostgresEventStore } from '@dealledger/event-store';
import { createKafka, createProducer, Inbox1732700000001, OutboxRelay } from '@dealledger/messaging';
import { MetricsController } from './metrics';

export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const KAFKA = Symbol('KAFKA');
export const PRODUCER = Symbol('PRODUCER');
export const LEDGER_CONTEXT = Symbol('LEDGER_CONTEXT');

export interface LedgerOptions {
  /** Bounded context name: `directory`, `offers`, ... (topic `dealledger.<context>.events`). */
  context: string;
  /** The app's own read-model migrations, after the event store's. */
  migrations?: (new () => MigrationInterface)[];
}

/** DB_SCHEMA, else the context name (`service-desk` -> `service_desk`). */
export function schemaFor(context: string): string {
  return process.env.DB_SCHEMA ?? context.replace(/-/g, '_');
}

@Injectable()
class LedgerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(PRODUCER) private readonly producer: Producer,
    private readonly relay: OutboxRelay,
  ) {}

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.producer.disconnect().catch(() => undefined);
    await this.dataSource.destroy().catch(() => undefined);
  }
}

@ApiTags('operations')
@Controller('health')
class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LEDGER_CONTEXT) private readonly context: string,
    private readonly relay: OutboxRelay,
  ) {}

  /** 200 while the database answers; the relay's state says whether Kafka is reachable. */
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    let database = 'up';
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      database = 'down';
    }
    const relay = this.relay.status;
    const status = database === 'down' ? 'down' : relay.lastError ? 'degraded' : 'up';
    if (status === 'down') res.status(503);
    return { status, context: this.context, database, relay };
  }
}

/**
 * The spine every context app stands on: its PostgreSQL schema (migrated at start-up), its
 * event store, Kafka, the outbox relay to `dealledger.<context>.events`, token verification
 * on every route, `/health` and `/metrics`.
 */
@Module({})
export class LedgerModule {
  static forContext(options: LedgerOptions): DynamicModule {
    // Read at start-up, not at import, so tests can point each app at its own schema.
    const schema = () => schemaFor(options.context);
    return {
      module: LedgerModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: LEDGER_CONTEXT, useValue: options.context },
        {
          provide: DATA_SOURCE,
          useFactory: () => openDatabase({ schema: schema(), migrations: [...EVENT_STORE_MIGRATIONS, Inbox1732700000001, ...(options.migrations ?? [])] }),
        },
        { provide: PostgresEventStore, useFactory: (ds: DataSource) => new PostgresEventStore(ds, schema()), inject: [DATA_SOURCE] },
        { provide: KAFKA, useFactory: () => createKafka(`dealledger-${options.context}`) },
        { provide: PRODUCER, useFactory: (kafka: Kafka) => createProducer(kafka), inject: [KAFKA] },
        {
          provide: OutboxRelay,
          useFactory: (ds: DataSource, store: PostgresEventStore, producer: Producer, kafka: Kafka) =>
            new OutboxRelay(ds, store, producer, kafka, { context: options.context, topic: eventsTopic(options.context) }),
          inject: [DATA_SOURCE, PostgresEventStore, PRODUCER, KAFKA],
        },
        LedgerLifecycle,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [DATA_SOURCE, PostgresEventStore, KAFKA, PRODUCER, OutboxRelay, LEDGER_CONTEXT],
    };
  }
}
