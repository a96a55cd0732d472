import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { DomainError } from '@dealledger/domain';
import { LocalProjector, PostgresEventStore, RecordedEvent, schemaOf } from '@dealledger/event-store';

/** What an event does to its stream's deadline: set it, clear it, or leave it. */
export type DeadlineChange = { due: string } | 'clear' | 'keep';

export interface DeadlineRule {
  /** Names the deadline kind (one row per stream and kind), e.g. `offer-validity`. */
  kind: string;
  streamType: string;
  /** Pure: the change an event makes. */
  change(event: { type: string; data: any }): DeadlineChange;
}

export type Clock = () => Date;

export interface DeadlineSchedulerOptions {
  rules: DeadlineRule[];
  /** Acts on a due deadline (issues a command); a DomainError means "nothing to do any more". */
  onDue: (kind: string, streamId: string, dueAt: string, now: Date) => Promise<void>;
  clock: Clock;
  intervalMs: number;
}

/**
 * Durable scheduling: deadlines live in a table kept from the app's own log by a projector,
 * not in timers, so a restart loses none; a periodic check acts on those that are due.
 * `onDue` must be idempotent (deterministic command ids): a check may run twice.
 */
export class DeadlineScheduler {
  private readonly logger = new Logger('Deadlines');
  private readonly projector: LocalProjector;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: PostgresEventStore,
    private readonly options: DeadlineSchedulerOptions,
  ) {
    this.projector = new LocalProjector(dataSource, store, { name: 'projection:deadlines', apply: (events, tx) => this.project(events, tx) });
  }

  start(): void {
    this.projector.start();
    this.timer = setInterval(() => void this.runOnce().catch((err) => this.logger.warn(`deadline check failed: ${err.message}`)), this.options.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.projector.stop();
  }

  /** Acts on every deadline due by the clock; returns how many it acted on. */
  runOnce(): Promise<number> {
    if (!this.running) this.running = this.check().finally(() => (this.running = null));
    return this.running;
  }

  private async check(): Promise<number> {
    await this.projector.catchUp();
    const now = this.options.clock();
    const due: { kind: string; stream_id: string; due_at: Date }[] = await this.dataSource.query(
      `SELECT kind, stream_id, due_at FROM "${this.store.schema}".deadlines WHERE due_at <= $1 ORDER BY due_at LIMIT 500`,
      [now],
    );
    let acted = 0;
    for (const d of due) {
      try {
        await this.options.onDue(d.kind, d.stream_id, new Date(d.due_at).toISOString(), now);
        acted += 1;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
      }
    }
    await this.projector.catchUp();
    return acted;
  }

  private async project(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const table = `"${this.store.schema}".deadlines`;
    for (const e of events) {
      for (const rule of this.options.rules) {
        if (rule.streamType !== e.streamType) continue;
        const change = rule.change({ type: e.type, data: e.data });
        if (change === 'keep') continue;
        if (change === 'clear') {
          await tx.query(`DELETE FROM ${table} WHERE kind = $1 AND stream_id = $2`, [rule.kind, e.streamId]);
        } else {
          await tx.query(
            `INSERT INTO ${table} (kind, stream_id, due_at) VALUES ($1, $2, $3) ON CONFLICT (kind, stream_id) DO UPDATE SET due_at = EXCLUDED.due_at`,
            [rule.kind, e.streamId, change.due],
          );
        }
      }
    }
  }
}

/**
 * The Nest face of a DeadlineScheduler: started with the app, stopped with it, `runOnce` for
 * tests and tools. Each context extends it with its rules and what to do when one is due.
 */
export abstract class ScheduledDeadlines implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly scheduler: DeadlineScheduler) {}

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.scheduler.stop();
  }

  runOnce(): Promise<number> {
    return this.scheduler.runOnce();
  }
}

export class Deadlines1732800000000 implements MigrationInterface {
  name = 'Deadlines1732800000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`CREATE TABLE ${s}.deadlines (kind text NOT NULL, stream_id text NOT NULL, due_at timestamptz NOT NULL, PRIMARY KEY (kind, stream_id))`);
    await q.query(`CREATE INDEX deadlines_due_idx ON ${s}.deadlines (due_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".deadlines`);
  }
}
