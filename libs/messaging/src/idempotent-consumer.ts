import { Logger } from '@nestjs/common';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, isUuid } from '@dealledger/domain';
import { deadLetterTopic, EventCatalog, EventEnvelope, Headers } from '@dealledger/events';
import { assertIdentifier } from '@dealledger/event-store';
import { ensureTopics } from './topics';

/** Handles one event; its writes go through `tx` so they commit together with the inbox record. */
export type EventHandler = (event: EventEnvelope<any>, tx: EntityManager) => Promise<void>;

/** Handles several events in one transaction (a projection's bulk write); see `handleBatch`. */
export type EventBatchHandler = (events: EventEnvelope<any>[], tx: EntityManager) => Promise<void>;

/** Thrown by a handler for a message that can never succeed: it goes to the dead-letter topic. */
export class PoisonMessageError extends Error {}

export interface IdempotentConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  /** The schema holding this consumer's inbox (and, usually, the tables its handlers write). */
  schema: string;
  groupId: string;
  topics: string[];
  /** Handlers by event type; events of other types are skipped. */
  handlers: Record<string, EventHandler>;
  /**
   * Handles the events of a fetched batch (those with a handler) in one transaction with one
   * inbox check and one inbox insert, instead of a transaction per message. Only for handlers
   * that write read tables: one that appends to an event store must keep the append first in
   * its own transaction. If the batch is refused, its messages are handled one at a time, so
   * only the refused one is dead-lettered.
   */
  handleBatch?: EventBatchHandler;
  catalog: EventCatalog;
  /** Shared producer for dead letters. */
  producer: Producer;
  fromBeginning?: boolean;
  /** Inbox name; defaults to the group id. */
  name?: string;
}

export type Outcome = 'handled' | 'duplicate' | 'skipped' | 'dead-lettered';

/**
 * Consumes events exactly once in effect: per message, the handler's writes and the inbox
 * record of the event id commit in one transaction, so a redelivered message changes nothing.
 * A message that cannot be parsed, fails its schema, or is refused by the domain goes to
 * `<topic>.dlq` with the reason in its headers, and consumption goes on. Any other error is
 * retried (the offset is not committed), so nothing is lost while the database is away.
 */
export class IdempotentConsumer {
  private readonly logger: Logger;
  private readonly name: string;
  private readonly inbox: string;
  private consumer: Consumer | null = null;
  private stopped = false;
  private starting: Promise<void> | null = null;
  readonly counts: Record<Outcome, number> = { handled: 0, duplicate: 0, skipped: 0, 'dead-lettered': 0 };

  constructor(private readonly options: IdempotentConsumerOptions) {
    this.name = options.name ?? options.groupId;
    this.inbox = `"${assertIdentifier(options.schema)}".inbox`;
    this.logger = new Logger(`Consumer(${this.name})`);
  }

