import type { DataSource, QueryRunner } from 'typeorm';
import { eventCatalog, EventCatalog } from '@dealledger/events';
import { appendConflicts, eventsAppended, inSpan, SpanKind, activeTraceparent } from '@dealledger/telemetry';
import { DuplicateEventError, StreamOrderConflictError, WrongExpectedVersionError } from './errors';
import { canonicalEvent, chainHash } from './hash-chain';
import { assertIdentifier } from './migrations';
import { AppendResult, BrokenLink, Checkpoint, NewEvent, RecordedEvent, START, VerifyReport } from './types';

const STREAM_ID = /^[a-z][a-z0-9-]*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `contract-<uuid>` -> `contract`. */
export function streamTypeOf(streamId: string): string {
  return streamId.slice(0, streamId.length - 37);
}

/** Anything that runs a query: the DataSource, an EntityManager, a QueryRunner. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

export interface AppendOptions {
  /** Append inside the caller's open transaction (call it before other writes; see migrations). */
  queryRunner?: QueryRunner;
}

type Row = Record<string, any>;
interface PoolClient {
  query(query: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Row[] }>;
  release(err?: Error): void;
}
interface PostgresDriverPool {
  connect(): Promise<PoolClient>;
}

// The transaction id is read as text under a name of its own: a bare `transaction_id` in an
// ORDER BY would name this text column, not the table's xid8, and sort "100000" before "99998".
// Exported with toRecordedEvent for tools that select events themselves (republish).
export const EVENT_COLUMNS = `position, transaction_id::text AS transaction_id_text, event_id, stream_id, stream_type, stream_version, type,
  schema_version, data, occurred_at, recorded_at, parties, actor, correlation_id, causation_id, hash, traceparent`;

/** The previous event's hash in the stream, for envelopes (consumers check the link); `events` is the outer table. */
export function previousHashColumn(schema: string): string {
  return `(SELECT p.hash FROM ${schema}.events p WHERE p.stream_id = events.stream_id AND p.stream_version = events.stream_version - 1) AS previous_hash`;
}

/**
 * Whether any event lies after a checkpoint: the commit-order reader's probe. The ORDER BY is
 * what keeps it an index probe: the statement is prepared (see prepareRepeatedStatements), and
 * PostgreSQL's kept generic plan for a range with a bare LIMIT is a sequential scan (a third of
 * the rows assumed to match), which read the whole log on every idle poll.
 */
export const anyAfterSql = (schema: string) =>
  `SELECT 1 FROM "${assertIdentifier(schema)}".events WHERE (transaction_id, position) > ($1::xid8, $2::bigint) ORDER BY transaction_id, position LIMIT 1`;

/** The events after a checkpoint, at most 100000, for the lag metrics: ordered for the same reason as anyAfterSql. */
export const pendingAfterSql = (schema: string) =>
  `SELECT count(*)::int AS events, coalesce(extract(epoch FROM clock_timestamp() - min(recorded_at)), 0)::float8 AS seconds
     FROM (SELECT recorded_at FROM "${assertIdentifier(schema)}".events WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
            ORDER BY transaction_id, position LIMIT 100000) pending`;

/**
 * PostgreSQL event store of one bounded context (one schema). Appends are atomic per stream
 * with an expected version; events are hash-chained per stream; the same table is the outbox.
 */
export class PostgresEventStore {
  private readonly s: string;
  private readonly appendListeners = new Set<() => void>();
  /** Open transactions (of callers) that appended here: their commit wakes the listeners. */
  private readonly appendedIn = new WeakSet<QueryRunner>();
  /** Event types appended in a caller's open transaction: counted when it commits, not if it rolls back. */
  private readonly uncommitted = new WeakMap<QueryRunner, string[]>();

  private readonly pool: PostgresDriverPool;
  /** What this context adds to reading, after upcasting (the directory reveals personal data). */
  private readonly readers: EventReader[] = [];

