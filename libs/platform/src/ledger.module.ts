import { Controller, DynamicModule, Get, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, Res } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource, MigrationInterface } from 'typeorm';
import { AuthGuard, Public, TokenRevocations } from '@dealledger/auth';
import { eventsTopic } from '@dealledger/events';
import { EVENT_STORE_MIGRATIONS, openDatabase, PostgresEventStore } from '@dealledger/event-store';
import { createKafka, createProducer, IdempotentConsumer, Inbox1732700000001, kafkaBrokers, kafkaPrincipal, OutboxRelay } from '@dealledger/messaging';
import { stopTracing } from '@dealledger/telemetry';
import { AsyncApiController } from './asyncapi.controller';
import { MetricsController } from './metrics';
import { DirectoryFeed, KnownCompanies } from './directory-feed';
import { ReadModelAdminController } from './read-model';
import { DocumentsController } from './documents/documents.controller';
import { Documents1738100000000 } from './documents/documents.migration';
import { Documents } from './documents/documents.service';

import { DATA_SOURCE, KAFKA, LEDGER_CONTEXT, PRODUCER } from './tokens';

export { DATA_SOURCE, KAFKA, LEDGER_CONTEXT, PRODUCER };

export interface LedgerOptions {
  /** Bounded context name: `directory`, `offers`, ... (topic `dealledger.<context>.events`). */
  context: string;
  /** The app's own read-model migrations, after the event store's. */
  migrations?: (new () => MigrationInterface)[];
  /** Documents attach to its deals: `POST /documents`, `GET /documents/:sha256` and the `Documents` service. */
  documents?: boolean;
}

/** DB_SCHEMA, else the context name (`service-desk` -> `service_desk`). */
export function schemaFor(context: string): string {
  return process.env.DB_SCHEMA ?? context.replace(/-/g, '_');
}

/** The app's Kafka consumers, registered by its inbound adapters, for readiness. */
@Injectable()
export class ConsumerRegistry {
  private readonly consumers: IdempotentConsumer[] = [];

  add(consumer: IdempotentConsumer): void {
    this.consumers.push(consumer);
  }

  get statuses() {
    return this.consumers.map((c) => c.status);
  }
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
    // Last: the spans of the shutdown itself go out too.
    await stopTracing();
  }
}

@ApiTags('operations')
@Controller('health')
class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LEDGER_CONTEXT) private readonly context: string,
    private readonly relay: OutboxRelay,
    private readonly consumers: ConsumerRegistry,
    private readonly tokens: DirectoryFeed,
  ) {}

  /** 200 while the database answers; the relay's and consumers' states say whether Kafka is reachable. */
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    const report = await this.report();
    if (report.database === 'down') res.status(503);
    return { ...report, status: report.database === 'down' ? 'down' : report.relay.lastError || report.consumers.some((c) => c.lastError) ? 'degraded' : 'up' };
  }

  /** Liveness: the process serves requests. Restart it only when this fails. */
  @Public()
  @Get('live')
  live() {
    return { status: 'up', context: this.context };
  }

  /**
   * Readiness: 200 once the database answers, the outbox relay is publishing (its last batch
   * went out) or standing by for another instance, and every consumer has joined its group; 503 with what is missing
   * while the app is starting or has lost one of them.
   */
  @Public()
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const report = await this.report();
    const waiting = [
      ...(report.database === 'down' ? ['database'] : []),
      // Active but failing to publish (Kafka away): not ready either, though commands are still stored.
      ...(report.relay.role === 'starting' || (report.relay.role === 'active' && report.relay.lastError) ? ['relay'] : []),
      ...report.consumers.filter((c) => !c.joined).map((c) => `consumer ${c.name}`),
      ...(report.tokens.caughtUp ? [] : ['token revocations']),
    ];
    if (waiting.length > 0) res.status(503);
    return { ...report, status: waiting.length === 0 ? 'ready' : 'not ready', waiting };
  }

  private async report() {
    let database = 'up';
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      database = 'down';
    }
    return { context: this.context, database, relay: this.relay.status, consumers: this.consumers.statuses, tokens: this.tokens.status };
  }
}

/**
 * The spine every context app stands on: its PostgreSQL schema (migrated at start-up), its
 * event store, Kafka, the outbox relay to `dealledger.<context>.events`, token verification
 * on every route, `/health`, `/metrics` and `/asyncapi.json`.
 */
@Module({})
export class LedgerModule {
  static forContext(options: LedgerOptions): DynamicModule {
    // Read at start-up, not at import, so tests can point each app at its own schema.
    const schema = () => schemaFor(options.context);
    return {
      module: LedgerModule,
      global: true,
      controllers: [HealthController, MetricsController, ReadModelAdminController, AsyncApiController, ...(options.documents ? [DocumentsController] : [])],
      providers: [
        { provide: LEDGER_CONTEXT, useValue: options.context },
        {
          provide: DATA_SOURCE,
          useFactory: () =>
            openDatabase({
              schema: schema(),
              migrations: [
                ...EVENT_STORE_MIGRATIONS,
                Inbox1732700000001,
                ...(options.documents ? [Documents1738100000000] : []),
                ...(options.migrations ?? []),
              ],
            }),
        },
        { provide: PostgresEventStore, useFactory: (ds: DataSource) => new PostgresEventStore(ds, schema()), inject: [DATA_SOURCE] },
        { provide: KAFKA, useFactory: () => createKafka(`dealledger-${options.context}`, kafkaBrokers(), kafkaPrincipal(options.context)) },
        { provide: PRODUCER, useFactory: (kafka: Kafka) => createProducer(kafka), inject: [KAFKA] },
        {
          provide: OutboxRelay,
          useFactory: (ds: DataSource, store: PostgresEventStore, producer: Producer, kafka: Kafka) =>
            new OutboxRelay(ds, store, producer, kafka, { context: options.context, topic: eventsTopic(options.context) }),
          inject: [DATA_SOURCE, PostgresEventStore, PRODUCER, KAFKA],
        },
        LedgerLifecycle,
        ConsumerRegistry,
        TokenRevocations,
        KnownCompanies,
        {
          provide: DirectoryFeed,
          useFactory: (kafka: Kafka, revocations: TokenRevocations, companies: KnownCompanies) =>
            new DirectoryFeed(kafka, options.context, revocations, companies),
          inject: [KAFKA, TokenRevocations, KnownCompanies],
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        ...(options.documents ? [Documents] : []),
      ],
      exports: [
        DATA_SOURCE,
        PostgresEventStore,
        KAFKA,
        PRODUCER,
        OutboxRelay,
        LEDGER_CONTEXT,
        ConsumerRegistry,
        TokenRevocations,
        KnownCompanies,
        ...(options.documents ? [Documents] : []),
      ],
    };
  }
}