  async start(): Promise<void> {
    const { kafka, topics } = this.options;
    await ensureTopics(kafka, [...topics, ...topics.map(deadLetterTopic)].map((topic) => ({ topic })));
    // A member that died without leaving (kill -9) holds its partitions until its session times
    // out; a short session lets a restarted instance take them back within seconds.
    const sessionTimeout = Number(process.env.KAFKA_SESSION_TIMEOUT_MS ?? 10000);
    const consumer = kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout,
      rebalanceTimeout: sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 5)),
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      // Partitions are independent (order matters within one): work on several at once.
      partitionsConsumedConcurrently: Number(process.env.KAFKA_PARTITIONS_CONCURRENCY ?? 3),
      ...(this.options.handleBatch
        ? { eachBatch: async ({ batch, heartbeat }) => this.processBatch(batch.topic, batch.partition, batch.messages, heartbeat) }
        : {
            eachMessage: async ({ topic, partition, message }) => {
              const outcome = await this.process(topic, partition, message);
              this.counts[outcome] += 1;
            },
          }),
    });
    this.consumer = consumer;
  }

  /**
   * Starts without holding up the app: if Kafka is away, keeps trying with backoff (events
   * wait in the topic meanwhile).
   */
  startInBackground(): void {
    this.stopped = false;
    const attempt = async (delay: number): Promise<void> => {
      if (this.stopped) return;
      try {
        await this.options.producer.connect();
        await this.start();
      } catch (err) {
        this.logger.warn(`cannot start yet (${(err as Error).message}); retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
        return attempt(Math.min(delay * 2, 10000));
      }
    };
    this.starting = attempt(500);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect();
  }

  /** Exposed for tests and tools: the whole per-message procedure. */
  async process(topic: string, partition: number, message: KafkaMessage): Promise<Outcome> {
    const prepared = await this.prepare(topic, partition, message);
    return typeof prepared === 'string' ? prepared : this.handleOne(topic, partition, message, prepared);
  }

  /** A fetched batch in one transaction (see `handleBatch`); kafkajs resolves its offsets after. */
  async processBatch(topic: string, partition: number, messages: KafkaMessage[], heartbeat?: () => Promise<void>): Promise<void> {
    const ready: { message: KafkaMessage; event: EventEnvelope }[] = [];
    for (const message of messages) {
      const prepared = await this.prepare(topic, partition, message);
      if (typeof prepared === 'string') this.counts[prepared] += 1;
      else ready.push({ message, event: prepared });
    }
    if (ready.length === 0) return;
    // A large batch (catching up after downtime) takes a while: keep the group membership alive.
    await heartbeat?.();
    try {
      const handled = await this.options.dataSource.transaction(async (tx) => {
        const ids = ready.map((r) => r.event.id);
        const seen = new Set<string>(
          (await tx.query(`SELECT event_id FROM ${this.inbox} WHERE consumer = $1 AND event_id = ANY($2::text[])`, [this.name, ids])).map((r: { event_id: string }) => r.event_id),
        );
        const fresh = new Map<string, EventEnvelope>();
        for (const { event } of ready) if (!seen.has(event.id) && !fresh.has(event.id)) fresh.set(event.id, event);
        if (fresh.size > 0) {
          await this.options.handleBatch!([...fresh.values()], tx);
          await tx.query(`INSERT INTO ${this.inbox} (consumer, event_id, outcome) SELECT $1, unnest($2::text[]), 'handled'`, [this.name, [...fresh.keys()]]);
        }
        return fresh.size;
      });
      this.counts.handled += handled;
      this.counts.duplicate += ready.length - handled;
    } catch (err) {
      if (!this.isRefusal(err)) {
        this.logger.warn(`batch of ${ready.length} from ${topic}[${partition}] failed, will be retried: ${(err as Error).message}`);
        throw err;
      }
      // Something in the batch was refused: one at a time, so only that message is dead-lettered.
      for (const { message, event } of ready) this.counts[await this.handleOne(topic, partition, message, event)] += 1;
    }
  }

  /** Parses, checks and upcasts a message; dead-letters or skips it, or returns the event to handle. */
  private async prepare(topic: string, partition: number, message: KafkaMessage): Promise<EventEnvelope | Outcome> {
    const parsed = this.parse(message);
    if ('reason' in parsed) return this.deadLetter(topic, partition, message, parsed.reason);
    const envelope = parsed.envelope;
    if (!this.options.handlers[envelope.type]) return 'skipped';

    const { catalog } = this.options;
    if (!catalog.get(envelope.type, envelope.schemaVersion)) {
      return this.deadLetter(topic, partition, message, `unknown schema version: ${envelope.type} v${envelope.schemaVersion}`);
    }
    const problems = catalog.validate(envelope.type, envelope.schemaVersion, envelope.data);
    if (problems.length > 0) {
      return this.deadLetter(topic, partition, message, `schema: ${envelope.type} v${envelope.schemaVersion}: ${problems.join('; ')}`);
    }
    const upcast = catalog.upcast(envelope.type, envelope.schemaVersion, envelope.data as Record<string, unknown>);
    return { ...envelope, schemaVersion: upcast.schemaVersion, data: upcast.data };
  }

  private async handleOne(topic: string, partition: number, message: KafkaMessage, event: EventEnvelope): Promise<Outcome> {
    const handler = this.options.handlers[event.type];
    try {
      return await this.options.dataSource.transaction(async (tx) => {
        // Check first, record last: a handler that appends to an event store must make the
        // append its transaction's first write (see the event store's per-stream ordering).
        const seen = await tx.query(`SELECT 1 FROM ${this.inbox} WHERE consumer = $1 AND event_id = $2`, [this.name, event.id]);
        if (seen.length > 0) return 'duplicate' as const;
        await handler(event, tx);
        // A concurrent duplicate that got here first makes this insert fail: the whole
        // transaction, handler writes included, rolls back and the redelivery finds it recorded.
        await tx.query(`INSERT INTO ${this.inbox} (consumer, event_id, outcome) VALUES ($1, $2, 'handled')`, [this.name, event.id]);
        return 'handled' as const;
      });
    } catch (err) {
      if (this.isRefusal(err)) return this.deadLetter(topic, partition, message, `refused: ${(err as Error).message}`, event.id);
      this.logger.warn(`${event.type} ${event.id} failed, will be retried: ${(err as Error).message}`);
      throw err;
    }
  }

  /** A refusal is final (dead-letter it); a concurrency conflict or any other error is retried. */
  private isRefusal(err: unknown): boolean {
    const conflict = err instanceof DomainError && err.code === 'stream.wrong_expected_version';
    return err instanceof PoisonMessageError || (err instanceof DomainError && !conflict);
  }

  private parse(message: KafkaMessage): { envelope: EventEnvelope } | { reason: string } {
    if (!message.value) return { reason: 'unparseable: empty value' };
    let value: unknown;
    try {
      value = JSON.parse(message.value.toString('utf8'));
    } catch (err) {
      return { reason: `unparseable: ${(err as Error).message}` };
    }
    const e = value as Partial<EventEnvelope>;
    const missing: string[] = [];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'envelope: not a JSON object' };
    if (!isUuid(e.id)) missing.push('id (UUID)');
    if (typeof e.type !== 'string' || !e.type) missing.push('type');
    if (!Number.isInteger(e.schemaVersion)) missing.push('schemaVersion (integer)');
    if (typeof e.streamId !== 'string') missing.push('streamId');
    if (!Number.isInteger(e.streamVersion)) missing.push('streamVersion (integer)');
    if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt))) missing.push('occurredAt (ISO time)');
    if (!Array.isArray(e.parties)) missing.push('parties (array)');
    if (typeof e.data !== 'object' || e.data === null) missing.push('data (object)');
    if (missing.length > 0) return { reason: `envelope: missing or invalid ${missing.join(', ')}` };
    return { envelope: e as EventEnvelope };
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string, eventId?: string): Promise<Outcome> {
    this.logger.warn(`dead-lettering ${topic}[${partition}]@${message.offset}: ${reason}`);
    await this.options.producer.send({
      topic: deadLetterTopic(topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [Headers.dlqReason]: reason.slice(0, 2000),
            [Headers.dlqOriginalTopic]: topic,
            [Headers.dlqOriginalPartition]: String(partition),
            [Headers.dlqOriginalOffset]: message.offset,
            [Headers.dlqConsumerGroup]: this.options.groupId,
            [Headers.dlqFailedAt]: new Date().toISOString(),
          },
        },
      ],
    });
    // Remember refused events too, so a redelivery does not dead-letter them a second time.
    const id = eventId;
    if (id) {
      await this.options.dataSource.query(
        `INSERT INTO ${this.inbox} (consumer, event_id, outcome) VALUES ($1, $2, 'dead-lettered') ON CONFLICT DO NOTHING`,
        [this.name, id],
      );
    }
    return 'dead-lettered';
  }
}
