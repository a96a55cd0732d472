import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresEventStore } from './postgres-event-store';
import type { RecordedEvent } from './types';

export interface LocalProjectorOptions {
  /** Checkpoint name, e.g. `projection:offer_validity`. */
  name: string;
  /** Applies a batch of events; writes go through `tx` and commit with the checkpoint. */
  apply: (events: RecordedEvent[], tx: EntityManager) => Promise<void>;
  batchSize?: number;
  pollIntervalMs?: number;
}

/**
 * Keeps one of an app's own read tables up to date from its own event store, in commit order.
 * Each batch and its checkpoint commit in one transaction, so a crash replays nothing twice
 * and loses nothing; dropping the table and the checkpoint rebuilds it from the log.
 */
export class LocalProjector {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private initialised = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: PostgresEventStore,
    private readonly options: LocalProjectorOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.store.onAppended(() => this.wakeUp?.());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wakeUp?.();
    await this.loop;
  }

  /** Applies everything committed so far; returns how many events. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.step();
      total += n;
      if (n === 0) return total;
    }
  }

  private async step(): Promise<number> {
    if (!this.initialised) {
      await this.dataSource.query(
        `INSERT INTO "${this.store.schema}".outbox_checkpoints (name, transaction_id, position) VALUES ($1, '0', 0) ON CONFLICT (name) DO NOTHING`,
        [this.options.name],
      );
      this.initialised = true;
    }
    const from = await this.store.readCheckpoint(this.options.name);
    const { events, checkpoint } = await this.store.readAll(from, this.options.batchSize ?? 500);
    if (events.length === 0) return 0;
    await this.dataSource.transaction(async (tx) => {
      // Lock the checkpoint row so that two instances never apply the same batch.
      const current = await tx.query(`SELECT transaction_id::text AS t, position FROM "${this.store.schema}".outbox_checkpoints WHERE name = $1 FOR UPDATE`, [this.options.name]);
      if (current[0].t !== from.transactionId || Number(current[0].position) !== from.position) return;
      await this.options.apply(events, tx);
      await this.store.saveCheckpoint(this.options.name, checkpoint, tx);
    });
    return events.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if ((await this.step()) > 0) continue;
      } catch {
        /* transient (database away): try again after the pause */
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs ?? pollIntervalMs());
        this.wakeUp = () => {
          clearTimeout(timer);
          this.wakeUp = null;
          resolve();
        };
      });
    }
  }
}

/**
 * How often relays and local projectors look for events appended by other processes; appends
 * in the same process wake them at once. Every poll is a query, in every app, idle or not.
 */
export function pollIntervalMs(): number {
  return Number(process.env.LEDGER_POLL_INTERVAL_MS ?? 500);
}
