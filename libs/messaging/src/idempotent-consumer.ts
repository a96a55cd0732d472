import { Logger } from '@nestjs/common';
import type { Admin, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '@dealledger/domain';
import { deadLetterTopic, EventCatalog, EventEnvelope, Headers } from '@dealledger/events';
import { assertIdentifier, DuplicateEventError } from '@dealledger/event-store';
import {
  consumerLag,
  consumerMessages,
  contextFrom,
  deadLettersSent,
  deadLetterTopicMessages,
  inSpan,
  type Span,
  SpanKind,
  SpanStatusCode,
  tracer,
  withLogFields,
  currentLogFields,
} from '@dealledger/telemetry';
import { faultPoint } from './fault-point';
import { headerString } from './envelope';
import { checkEnvelope, parseEnvelope } from './event-check';
import { ensureTopics } from './topics';
import { PeriodicCommits } from './offset-commits';

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
   * Handles the events of a fetched batch (those with a handler) in one transaction that first
   * records them in the inbox (one statement, which also tells the new ones), instead of a
   * transaction per message. Only for handlers that write read tables: one that appends to an
   * event store must keep the append first in its own transaction. If the batch is refused, its
   * messages are handled one at a time, so only the refused one is dead-lettered.
   */
  handleBatch?: EventBatchHandler;
  catalog: EventCatalog;
  /** Shared producer for dead letters. */
  producer: Producer;
  fromBeginning?: boolean;
  /** Inbox name; defaults to the group id. */
  name?: string;
  /**
   * Out of its group for longer than this (ms), the consumer is started again as a new member
   * (`KAFKA_REJOIN_AFTER_MS`; default the larger of 60 s and three session timeouts; 0 never).
   */
  rejoinAfterMs?: number;
}

