import { Logger } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import { type Checkpoint, pollIntervalMs, type PostgresEventStore, type RecordedEvent } from '@dealledger/event-store';
import {
  activeTraceparent,
  contextFrom,
  relayActive,
  relayLagEvents,
  relayLagSeconds,
  relayPublished,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  tracer,
} from '@dealledger/telemetry';
import { Headers } from '@dealledger/events';
import { faultPoint } from './fault-point';
import { toEnvelope, toKafkaMessage } from './envelope';
import { ensureTopics } from './topics';
import { partitionCount, sendPerPartition } from './kafka';

export interface OutboxRelayOptions {
  context: string;
  topic: string;
  /** Checkpoint name; one per relay of a store. */
  name?: string;
  batchSize?: number;
  /** How often to look for events written by other processes (in-process appends wake it at once). */
  pollIntervalMs?: number;
  /** How often a standby instance tries to become the active relay. */
  standbyRetryMs?: number;
  /**
   * The active relay keeps its position in memory and writes it to the database at most this
   * often (and when it stops): a commit per published batch would cost more than the publish.
   * After a crash, what was published since the last save is sent again (consumers deduplicate).
   */
  checkpointSaveIntervalMs?: number;
  /** How long `stop` waits for a publish in progress (Kafka may be unreachable). */
  stopTimeoutMs?: number;
}