  constructor(
    private readonly dataSource: DataSource,
    readonly schema: string,
    /** Upcasts every stored event to the newest version its readers know. */
    private readonly catalog: EventCatalog = eventCatalog,
  ) {
    this.s = `"${assertIdentifier(schema)}"`;
    this.pool = (dataSource.driver as unknown as { master: PostgresDriverPool }).master;
    // An append inside a caller's transaction (a consumer drafting a contract) is visible only
    // once that transaction commits: wake the relay then, not at its next poll.
    dataSource.subscribers.push({
      afterTransactionCommit: ({ queryRunner }) => {
        if (queryRunner.isTransactionActive) return;
        for (const type of this.uncommitted.get(queryRunner) ?? []) eventsAppended.inc({ type });
        this.uncommitted.delete(queryRunner);
        if (this.appendedIn.delete(queryRunner)) this.notifyAppended();
      },
      afterTransactionRollback: ({ queryRunner }) => {
        if (queryRunner.isTransactionActive) return;
        this.appendedIn.delete(queryRunner);
        this.uncommitted.delete(queryRunner);
      },
    });
  }

  /**
   * Appends `events` to `streamId` if the stream is at `expectedVersion` (0: it must not exist).
   * Throws WrongExpectedVersionError otherwise. Re-appending already stored event ids is a no-op.
   */
  async append(streamId: string, expectedVersion: number, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (!STREAM_ID.test(streamId)) throw new Error(`stream id must look like <type>-<uuid>: ${streamId}`);
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) throw new Error(`expected version must be an integer >= 0`);
    if (events.length === 0) return { streamId, nextExpectedVersion: expectedVersion, positions: [], noop: true };
    const streamType = streamTypeOf(streamId);
    return inSpan(
      `append ${streamType}`,
      { kind: SpanKind.INTERNAL, attributes: { 'dealledger.stream_id': streamId, 'dealledger.events': events.length } },
      async () => {
        try {
          const result = await this.appendTraced(streamId, streamType, expectedVersion, events, options);
          if (result.noop) return result;
          const runner = options.queryRunner;
          if (runner?.isTransactionActive) this.uncommitted.set(runner, [...(this.uncommitted.get(runner) ?? []), ...events.map((e) => e.type)]);
          else for (const e of events) eventsAppended.inc({ type: e.type });
          return result;
        } catch (err) {
          if (err instanceof WrongExpectedVersionError || err instanceof StreamOrderConflictError) appendConflicts.inc({ stream_type: streamType });
          throw err;
        }
      },
    );
  }

  private async appendTraced(streamId: string, streamType: string, expectedVersion: number, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    // The append's own span: the relay's publish continues the trace from here.
    const traceparent = activeTraceparent() ?? null;
    // The events as the text the hash chain covers, one a line: the function reads the columns from it.
    const canonical = events
      .map((e, i) =>
        canonicalEvent({
          id: e.id,
          type: e.type,
          schemaVersion: e.schemaVersion,
          streamId,
          streamVersion: expectedVersion + i + 1,
          occurredAt: new Date(e.metadata.occurredAt).toISOString(),
          parties: e.metadata.parties,
          actor: e.metadata.actor ?? null,
          correlationId: e.metadata.correlationId,
          causationId: e.metadata.causationId ?? null,
          data: e.data,
        }),
      )
      .join('\n');

    const sql = `SELECT positions, last_version, noop FROM ${this.s}.append_canonical($1, $2, $3, $4, $5)`;
    const params = [streamId, streamType, expectedVersion, canonical, traceparent];
    try {
      const rows: Row[] = options.queryRunner ? await options.queryRunner.query(sql, params) : await this.queryPooled(sql, params, `dl_append_${this.schema}`);
      const row = rows[0];
      const result = { streamId, nextExpectedVersion: row.last_version, positions: row.positions.map(Number), noop: row.noop };
      // A runner outside a transaction committed already: wake now (no commit hook will fire).
      if (!result.noop && options.queryRunner?.isTransactionActive) this.appendedIn.add(options.queryRunner);
      else if (!result.noop) this.notifyAppended();
      return result;
    } catch (err) {
      throw this.translate(err, streamId, expectedVersion);
    }
  }

  /**
   * The hot path goes straight to the driver's pool: one round trip, no ORM bookkeeping.
   * (Not `pool.query`: it closes the connection after any error, and a version conflict is
   * an ordinary answer that must not cost a reconnect.)
   */
  private async queryPooled(sql: string, params: unknown[], name?: string): Promise<Row[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      // Named: parsed and planned once per connection, then only bound and executed.
      return (await client.query({ name, text: sql, values: params })).rows;
    } catch (err) {
      // An error the server answered with leaves the connection usable; anything else may not.
      if (!(err as { severity?: string }).severity) broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * The aggregate loader: a stream's events as deciders and views fold them, each upcast to its
   * type's newest version and passed through this context's readers. Every command, stream
   * view and projection reads through here (or `asCurrent`), so a version-2 event type never
   * meets a fold written for version 1, whatever version was stored.
   */
  /**
   * A stream's events. `queryRunner`: read in the caller's transaction, so that a command run in
   * it sees what an earlier command of the same transaction appended to the stream.
   */
  async readStream(streamId: string, fromVersion = 1, queryRunner?: QueryRunner): Promise<RecordedEvent[]> {
    return this.asCurrent(await this.readStreamAsStored(streamId, fromVersion, queryRunner));
  }

  /** A stream's events exactly as stored and hashed (for tools that check or copy them). */
  async readStreamAsStored(streamId: string, fromVersion = 1, queryRunner?: QueryRunner): Promise<RecordedEvent[]> {
    const sql = `SELECT ${EVENT_COLUMNS} FROM ${this.s}.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`;
    // Every command reads its stream first: the same fast path as the append.
    const rows: Row[] = queryRunner
      ? await queryRunner.query(sql, [streamId, fromVersion])
      : await this.queryPooled(sql, [streamId, fromVersion], `dl_read_stream_${this.schema}`);
    return rows.map(toRecordedEvent);
  }

  /**
   * Events after `after`, in commit order (transaction id, then position), up to `limit`.
   * Only events below the horizon are read, so an event whose transaction commits later can
   * never be overtaken and skipped. The horizon is the oldest transaction running at this
   * statement's snapshot that may write this table. Passed over ("bystanders") are only those
   * that, when the locks are read just after the snapshot, still run (a transaction that is
   * ending shows its virtual transaction as `n/0` while it releases its locks) and whose
   * backend holds no write lock on the table: they never will write it, because the append
   * functions refuse to start in a transaction that already has a transaction id (see migrations).
   * Locks are matched by backend pid, not virtual transaction id: pg_locks reads fast-path
   * locks before the shared lock table, and an ending transaction's id changes in between.
   * Without bystanders, any long transaction anywhere in the database holds every relay back.
   * Sound only while every write to `events` goes through the append functions (append_canonical,
   * append_events): their first-write rule (DL003) is what makes a bystander's future writes
   * impossible, and their stream-order rule
   * (DL004) keeps a stream's versions in commit order. A hand-written INSERT into `events` in a
   * transaction that wrote elsewhere first could be passed over and skipped for good.
   */
  async readAll(after: Checkpoint = START, limit = 1000, on: Queryable = this.dataSource): Promise<{ events: RecordedEvent[]; checkpoint: Checkpoint }> {
    // Most reads (idle polls, catch-ups before a lookup) find nothing: an index probe says so
    // without the horizon's look at the lock table. Nothing committed after `after` now means
    // the full read would have found nothing either.
    const probe = anyAfterSql(this.schema);
    const probeParams = [after.transactionId, after.position];
    const anything: Row[] =
      on === this.dataSource ? await this.queryPooled(probe, probeParams, `dl_any_after_${this.schema}`) : await on.query(probe, probeParams);
    if (anything.length === 0) return { events: [], checkpoint: after };
    const rows: Row[] = await on.query(
      `WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
       locks AS MATERIALIZED (
         SELECT locktype, pid, virtualtransaction, transactionid FROM pg_locks
          WHERE granted AND (locktype = 'transactionid' AND mode = 'ExclusiveLock'
             OR locktype = 'relation' AND relation = '${this.s}.events'::regclass AND mode <> 'AccessShareLock')),
       bystanders AS (
         SELECT t.transactionid::text::bigint AS xid FROM locks t
          WHERE t.locktype = 'transactionid' AND t.pid IS NOT NULL
            AND split_part(t.virtualtransaction, '/', 2) <> '0'
            AND NOT EXISTS (SELECT 1 FROM locks r WHERE r.locktype = 'relation' AND r.pid = t.pid)),
       horizon AS (
         SELECT least(pg_snapshot_xmax(s), (SELECT min(x) FROM pg_snapshot_xip(s) x
                                              WHERE (x::text::bigint & 4294967295) NOT IN (SELECT xid FROM bystanders))) AS h
           FROM snap)
       SELECT ${EVENT_COLUMNS}, ${previousHashColumn(this.s)} FROM ${this.s}.events
        WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
          AND transaction_id < (SELECT h FROM horizon)
        ORDER BY events.transaction_id, events.position
        LIMIT $3`,
      [after.transactionId, after.position, limit],
    );
    const events = rows.map(toRecordedEvent);
    const last = events[events.length - 1];
    return { events, checkpoint: last ? { transactionId: last.transactionId, position: last.position } : after };
  }

  async readCheckpoint(name: string): Promise<Checkpoint> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT transaction_id::text AS transaction_id, position FROM ${this.s}.outbox_checkpoints WHERE name = $1`,
      [name],
    );
    return rows[0] ? { transactionId: rows[0].transaction_id, position: Number(rows[0].position) } : START;
  }

  /**
   * `on`: save inside the caller's transaction (projections checkpoint with their writes) or
   * session. A checkpoint only moves forward: a writer that lags (a relay that lost its
   * leadership without noticing yet) cannot move it back over what another already passed.
   */
  async saveCheckpoint(name: string, checkpoint: Checkpoint, on: Queryable = this.dataSource): Promise<void> {
    await on.query(
      `INSERT INTO ${this.s}.outbox_checkpoints AS cp (name, transaction_id, position, updated_at) VALUES ($1, $2::xid8, $3, now())
       ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()
        WHERE (cp.transaction_id, cp.position) < (EXCLUDED.transaction_id, EXCLUDED.position)`,
      [name, checkpoint.transactionId, checkpoint.position],
    );
  }

  /**
   * How far `checkpoint` is behind the store: committed events after it and the age of the
   * oldest (for the relay-lag metrics). Counts at most 100000, so a scrape stays cheap.
   */
  async lagAfter(checkpoint: Checkpoint): Promise<{ events: number; seconds: number }> {
    return this.dataSource.transaction(async (tx) => {
      // A scrape gives up after 2 s: so does the query, not to hold a connection of the pool.
      await tx.query(`SET LOCAL statement_timeout = 2000`);
      const rows: Row[] = await tx.query(pendingAfterSql(this.schema), [checkpoint.transactionId, checkpoint.position]);
      return { events: rows[0].events, seconds: rows[0].seconds };
    });
  }

  /** Recomputes every stream's hash chain; reports the first broken link of each damaged stream. */
  async verify(batchSize = 5000): Promise<VerifyReport> {
    const broken: BrokenLink[] = [];
    let streams = 0;
    let events = 0;
    let current: { streamId: string; version: number; hash: Buffer | null; damaged: boolean } | null = null;
    let after: [string, number] = ['', 0];
    for (;;) {
      const rows: Row[] = await this.dataSource.query(
        `SELECT ${EVENT_COLUMNS} FROM ${this.s}.events WHERE (stream_id, stream_version) > ($1, $2)
          ORDER BY stream_id, stream_version LIMIT $3`,
        [after[0], after[1], batchSize],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const e = toRecordedEvent(row);
        events += 1;
        if (!current || current.streamId !== e.streamId) {
          streams += 1;
          current = { streamId: e.streamId, version: 0, hash: null, damaged: false };
        }
        if (!current.damaged) {
          const link = (reason: string) => {
            broken.push({ streamId: e.streamId, streamVersion: e.streamVersion, eventId: e.id, position: e.position, reason });
            current!.damaged = true;
          };
          if (e.streamVersion !== current.version + 1) {
            link(`version ${current.version + 1} is missing: the stream jumps from ${current.version} to ${e.streamVersion}`);
          } else {
            const expected = chainHash(current.hash, canonicalEvent(e));
            if (!expected.equals(Buffer.from(e.hash, 'hex'))) {
              link('hash mismatch: the event is not what was recorded, or its predecessor was rewritten together with its hash');
            }
          }
        }
        current.version = e.streamVersion;
        current.hash = Buffer.from(e.hash, 'hex');
      }
      const last = rows[rows.length - 1];
      after = [last.stream_id, last.stream_version];
    }
    return { ok: broken.length === 0, streams, events, broken };
  }

  /**
   * Stored events as their readers see them: upcast to the newest version, then through the
   * readers added with `addReader`. `readAll` stays as stored (the relay publishes exactly what
   * was hashed); projections reading it pass its events through here.
   */
  async asCurrent(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    let current = events.map((e) => this.catalog.upcastEvent(e));
    for (const reader of this.readers) current = await reader(current);
    return current;
  }

  /** Adds a step to reading (after upcasting), for every later read of this store. */
  addReader(reader: EventReader): void {
    this.readers.push(reader);
  }

  /** Called after each append committed here; lets an in-process relay publish at once. */
  onAppended(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  notifyAppended(): void {
    for (const l of this.appendListeners) l();
  }

  private translate(err: unknown, streamId: string, expectedVersion: number): unknown {
    const e = err as { code?: string; detail?: string; constraint?: string; driverError?: { code?: string; detail?: string; constraint?: string } };
    const code = e.code ?? e.driverError?.code;
    const detail = e.detail ?? e.driverError?.detail;
    const constraint = e.constraint ?? e.driverError?.constraint;
    if (code === 'DL001') return new WrongExpectedVersionError(streamId, expectedVersion, Number(detail));
    if (code === 'DL004') return new StreamOrderConflictError(streamId, Number(detail));
    if (code === 'DL002') return new DuplicateEventError(streamId, `some but not all event ids of this append are already stored in ${streamId}`);
    if (code === '23505' && constraint === 'events_event_id_key') {
      return new DuplicateEventError(streamId, `an event id of this append is already stored`);
    }
    return err;
  }
}

/** Turns read events into what folds expect (same length and order); may look things up. */
export type EventReader = (events: RecordedEvent[]) => Promise<RecordedEvent[]>;

export function toRecordedEvent(row: Row): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    streamType: row.stream_type,
    streamVersion: row.stream_version,
    position: Number(row.position),
    transactionId: row.transaction_id_text,
    occurredAt: new Date(row.occurred_at).toISOString(),
    recordedAt: new Date(row.recorded_at).toISOString(),
    parties: row.parties,
    actor: row.actor ?? null,
    correlationId: row.correlation_id,
    causationId: row.causation_id ?? null,
    hash: Buffer.from(row.hash).toString('hex'),
    traceparent: row.traceparent ?? null,
    ...(row.previous_hash === undefined ? {} : { previousHash: row.previous_hash === null ? null : Buffer.from(row.previous_hash).toString('hex') }),
    data: row.data,
  };
}