const STOP_TIMEOUT_MS = 5000;
/** A member that died without leaving (kill -9) holds its partitions until its session times out. */
const sessionTimeoutMs = () => Number(process.env.KAFKA_SESSION_TIMEOUT_MS ?? 10000);
/** How often processed offsets are committed (ms); 0: after every fetched batch, as kafkajs does. */
const commitIntervalMs = () => Number(process.env.KAFKA_COMMIT_INTERVAL_MS ?? 1000);
const inboxRetentionDays = () => Number(process.env.INBOX_RETENTION_DAYS ?? 30);

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
  /** The offsets of `consumer`, committed every KAFKA_COMMIT_INTERVAL_MS (null: kafkajs commits). */
  private commits: PeriodicCommits | null = null;
  private stopped = false;
  private pruneTimer: NodeJS.Timeout | null = null;
  private starting: Promise<void> | null = null;
  /** Bumped by stop() and by each startInBackground(): a start-up from an earlier one must not stay running. */
  private epoch = 0;
  /** In the group with partitions assigned (kafkajs GROUP_JOIN), until a rebalance, crash or stop. */
  private joined = false;
  private lastError: string | null = null;
  /** Since when the current member has been out of its group (null while joined or stopped). */
  private outSince: number | null = null;
  /** When kafkajs last reported a crash of the current member (it is still trying, then). */
  private lastCrashAt = 0;
  private watchdog: NodeJS.Timeout | null = null;
  /** Earlier members asked to leave after a restart; stop() waits for them. */
  private readonly leaving = new Set<Promise<void>>();
  /** How often the watchdog started the consumer again. */
  restarts = 0;
  readonly counts: Record<Outcome, number> = { handled: 0, duplicate: 0, skipped: 0, 'dead-lettered': 0 };
  private admin: Admin | null = null;
  private unreport: (() => void)[] = [];
  private adminConnecting: Promise<Admin> | null = null;
  private offsetsRead: {
    at: number;
    reading: Promise<{ lag: { topic: string; partition: number; value: number }[]; dlq: { topic: string; value: number }[] }>;
    done: boolean;
  } | null = null;

  constructor(private readonly options: IdempotentConsumerOptions) {
    this.name = options.name ?? options.groupId;
    this.inbox = `"${assertIdentifier(options.schema)}".inbox`;
    this.logger = new Logger(`Consumer(${this.name})`);
  }

  async start(): Promise<void> {
    this.stopped = false;
    return this.startAs(++this.epoch);
  }

  private async startAs(epoch: number): Promise<void> {
    const { kafka, topics } = this.options;
    await ensureTopics(
      kafka,
      [...topics, ...topics.map(deadLetterTopic)].map((topic) => ({ topic })),
    );
    // A member that died without leaving (kill -9) holds its partitions until its session times
    // out; a short session lets a restarted instance take them back within seconds.
    const sessionTimeout = sessionTimeoutMs();
    const consumer = kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout,
      rebalanceTimeout: sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 5)),
    });
    // Only the current start-up speaks for the consumer's state (a superseded one stops later).
    // Listeners never disconnect: disconnecting a member before its run() has returned lets
    // kafkajs go on fetching with it afterwards (a member that outlives stop()).
    const current = () => epoch === this.epoch;
    const interval = commitIntervalMs();
    const commits = interval > 0 ? new PeriodicCommits(consumer, interval, (m) => this.logger.warn(m)) : null;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      commits?.assigned(payload.memberAssignment);
      if (!current()) return;
      this.joined = true;
      this.outSince = null;
      this.lastError = null;
    });
    consumer.on(consumer.events.REBALANCING, () => {
      // Commit what is done before the partitions may move (kafkajs does the same for its own).
      void commits?.flush();
      if (current()) this.leave();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      commits?.left();
      if (!current()) return;
      this.lastCrashAt = Date.now();
      this.leave();
      this.lastError = payload.error.message;
    });
    consumer.on(consumer.events.STOP, () => {
      commits?.left();
      if (current()) this.leave();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
      await this.run(consumer, commits);
    } catch (err) {
      // Each attempt makes a consumer of its own: a failed one must not linger.
      await this.letGo(consumer, commits);
      throw err;
    }
    if (epoch !== this.epoch) {
      // stop() (or a newer start) gave up waiting for this start-up: do not leave a member running.
      await this.letGo(consumer, commits);
      return;
    }
    // Started again without a stop (the watchdog): the earlier member leaves the group. Not
    // awaited here, as a silent member may never answer; stop() waits for it (letGo is bounded).
    const [previous, previousCommits] = [this.consumer, this.commits];
    this.consumer = consumer;
    this.commits = commits;
    if (previous) {
      const left: Promise<void> = this.letGo(previous, previousCommits).finally(() => this.leaving.delete(left));
      this.leaving.add(left);
    }
    if (this.unreport.length === 0) this.reportLag();
    if (!this.pruneTimer) {
      this.pruneTimer = setInterval(
        () => void this.pruneInbox().catch((err) => this.logger.warn(`pruning the inbox failed: ${(err as Error).message}`)),
        3600000,
      );
      this.pruneTimer.unref();
    }
  }

  private run(consumer: Consumer, commits: PeriodicCommits | null): Promise<void> {
    return consumer.run({
      autoCommit: commits === null,
      // Partitions are independent (order matters within one): work on several at once.
      partitionsConsumedConcurrently: Number(process.env.KAFKA_PARTITIONS_CONCURRENCY ?? 3),
      ...(this.options.handleBatch
        ? {
            eachBatch: async ({ batch, heartbeat }) => {
              await this.processBatch(batch.topic, batch.partition, batch.messages, heartbeat);
              commits?.processed(batch.topic, batch.partition, batch.lastOffset());
            },
          }
        : {
            eachMessage: async ({ topic, partition, message }) => {
              const outcome = await this.process(topic, partition, message);
              faultPoint('consumer-committed');
              commits?.processed(topic, partition, message.offset);
              this.count(outcome);
            },
          }),
    });
  }

  /**
   * Starts without holding up the app: if Kafka is away, keeps trying with backoff (events
   * wait in the topic meanwhile).
   */
  startInBackground(): void {
    this.stopped = false;
    // A new member is on its way: out of the group until it joins.
    this.joined = false;
    this.outSince = Date.now();
    this.watch();
    const epoch = ++this.epoch;
    const attempt = async (delay: number): Promise<void> => {
      if (this.stopped || epoch !== this.epoch) return;
      try {
        await this.options.producer.connect();
        await this.startAs(epoch);
      } catch (err) {
        this.lastError = (err as Error).message;
        this.logger.warn(`cannot start yet (${(err as Error).message}); retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
        return attempt(Math.min(delay * 2, 10000));
      }
    };
    this.starting = attempt(500);
  }

  private leave(): void {
    this.joined = false;
    this.outSince ??= Date.now();
  }

  /**
   * kafkajs retries a failed join by itself, but a broker killed at the wrong moment (while
   * the group's coordinator was loading) has been seen to leave its consumer silent for good:
   * no join, no retry, no crash. Out of its group, and without a crash, for longer than any
   * rebalance takes, the consumer is started again as a new member. An earlier member is
   * disconnected only once its run() has returned: when the new one has started
   * (this.consumer), or by its own start-up.
   */
  private watch(): void {
    const after = this.options.rejoinAfterMs ?? Number(process.env.KAFKA_REJOIN_AFTER_MS ?? Math.max(60000, 3 * sessionTimeoutMs()));
    if (this.watchdog || !(after > 0)) return;
    this.watchdog = setInterval(
      () => {
        if (this.stopped || this.outSince === null || Date.now() - this.outSince < after) return;
        // Crashing and restarting (Kafka away) is kafkajs still at work, not silence: a member
        // in its own restart must not be disconnected (it would go on without us).
        if (Date.now() - this.lastCrashAt < after) return;
        this.restarts += 1;
        this.logger.warn(`out of group ${this.options.groupId} for ${Date.now() - this.outSince} ms; starting again as a new member`);
        this.startInBackground();
      },
      Math.min(5000, Math.max(100, Math.floor(after / 4))),
    );
    this.watchdog.unref();
  }

  /** For readiness: a consumer that has not joined its group is not applying events. */
  get status(): { name: string; joined: boolean; lastError: string | null } {
    return { name: this.name, joined: this.joined, lastError: this.lastError };
  }

  async stop(): Promise<void> {
    this.joined = false;
    this.outSince = null;
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.epoch += 1;
    for (const u of this.unreport) u();
    this.unreport = [];
    const admin = this.admin;
    this.admin = null;
    this.adminConnecting = null;
    this.offsetsRead = null;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = null;
    // With Kafka away, connecting waits for the broker indefinitely: do not hold up shutdown.
    await this.bounded(this.starting, 'start-up');
    const [consumer, commits] = [this.consumer, this.commits];
    this.consumer = null;
    this.commits = null;
    // letGo waits for Kafka a bounded time at each step: so does this.
    await Promise.all([this.letGo(consumer, commits), ...this.leaving]);
    await this.bounded(admin?.disconnect(), 'disconnecting the admin client');
  }

  /**
   * A member leaves: what it handled is committed first (bounded: a silent member may not
   * answer), so the next owner starts after it; then it disconnects. A commit kafkajs is still
   * retrying then may connect it again: it is disconnected once more when that commit settles.
   */
  private async letGo(consumer: Consumer | null, commits: PeriodicCommits | null): Promise<void> {
    const closing = commits?.close();
    let settled = !closing;
    void closing?.finally(() => (settled = true));
    await this.bounded(closing, 'committing offsets');
    const settledBefore = settled;
    await this.bounded(consumer?.disconnect(), 'disconnecting');
    if (!settledBefore) void closing?.finally(() => consumer?.disconnect().catch(() => undefined));
  }

  /** Waits for `p` at most STOP_TIMEOUT_MS: a kafkajs call may wait for a broker forever. */
  private async bounded<T>(p: Promise<T> | null | undefined, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.resolve(p).then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((r) => {
        timer = setTimeout(() => (this.logger.warn(`${what} still waiting for Kafka after ${STOP_TIMEOUT_MS} ms; going on without it`), r()), STOP_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    // Done in time: no warning later (shutdown may go on longer than the timer).
    clearTimeout(timer);
  }

  private count(outcome: Outcome, n = 1): void {
    this.counts[outcome] += n;
    if (n > 0) consumerMessages.inc({ group: this.options.groupId, outcome }, n);
  }

  /**
   * Consumer lag per partition (the group's committed offsets against the end of each
   * partition) and the size of the dead-letter topics, read from Kafka when scraped (at most
   * every 5 s). Every replica of the group reports the same figures.
   */
  private reportLag(): void {
    const { kafka, groupId, topics } = this.options;
    // One admin client, connected once: scrapes while Kafka is away wait on the same attempt.
    const connected = (): Promise<Admin> => {
      if (this.admin) return Promise.resolve(this.admin);
      if (!this.adminConnecting) {
        const attempt = (async () => {
          const admin = kafka.admin();
          try {
            await admin.connect();
          } catch (err) {
            await admin.disconnect().catch(() => undefined);
            throw err;
          }
          if (this.stopped) {
            await admin.disconnect();
            throw new Error('stopped');
          }
          this.admin = admin;
          return admin;
        })();
        this.adminConnecting = attempt;
        void attempt
          .then(
            () => undefined,
            () => undefined,
          )
          .finally(() => this.adminConnecting === attempt && (this.adminConnecting = null));
      }
      return this.adminConnecting;
    };
    const read = async () => {
      const admin = await connected();
      const committed = await admin.fetchOffsets({ groupId, topics });
      const lag: { topic: string; partition: number; value: number }[] = [];
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const at = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
          // Nothing committed yet: the group starts from the beginning of what is kept.
          lag.push({ topic, partition: end.partition, value: Number(end.high) - (at >= 0 ? at : Number(end.low)) });
        }
      }
      const dlq = await Promise.all(
        topics
          .map(deadLetterTopic)
          .map(async (topic) => ({ topic, value: (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0) })),
      );
      return { lag, dlq };
    };
    const offsets = () => {
      // A reading still under way serves every scrape that comes meanwhile, however old.
      if (!this.offsetsRead || (this.offsetsRead.done && Date.now() - this.offsetsRead.at > 5000)) {
        const reading = read();
        const entry = { at: Date.now(), reading, done: false };
        // A failed read is not kept: the next scrape tries again.
        reading.then(
          () => (entry.done = true),
          () => this.offsetsRead === entry && (this.offsetsRead = null),
        );
        this.offsetsRead = entry;
      }
      return this.offsetsRead.reading;
    };
    this.unreport = [
      consumerLag.report(async () =>
        (await offsets()).lag.map((l) => ({ labels: { group: groupId, topic: l.topic, partition: l.partition }, value: l.value })),
      ),
      deadLetterTopicMessages.report(async () => (await offsets()).dlq.map((d) => ({ labels: { topic: d.topic }, value: d.value }))),
    ];
  }

  /**
   * The consumer's span for a message: child of the producer span named by its `traceparent`
   * header, so the trace goes on across the process boundary. Log lines inside carry the
   * event's correlation id and acting company.
   */
  private traced<T>(topic: string, partition: number, message: KafkaMessage, fn: (span: Span) => Promise<T>): Promise<T> {
    const parent = contextFrom(headerString(message.headers, Headers.traceparent));
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': String(partition),
      'messaging.kafka.offset': Number(message.offset),
      'messaging.consumer.group.name': this.options.groupId,
      'dealledger.event_type': headerString(message.headers, Headers.eventType) ?? 'unknown',
    };
    return withLogFields({ correlationId: headerString(message.headers, Headers.correlationId) }, () =>
      inSpan(
        `${topic} process`,
        { kind: SpanKind.CONSUMER, attributes },
        async (span) => {
          const result = await fn(span);
          if (typeof result === 'string') span.setAttribute('dealledger.outcome', result);
          return result;
        },
        parent,
      ),
    );
  }

  /**
   * Deletes inbox records older than the retention (`INBOX_RETENTION_DAYS`, 30; 0 keeps them).
   * Kafka redelivers only what the group has not committed, within seconds or minutes; an event
   * reaches the group again after that only when an operator resets its offsets, and a reset to
   * before the retention would apply those older events again: rebuild the tables instead.
   * Dead-letter records are kept for good: they are few, and a rebuild leaves out what they name.
   */
  async pruneInbox(olderThanDays = inboxRetentionDays()): Promise<number> {
    if (!(olderThanDays > 0)) return 0;
    let deleted = 0;
    for (;;) {
      // In slices, so no long transaction or lock holds up the consumer.
      const [, n] = await this.options.dataSource.query(
        `DELETE FROM ${this.inbox} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${this.inbox} WHERE consumer = $1 AND outcome = 'handled' AND processed_at < now() - $2::float8 * interval '1 day' LIMIT 5000))`,
        [this.name, olderThanDays],
      );
      deleted += Number(n ?? 0);
      if (!(Number(n) >= 5000)) return deleted;
    }
  }

  /** Exposed for tests and tools: the whole per-message procedure. */
  async process(topic: string, partition: number, message: KafkaMessage): Promise<Outcome> {
    return this.traced(topic, partition, message, async () => {
      const prepared = await this.prepare(topic, partition, message);
      const fields = currentLogFields();
      if (fields && typeof prepared !== 'string') fields.companyId = prepared.actor?.companyId;
      return typeof prepared === 'string' ? prepared : this.handleOne(topic, partition, message, prepared);
    });
  }

  /** A fetched batch in one transaction (see `handleBatch`); kafkajs resolves its offsets after. */
  async processBatch(topic: string, partition: number, messages: KafkaMessage[], heartbeat?: () => Promise<void>): Promise<void> {
    const ready: { message: KafkaMessage; event: EventEnvelope }[] = [];
    for (const message of messages) {
      const prepared = await this.prepare(topic, partition, message);
      if (typeof prepared === 'string') this.count(prepared);
      else ready.push({ message, event: prepared });
    }
    if (ready.length === 0) return;
    // One transaction for the batch, but a span per message, each in its own trace.
    const spans = ready.map(({ message }) =>
      tracer().startSpan(
        `${topic} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'process',
            'messaging.destination.name': topic,
            'messaging.consumer.group.name': this.options.groupId,
            'messaging.batch.message_count': ready.length,
          },
        },
        contextFrom(headerString(message.headers, Headers.traceparent)),
      ),
    );
    try {
      await this.processReady(topic, partition, ready, heartbeat);
    } catch (err) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      for (const span of spans) span.end();
    }
  }

  private async processReady(
    topic: string,
    partition: number,
    ready: { message: KafkaMessage; event: EventEnvelope }[],
    heartbeat?: () => Promise<void>,
  ): Promise<void> {
    // A large batch (catching up after downtime) takes a while: keep the group membership alive.
    await heartbeat?.();
    try {
      const handled = await this.options.dataSource.transaction(async (tx) => {
        // Recorded first, in one statement with the check (a batch handler writes read tables
        // only, so nothing needs to be its transaction's first write): what comes back is new.
        // A concurrent duplicate waits here for the other transaction and then finds it recorded
        // (ids in order, so that two batches sharing several never wait for each other in a cycle).
        const ids = [...new Set(ready.map((r) => r.event.id))].sort();
        const recorded: { event_id: string }[] = await tx.query(
          `INSERT INTO ${this.inbox} (consumer, event_id, outcome) SELECT $1, unnest($2::text[]), 'handled' ON CONFLICT DO NOTHING RETURNING event_id`,
          [this.name, ids],
        );
        const isNew = new Set(recorded.map((r) => r.event_id));
        const fresh = new Map<string, EventEnvelope>();
        for (const { event } of ready) if (isNew.has(event.id) && !fresh.has(event.id)) fresh.set(event.id, event);
        if (fresh.size > 0) {
          await this.options.handleBatch!([...fresh.values()], tx);
          faultPoint('consumer-handled');
        }
        return fresh.size;
      });
      faultPoint('consumer-committed');
      this.count('handled', handled);
      this.count('duplicate', ready.length - handled);
    } catch (err) {
      if (!this.isRefusal(err)) {
        this.logger.warn(`batch of ${ready.length} from ${topic}[${partition}] failed, will be retried: ${(err as Error).message}`);
        throw err;
      }
      // Something in the batch was refused: one at a time, so only that message is dead-lettered.
      for (const { message, event } of ready) this.count(await this.handleOne(topic, partition, message, event));
    }
  }

  /** Parses, checks and upcasts a message; dead-letters or skips it, or returns the event to handle. */
  private async prepare(topic: string, partition: number, message: KafkaMessage): Promise<EventEnvelope | Outcome> {
    const parsed = parseEnvelope(message.value);
    // Without an event id, the message's place in the log names it for the inbox.
    if ('reason' in parsed) return this.deadLetter(topic, partition, message, parsed.reason, `offset:${topic}:${partition}:${message.offset}`);
    if (!this.options.handlers[parsed.envelope.type]) return 'skipped';
    const checked = checkEnvelope(parsed.envelope, this.options.catalog, topic);
    // Refused before handling: recorded under its place in the log, never under its event id,
    // so that a forged or broken copy cannot take the genuine event's id in the inbox (the
    // genuine event, arriving later, would be skipped as a duplicate).
    if ('reason' in checked) return this.deadLetter(topic, partition, message, checked.reason, `offset:${topic}:${partition}:${message.offset}`);
    return checked.envelope;
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
        faultPoint('consumer-handled');
        // A concurrent duplicate that got here first makes this insert fail: the whole
        // transaction, handler writes included, rolls back and the redelivery finds it recorded.
        await tx.query(`INSERT INTO ${this.inbox} (consumer, event_id, outcome) VALUES ($1, $2, 'handled')`, [this.name, event.id]);
        return 'handled' as const;
      });
    } catch (err) {
      if (this.isRefusal(err)) return this.deadLetter(topic, partition, message, `refused: ${(err as Error).message}`, event.id, true);
      this.logger.warn(`${event.type} ${event.id} failed, will be retried: ${(err as Error).message}`);
      throw err;
    }
  }

  /** A refusal is final (dead-letter it); a concurrency conflict or any other error is retried. */
  private isRefusal(err: unknown): boolean {
    // A repeated event id is a mistake a retry repeats; a version conflict is retried.
    return err instanceof PoisonMessageError || err instanceof DomainError || err instanceof DuplicateEventError;
  }

  /**
   * Sends a message to `<topic>.dlq` once: the inbox remembers it under `key` (its event id, or
   * its offset when it has none), so a redelivery, a retried batch or a rebalance does not send
   * it again. `checked`: the caller has just looked the key up in the inbox.
   * Sent before it is recorded: a crash in between sends it twice rather than never.
   */
  private async deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string, key: string, checked = false): Promise<Outcome> {
    if (!checked) {
      const seen = await this.options.dataSource.query(`SELECT 1 FROM ${this.inbox} WHERE consumer = $1 AND event_id = $2`, [this.name, key]);
      if (seen.length > 0) return 'duplicate';
    }
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
    deadLettersSent.inc({ group: this.options.groupId, topic: deadLetterTopic(topic) });
    await this.options.dataSource.query(`INSERT INTO ${this.inbox} (consumer, event_id, outcome) VALUES ($1, $2, 'dead-lettered') ON CONFLICT DO NOTHING`, [
      this.name,
      key,
    ]);
    return 'dead-lettered';
  }
}