/**
 * Publishes committed events from the event store to Kafka, in commit order, keyed by stream
 * id, and moves its checkpoint after the broker acknowledged them (saved every
 * `checkpointSaveIntervalMs` and on stop). At least once: after a crash, what was published
 * since the last saved checkpoint is sent again, and consumers deduplicate by event id.
 * One active relay per store: a session advisory lock elects it; other instances stand by.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly name: string;
  private running = false;
  private loop: Promise<void> | null = null;
  /** Bumped by stop(): a loop stopped while stuck in a send must not run on beside a restarted one. */
  private generation = 0;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private lockRunner: QueryRunner | null = null;
  private unsubscribe: (() => void) | null = null;
  private published = 0;
  private ready = false;
  /** The topic's partitions, learnt when the relay becomes ready (see sendPerPartition). */
  private partitions: number | null = null;
  private standingBy = false;
  private lastError: string | null = null;
  /** Where publishing stands; read once on becoming the active relay, then kept here (only the active relay writes it). */
  private checkpoint: Checkpoint | null = null;
  /** Published past the saved checkpoint, and when it was last saved. */
  private unsaved = false;
  private savedAt = 0;
  private unreport: (() => void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: PostgresEventStore,
    private readonly producer: Producer,
    private readonly kafka: Kafka,
    private readonly options: OutboxRelayOptions,
  ) {
    this.name = options.name ?? `relay:${options.topic}`;
    this.logger = new Logger(`OutboxRelay(${options.context})`);
  }

  get publishedCount(): number {
    return this.published;
  }

  /**
   * `role`: `active` (holds the lock, producer connected), `standby` (another instance holds the
   * lock) or `starting` (neither yet: the database or Kafka has not answered).
   */
  get status(): { active: boolean; role: 'active' | 'standby' | 'starting'; lastError: string | null; published: number } {
    const active = this.lockRunner !== null;
    const role = active && this.ready ? 'active' : !active && this.standingBy ? 'standby' : 'starting';
    // (An active relay whose last batch failed keeps its role; readiness reads lastError too.)
    return { active, role, lastError: this.lastError, published: this.published };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.store.onAppended(() => this.wake());
    this.loop = this.run(this.generation);
    // Only the relay holding the lock reports lag: from its position in memory, or the saved one
    // while it cannot publish yet (Kafka away at start-up), which is when lag matters most.
    // One reading per scrape serves both gauges.
    let reading: { at: number; lag: Promise<{ events: number; seconds: number } | null> } | null = null;
    const lag = () => {
      if (!reading || Date.now() - reading.at > 1000) {
        const read = async () => (this.lockRunner ? this.store.lagAfter(this.checkpoint ?? (await this.store.readCheckpoint(this.name))) : null);
        reading = { at: Date.now(), lag: read() };
      }
      return reading.lag;
    };
    const topic = this.options.topic;
    this.unreport = [
      // 1 on the instance that holds the lock, 0 on standbys: `max by (topic)` is 0 when none does.
      relayActive.report(async () => [{ labels: { topic }, value: this.lockRunner ? 1 : 0 }]),
      relayLagEvents.report(async () => {
        const l = await lag();
        return l ? [{ labels: { topic }, value: l.events }] : [];
      }),
      relayLagSeconds.report(async () => {
        const l = await lag();
        return l ? [{ labels: { topic }, value: l.seconds }] : [];
      }),
    ];
  }

  async stop(): Promise<void> {
    this.running = false;
    this.standingBy = false;
    this.generation += 1;
    this.unsubscribe?.();
    for (const u of this.unreport) u();
    this.unreport = [];
    this.wake();
    // With Kafka away, a send waits for the broker indefinitely: do not let that hold up the
    // app's shutdown. What was not acknowledged is not in the checkpoint and is sent again.
    const stopped = await Promise.race([
      (this.loop ?? Promise.resolve()).then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), this.options.stopTimeoutMs ?? 5000).unref()),
    ]);
    if (!stopped) this.logger.warn(`a publish was still waiting for Kafka after ${this.options.stopTimeoutMs ?? 5000} ms; stopping without it`);
    this.loop = null;
    // Still the active relay: leave the position for the next one.
    await this.saveCheckpoint(true).catch((err) => this.logger.warn(`could not save the checkpoint: ${(err as Error).message}`));
    await this.releaseLock();
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Publishes everything committed so far; returns how many events it sent. */
  async publishPending(): Promise<number> {
    let sent = 0;
    for (;;) {
      const n = await this.publishBatch();
      sent += n;
      if (n === 0) return sent;
    }
  }

  private async run(generation: number): Promise<void> {
    let backoff = 100;
    // A loop that stop() gave up on (stuck in a send) may wake after a restart: from then on it
    // touches nothing shared (lock, checkpoint, wake-up) and ends.
    const stale = () => generation !== this.generation;
    while (this.running && !stale()) {
      try {
        const wasActive = this.lockRunner !== null;
        const locked = await this.acquireLock(stale);
        if (stale()) return;
        this.standingBy = !locked;
        if (!locked) {
          await this.sleep(this.options.standbyRetryMs ?? 2000);
          continue;
        }
        // Learnt again whenever this instance becomes the active relay: partitions may have been added meanwhile.
        if (!wasActive) this.partitions = null;
        if (!this.ready) {
          // Kafka may be away when the app starts: commands are still accepted and wait here.
          await this.producer.connect();
          await ensureTopics(this.kafka, [{ topic: this.options.topic }]);
          this.partitions = await partitionCount(this.kafka, this.options.topic);
          if (stale()) return;
          this.ready = true;
        }
        this.pendingWake = false;
        const n = await this.publishBatch(stale);
        if (stale()) return;
        await this.saveCheckpoint(false);
        if (stale()) return;
        this.lastError = null;
        backoff = 100;
        // A short batch means everything visible is out: wait for the next append (or poll),
        // but not past when the checkpoint is due to be saved.
        const poll = this.options.pollIntervalMs ?? pollIntervalMs();
        if (n < this.batchSize) await this.sleep(this.unsaved ? Math.min(poll, this.saveIntervalMs) : poll);
      } catch (err) {
        if (stale()) return;
        // Learnt again before the next try: a send may have failed on a partition count that changed.
        this.partitions = null;
        this.lastError = (err as Error).message;
        this.logger.warn(`publishing failed, retrying in ${backoff} ms: ${this.lastError}`);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
        if (this.lockRunner && !(await this.lockAlive())) await this.releaseLock();
      }
    }
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  private get saveIntervalMs(): number {
    return this.options.checkpointSaveIntervalMs ?? 250;
  }

  /** Writes the in-memory checkpoint of the active relay if it moved and (unless forced) is due. */
  private async saveCheckpoint(force: boolean): Promise<void> {
    if (!this.unsaved || !this.lockRunner || !this.checkpoint) return;
    if (!force && Date.now() - this.savedAt < this.saveIntervalMs) return;
    await this.store.saveCheckpoint(this.name, this.checkpoint, this.lockRunner);
    this.unsaved = false;
    this.savedAt = Date.now();
  }

  private async publishBatch(stale: () => boolean = () => false): Promise<number> {
    // Without the lock (publishPending from a tool or test) another relay may have moved it: read it.
    const checkpoint = (this.lockRunner && this.checkpoint) || (await this.store.readCheckpoint(this.name));
    if (stale()) return 0;
    if (this.lockRunner) this.checkpoint = checkpoint;
    // The active relay reads through the session that holds its lock: if that session is gone
    // (and with it the lock, which a standby may hold by now), the read fails before anything
    // is published. So leadership is checked on every cycle at no extra round trip.
    const { events, checkpoint: next } = await this.store.readAll(checkpoint, this.batchSize, this.lockRunner ?? undefined);
    if (events.length === 0 || stale()) return 0;
    this.partitions ??= await partitionCount(this.kafka, this.options.topic);
    const spans = events.map((e) => this.publishSpan(e));
    try {
      await sendPerPartition(
        this.producer,
        this.options.topic,
        this.partitions,
        events.map((e, i) => {
          const message = toKafkaMessage(toEnvelope(e, this.options.context));
          // The consumer continues from the publish span (else from the derived context, see toKafkaMessage).
          const traceparent = spans[i] && activeTraceparent(trace.setSpan(contextFrom(null), spans[i]!));
          if (traceparent) message.headers![Headers.traceparent] = traceparent;
          return message;
        }),
      );
    } catch (err) {
      for (const span of spans) span?.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      for (const span of spans) span?.end();
    }
    relayPublished.inc({ topic: this.options.topic }, events.length);
    faultPoint('relay-acked');
    // Sent, but this loop was stopped meanwhile: leave the position to the next one (it sends them again).
    if (stale()) return 0;
    if (this.lockRunner) {
      this.checkpoint = next;
      this.unsaved = true;
    } else {
      await this.store.saveCheckpoint(this.name, next);
    }
    this.published += events.length;
    return events.length;
  }

  /**
   * A producer span per event, child of the span that appended it (its stored trace context):
   * the message carries this span's context, and the consumer continues from it.
   */
  private publishSpan(event: RecordedEvent): Span | undefined {
    if (!event.traceparent) return undefined;
    return tracer().startSpan(
      `${this.options.topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'publish',
          'messaging.destination.name': this.options.topic,
          'messaging.message.id': event.id,
          'messaging.kafka.message.key': event.streamId,
          'dealledger.event_type': event.type,
        },
      },
      contextFrom(event.traceparent),
    );
  }

  private async acquireLock(stale: () => boolean): Promise<boolean> {
    if (this.lockRunner) return true;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const rows = await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [`${this.store.schema}:${this.name}`]);
    if (rows[0].locked && !stale()) {
      this.lockRunner = runner;
      this.logger.log(`active: publishing ${this.store.schema}.events to ${this.options.topic}`);
      return true;
    }
    // A session lock outlives the transaction: never hand the connection back to the pool holding it.
    if (rows[0].locked) await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`${this.store.schema}:${this.name}`]);
    await runner.release();
    return false;
  }

  private async lockAlive(): Promise<boolean> {
    try {
      await this.lockRunner!.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async releaseLock(): Promise<void> {
    const runner = this.lockRunner;
    this.lockRunner = null;
    this.checkpoint = null;
    this.unsaved = false;
    if (!runner) return;
    try {
      await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`${this.store.schema}:${this.name}`]);
    } catch {
      // The session is gone, and its lock with it.
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
