import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { databaseAnswers, errorMessage, isInfrastructureError } from './infrastructure-errors';
import type { PostgresEventStore } from './postgres-event-store';
import type { Checkpoint, RecordedEvent } from './types';

export interface LocalProjectorOptions {
  /** Checkpoint name, e.g. `projection:offer_validity`. */
  name: string;
  /** Applies a batch of events; writes go through `tx` and commit with the checkpoint. */
  apply: (events: RecordedEvent[], tx: EntityManager) => Promise<void>;
  batchSize?: number;
  pollIntervalMs?: number;
  /** How long the checkpoint kept in memory is trusted while nothing is committed (ms; 5 s). */
  checkpointRecheckMs?: number;
}

/**
 * Keeps one of an app's own read tables up to date from its own event store, in commit order.
 * Each batch and its checkpoint commit in one transaction, so a crash replays nothing twice
 * and loses nothing; dropping the table and the checkpoint rebuilds it from the log.
 *
 * Poison events: when a batch fails, its events are applied one at a time. One that fails
 * alone while the database answers (and not with an infrastructure error, see
 * isInfrastructureError) is parked: a row in `<schema>.projection_parked_events` (projection,
 * event_id, position, stream_id, type, error, parked_at), written in one transaction with
 * the checkpoint moving past it, and logged at error level. The projection goes on without it;
 * to apply it after a fix, rebuild the projection.
 */
export class LocalProjector {
  private readonly logger: Logger;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** An append seen while a step ran: the loop must look again before sleeping. */
  private pendingWake = false;
  private unsubscribe: (() => void) | null = null;
  private initialised = false;
  /**
   * The checkpoint as this projector last read or moved it, kept instead of read before every
   * step and idle poll (a query each). Safe when another instance or an operator moves it
   * meanwhile: the commit compares it with the locked row and, on a difference, reads it again;
   * and it is read again after `checkpointRecheckMs` without a commit, so that a checkpoint
   * deleted or moved back in a quiet app is noticed without waiting for the next event.
   */
  private at: Checkpoint | null = null;
  private atSince = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: PostgresEventStore,
    private readonly options: LocalProjectorOptions,
  ) {
    this.logger = new Logger(`LocalProjector(${options.name})`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.store.onAppended(() => this.wake());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake();
    await this.loop;
    this.loop = null;
  }

  /** Applies everything committed so far; returns how many events (parked ones included). */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.step();
      total += n;
      if (n === 0) return total;
    }
  }

  private wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  private async step(): Promise<number> {
    if (!this.initialised) {
      await this.dataSource.query(
        `INSERT INTO "${this.store.schema}".outbox_checkpoints (name, transaction_id, position) VALUES ($1, '0', 0) ON CONFLICT (name) DO NOTHING`,
        [this.options.name],
      );
      this.initialised = true;
    }
    if (this.at && Date.now() - this.atSince > (this.options.checkpointRecheckMs ?? 5000)) this.at = null;
    const from = this.at ?? (await this.store.readCheckpoint(this.options.name));
    if (!this.at) this.remember(from);
    const batch = await this.store.readAll(from, this.options.batchSize ?? 500);
    const { checkpoint } = batch;
    const stored = batch.events;
    if (stored.length === 0) return 0;
    try {
      // Read (upcast, through the context's readers) inside the try: an event that cannot be
      // read is parked like one that cannot be applied, not retried for ever.
      const events = await this.store.asCurrent(stored);
      await this.commitFrom(from, checkpoint, (tx) => this.options.apply(events, tx));
      return events.length;
    } catch (err) {
      if (isInfrastructureError(err)) throw err;
      this.logger.warn(`a batch of ${stored.length} events after position ${from.position} failed, applying them one at a time: ${errorMessage(err)}`);
    }
    // One at a time, to tell the event that fails from those that only shared its batch.
    let at = from;
    for (const event of stored) {
      const next = { transactionId: event.transactionId, position: event.position };
      let moved: boolean;
      try {
        const current = await this.store.asCurrent([event]);
        moved = await this.commitFrom(at, next, (tx) => this.options.apply(current, tx));
      } catch (err) {
        if (isInfrastructureError(err) || !(await databaseAnswers(this.dataSource))) throw err;
        moved = await this.commitFrom(at, next, (tx) => this.park(event, err, tx));
        if (moved) {
          this.logger.error(
            `parked event ${event.id} (${event.type}, stream ${event.streamId}, position ${event.position}): it fails on its own, the projection goes on without it: ${errorMessage(err)}`,
            (err as Error)?.stack,
          );
        }
      }
      // Another instance moved the checkpoint: it carries on from there.
      if (!moved) break;
      at = next;
    }
    return stored.length;
  }

  /** Runs `work` and moves the checkpoint from `from` to `to` in one transaction; false if the checkpoint was not at `from`. */
  private async commitFrom(from: Checkpoint, to: Checkpoint, work: (tx: EntityManager) => Promise<void>): Promise<boolean> {
    this.at = null;
    const moved = await this.dataSource.transaction(async (tx) => {
      // Lock the checkpoint row so that two instances never apply the same events.
      const current = await tx.query(`SELECT transaction_id::text AS t, position FROM "${this.store.schema}".outbox_checkpoints WHERE name = $1 FOR UPDATE`, [
        this.options.name,
      ]);
      // No row: an operator deleted it to have the projection rebuilt; it is made again first.
      if (!current[0]) this.initialised = false;
      if (!current[0] || current[0].t !== from.transactionId || Number(current[0].position) !== from.position) return false;
      await work(tx);
      await this.store.saveCheckpoint(this.options.name, to, tx);
      return true;
    });
    // Known only once committed: a failed or refused commit reads it again. Refused (another
    // instance or an operator moved it): the loop looks again at once, from where it is now.
    if (moved) this.remember(to);
    else this.pendingWake = true;
    return moved;
  }

  private remember(checkpoint: Checkpoint): void {
    this.at = checkpoint;
    this.atSince = Date.now();
  }

  private async park(event: RecordedEvent, err: unknown, tx: EntityManager): Promise<void> {
    await tx.query(
      `INSERT INTO "${this.store.schema}".projection_parked_events (projection, event_id, position, transaction_id, stream_id, type, error)
       VALUES ($1, $2, $3, $4::xid8, $5, $6, $7)
       ON CONFLICT (projection, event_id) DO UPDATE SET error = EXCLUDED.error, parked_at = now()`,
      [this.options.name, event.id, event.position, event.transactionId, event.streamId, event.type, errorMessage(err)],
    );
  }

  private async run(): Promise<void> {
    while (this.running) {
      // Cleared before the step: an append from here on makes the sleep below return at once.
      this.pendingWake = false;
      try {
        // A short batch took everything visible: an append since then has set pendingWake, so
        // the sleep below returns at once; a full one may have left more behind.
        if ((await this.step()) >= (this.options.batchSize ?? 500)) continue;
      } catch (err) {
        this.logger.warn(`projecting failed, retrying in ${this.pollMs} ms: ${errorMessage(err)}`);
        // A failing database gets the pause, whatever was appended meanwhile.
        this.pendingWake = false;
      }
      await this.sleep(this.pollMs);
    }
  }

  private get pollMs(): number {
    return this.options.pollIntervalMs ?? pollIntervalMs();
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

/**
 * How often relays and local projectors look for events appended by other processes; appends
 * in the same process wake them at once. Every poll is a query, in every app, idle or not.
 */
export function pollIntervalMs(): number {
  return Number(process.env.LEDGER_POLL_INTERVAL_MS ?? 500);
}
