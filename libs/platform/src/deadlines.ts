import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { DeadlineChange, deadlineKind, DeadlineRule, DomainError } from '@dealledger/domain';
import { deadlineFailures, schedulerLastRun, schedulerRuns } from '@dealledger/telemetry';
import { errorMessage, EventStoreError, isInfrastructureError, LocalProjector, PostgresEventStore, RecordedEvent, schemaOf } from '@dealledger/event-store';

// The rules are pure and live with the domain; still exported here for the scheduler's users.
export type { DeadlineChange, DeadlineRule };

export type Clock = () => Date;

export interface DeadlineSchedulerOptions {
  rules: DeadlineRule[];
  /** Acts on a due deadline (issues a command); a DomainError means "nothing to do any more". */
  onDue: (kind: string, streamId: string, dueAt: string, now: Date) => Promise<void>;
  clock: Clock;
  intervalMs: number;
  /** Failed checks after which a deadline is parked (default 5); see DeadlineScheduler. */
  maxAttempts?: number;
}

export interface ParkedDeadline {
  kind: string;
  streamId: string;
  dueAt: string;
  attempts: number;
  lastError: string | null;
  parkedAt: string;
}

/**
 * Durable scheduling: deadlines live in a table kept from the app's own log by a projector,
 * not in timers, so a restart loses none; a periodic check acts on those that are due.
 * `onDue` must be idempotent (deterministic command ids): a check may run twice.
 *
 * One failing deadline does not hold up the others. A failure other than a DomainError (or an
 * event store conflict, tried again next time) is logged and counted in the row (`attempts`,
 * `last_error`); after `maxAttempts` failures in a row the deadline is parked (`parked_at`,
 * logged at error level) and no longer tried, but stays in the table. An event that sets the
 * deadline again, or `unpark`, puts it back. Failures that say nothing about the deadline (the
 * database away, see isInfrastructureError) are not counted: when the failure cannot be
 * recorded, the check stops and the next one retries.
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
    // From the start, so a scheduler that never completes a pass shows as stalled, not as absent.
    schedulerLastRun.set({ scheduler: this.store.schema }, Date.now() / 1000);
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
    if (!this.running) {
      // Labelled by the app's schema: one scheduler per app (its context name in production).
      const scheduler = this.store.schema;
      this.running = this.check()
        .then(
          (n) => {
            schedulerRuns.inc({ scheduler, outcome: 'ok' });
            schedulerLastRun.set({ scheduler }, Date.now() / 1000);
            return n;
          },
          (err) => {
            schedulerRuns.inc({ scheduler, outcome: 'failed' });
            throw err;
          },
        )
        .finally(() => (this.running = null));
    }
    return this.running;
  }

  /** Puts a parked deadline back into the checks, with its attempts reset; false if there was none. */
  async unpark(kind: string, streamId: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `WITH u AS (UPDATE ${this.table} SET attempts = 0, last_error = NULL, parked_at = NULL WHERE kind = $1 AND stream_id = $2 AND parked_at IS NOT NULL RETURNING 1) SELECT count(*)::int AS n FROM u`,
      [kind, streamId],
    );
    return rows[0].n > 0;
  }

  async parked(): Promise<ParkedDeadline[]> {
    const rows = await this.dataSource.query(
      `SELECT kind, stream_id, due_at, attempts, last_error, parked_at FROM ${this.table} WHERE parked_at IS NOT NULL ORDER BY parked_at`,
    );
    return rows.map((r: any) => ({
      kind: r.kind,
      streamId: r.stream_id,
      dueAt: new Date(r.due_at).toISOString(),
      attempts: r.attempts,
      lastError: r.last_error,
      parkedAt: new Date(r.parked_at).toISOString(),
    }));
  }

  private get table(): string {
    return `"${this.store.schema}".deadlines`;
  }

  private async check(): Promise<number> {
    await this.projector.catchUp();
    const now = this.options.clock();
    // due_raw: the stored value exactly (a Date keeps only milliseconds), to find the row again.
    const due: DueRow[] = await this.dataSource.query(
      `SELECT kind, stream_id, due_at, due_at::text AS due_raw, attempts FROM ${this.table} WHERE due_at <= $1 AND parked_at IS NULL ORDER BY due_at LIMIT 500`,
      [now],
    );
    let acted = 0;
    for (const d of due) {
      try {
        await this.options.onDue(d.kind, d.stream_id, new Date(d.due_at).toISOString(), now);
      } catch (err) {
        // A store conflict says nothing against the deadline either: the next check tries again.
        if (!(err instanceof DomainError || err instanceof EventStoreError)) await this.recordFailure(d, err);
        continue;
      }
      acted += 1;
      // Attempts count failures in a row.
      if (d.attempts > 0)
        await this.dataSource.query(
          `UPDATE ${this.table} SET attempts = 0, last_error = NULL WHERE kind = $1 AND stream_id = $2 AND due_at = $3::timestamptz`,
          [d.kind, d.stream_id, d.due_raw],
        );
    }
    await this.projector.catchUp();
    return acted;
  }

  /** Counts a failed attempt against the deadline, parking it at `maxAttempts`; throws when the database does not answer. */
  private async recordFailure(d: DueRow, err: unknown): Promise<void> {
    deadlineFailures.inc({ scheduler: this.store.schema });
    const what = `${d.kind} deadline of ${d.stream_id} (due ${new Date(d.due_at).toISOString()})`;
    if (isInfrastructureError(err)) {
      this.logger.warn(`${what} failed, not counted (infrastructure): ${errorMessage(err)}`);
      return;
    }
    const max = this.options.maxAttempts ?? 5;
    let rows: { attempts: number; parked: boolean }[];
    try {
      // Only if the deadline is still this one: an event may have moved or cleared it meanwhile.
      rows = await this.dataSource.query(
        `WITH u AS (
           UPDATE ${this.table} SET attempts = attempts + 1, last_error = $4, parked_at = CASE WHEN attempts + 1 >= $5 THEN now() END
            WHERE kind = $1 AND stream_id = $2 AND due_at = $3::timestamptz AND parked_at IS NULL
           RETURNING attempts, parked_at IS NOT NULL AS parked)
         SELECT * FROM u`,
        [d.kind, d.stream_id, d.due_raw, errorMessage(err), max],
      );
    } catch (recordErr) {
      // The database does not answer: the failure may be its absence, not the deadline's fault.
      this.logger.warn(`${what} failed, not counted (recording it failed: ${errorMessage(recordErr)}); the check stops here: ${errorMessage(err)}`);
      throw err;
    }
    if (rows.length === 0) {
      this.logger.warn(`${what} failed, not counted (the deadline changed meanwhile): ${errorMessage(err)}`);
    } else if (rows[0].parked) {
      this.logger.error(
        `${what} parked after ${rows[0].attempts} failed attempts, no longer tried until set again or unparked: ${errorMessage(err)}`,
        (err as Error)?.stack,
      );
    } else {
      this.logger.warn(`${what} failed (attempt ${rows[0].attempts} of ${max}): ${errorMessage(err)}`);
    }
  }

  private async project(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    const table = this.table;
    for (const e of events) {
      for (const rule of this.options.rules) {
        if (rule.streamType !== e.streamType) continue;
        const change = rule.change({ type: e.type, data: e.data });
        if (change === 'keep') continue;
        if (change === 'clear') {
          // Every deadline of the kind on the stream, keyed ones too.
          await tx.query(`DELETE FROM ${table} WHERE stream_id = $2 AND (kind = $1 OR starts_with(kind, $1 || ':'))`, [rule.kind, e.streamId]);
        } else if ('clear' in change) {
          await tx.query(`DELETE FROM ${table} WHERE kind = $1 AND stream_id = $2`, [deadlineKind(rule.kind, change.clear), e.streamId]);
        } else {
          await tx.query(
            `INSERT INTO ${table} (kind, stream_id, due_at) VALUES ($1, $2, $3) ON CONFLICT (kind, stream_id) DO UPDATE SET due_at = EXCLUDED.due_at, attempts = 0, last_error = NULL, parked_at = NULL`,
            [deadlineKind(rule.kind, change.key), e.streamId, change.due],
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

  unpark(kind: string, streamId: string): Promise<boolean> {
    return this.scheduler.unpark(kind, streamId);
  }

  parked(): Promise<ParkedDeadline[]> {
    return this.scheduler.parked();
  }
}

interface DueRow {
  kind: string;
  stream_id: string;
  due_at: Date;
  due_raw: string;
  attempts: number;
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

/**
 * Parking of deadlines that keep failing (see DeadlineScheduler). To put one back by hand:
 * UPDATE <schema>.deadlines SET attempts = 0, last_error = NULL, parked_at = NULL WHERE kind = $1 AND stream_id = $2;
 */
export class DeadlineParking1736100000000 implements MigrationInterface {
  name = 'DeadlineParking1736100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "${schemaOf(q)}".deadlines ADD COLUMN attempts integer NOT NULL DEFAULT 0, ADD COLUMN last_error text, ADD COLUMN parked_at timestamptz`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${schemaOf(q)}".deadlines DROP COLUMN attempts, DROP COLUMN last_error, DROP COLUMN parked_at`);
  }
}

/** Keyed deadlines: clearing every key of a kind on a stream finds the stream's rows by index. */
export class DeadlinesByStream1739100000000 implements MigrationInterface {
  name = 'DeadlinesByStream1739100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deadlines_stream_idx ON "${schemaOf(q)}".deadlines (stream_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "${schemaOf(q)}".deadlines_stream_idx`);
  }
}

/** Every migration of the deadlines table, in order. */
export const DEADLINE_MIGRATIONS = [Deadlines1732800000000, DeadlineParking1736100000000, DeadlinesByStream1739100000000];
