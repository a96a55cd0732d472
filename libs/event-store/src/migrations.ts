import type { MigrationInterface, QueryRunner } from 'typeorm';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export function assertIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a valid schema name: ${name}`);
  return name;
}

/** The schema the migration runs in: every app's DataSource names its own. */
export function schemaOf(queryRunner: QueryRunner): string {
  return assertIdentifier((queryRunner.connection.options as { schema?: string }).schema ?? 'public');
}

/**
 * `append_events` appends one stream's events atomically in one round trip: it serialises
 * writers of that stream with a transaction-scoped advisory lock *before* its first write,
 * so a later writer of the same stream always gets a higher transaction id (per-stream
 * order survives the relay's transaction-id ordering); it checks the expected version; on a
 * mismatch it is a no-op when every event id is already stored (a retried append); it
 * chains the hashes. An event id stored elsewhere fails on the unique index.
 * `onlyAsFirstWrite` (since the second migration) refuses a transaction that wrote elsewhere first.
 * `streamOrder` (since the third) closes the one gap in that ordering: a transaction that
 * already appended to another stream got its id before it took this stream's lock, so a
 * younger transaction may have appended to this stream and committed meanwhile; its events
 * would then come *after* ours in commit order although they precede them in the stream.
 */
interface AppendRules {
  onlyAsFirstWrite: boolean;
  /** Since the third migration: refuse to append after a newer transaction appended to the stream. */
  streamOrder?: boolean;
  /** Since the fifth: store each event's W3C trace context (outside the hash: operational, not ledger data). */
  traceContext?: boolean;
  /** Since the sixth: `append_canonical`, which takes the events as their hashed text (see insertCanonical). */
  canonicalInput?: boolean;
}

function appendEventsFunction(queryRunner: QueryRunner, opts: AppendRules): string {
  const s = `"${schemaOf(queryRunner)}"`;
  return `
      CREATE OR REPLACE FUNCTION ${s}.${
        opts.canonicalInput
          ? 'append_canonical(p_stream_id text, p_stream_type text, p_expected_version integer, p_canonical text, p_traceparent text)'
          : 'append_events(p_stream_id text, p_stream_type text, p_expected_version integer, p_events jsonb)'
      }
      RETURNS TABLE (positions bigint[], last_version integer, noop boolean)
      LANGUAGE plpgsql AS $fn$
      DECLARE${
        opts.canonicalInput
          ? `
        -- One event's canonical JSON a line: JSON text never holds a raw line break.
        v_events   text[] := string_to_array(p_canonical, E'\\n');
        v_count    integer := cardinality(v_events);
        v_hashes   bytea[] := '{}';`
          : `
        v_count    integer := jsonb_array_length(p_events);`
      }
        v_ids      uuid[];
        v_existing integer;
        v_version  integer;
        v_hash     bytea;
        v_last_xid xid8;
        v_pos      bigint;
        v_positions bigint[] := '{}';
        e          jsonb;
        i          integer := 0;
      BEGIN${
        opts.onlyAsFirstWrite
          ? `
        -- The relay passes over running transactions that do not hold a write lock on this table
        -- (see readAll): so one that already has a transaction id must not start appending now.
        IF pg_current_xact_id_if_assigned() IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'
                AND relation = '${s}.events'::regclass AND mode = 'RowExclusiveLock') THEN
          RAISE EXCEPTION 'append to % after other writes in the same transaction', p_stream_id
            USING ERRCODE = 'DL003', HINT = 'append before any other write of the transaction';
        END IF;`
          : ''
      }
        PERFORM pg_advisory_xact_lock(hashtextextended(${`'${schemaOf(queryRunner)}:'`} || p_stream_id, 0));

        SELECT ev.stream_version, ev.hash, ev.transaction_id INTO v_version, v_hash, v_last_xid
          FROM ${s}.events ev WHERE ev.stream_id = p_stream_id ORDER BY ev.stream_version DESC LIMIT 1;
        v_version := coalesce(v_version, 0);

        IF v_version <> p_expected_version THEN
          -- A retry of an append that was stored finds the stream moved on by its own events:
          -- answer as the first time, write nothing. (Checked only here, off the hot path.)
          SELECT array_agg((${opts.canonicalInput ? 'x::jsonb' : 'x'}->>'id')::uuid) INTO v_ids FROM ${
            opts.canonicalInput ? 'unnest(v_events)' : 'jsonb_array_elements(p_events)'
          } x;
          SELECT count(*) INTO v_existing FROM ${s}.events WHERE stream_id = p_stream_id AND event_id = ANY(v_ids);
          IF v_existing = v_count THEN
            RETURN QUERY SELECT array_agg(ev.position ORDER BY ev.position), max(ev.stream_version), true
              FROM ${s}.events ev WHERE ev.stream_id = p_stream_id AND ev.event_id = ANY(v_ids);
            RETURN;
          ELSIF v_existing > 0 THEN
            RAISE EXCEPTION 'some but not all event ids of this append are already stored in %', p_stream_id
              USING ERRCODE = 'DL002';
          END IF;
          RAISE EXCEPTION 'wrong expected version for %', p_stream_id
            USING ERRCODE = 'DL001', DETAIL = v_version::text;
        END IF;${
          opts.streamOrder
            ? `
        -- _if_assigned: asking for an id would assign one here, before the INSERT takes the write
        -- lock, and a reader would pass this transaction over as a bystander in between. An
        -- unassigned id will be newer than any committed one; an assigned one came with an
        -- earlier append of this transaction, which holds the write lock (see onlyAsFirstWrite).
        IF v_last_xid > pg_current_xact_id_if_assigned() THEN
          RAISE EXCEPTION 'a newer transaction appended to % since this one began writing', p_stream_id
            USING ERRCODE = 'DL004', DETAIL = v_version::text, HINT = 'retry in a new transaction';
        END IF;`
            : ''
        }

${opts.canonicalInput ? insertCanonical(s) : insertRowByRow(s, opts)}
        RETURN QUERY SELECT v_positions, v_version + v_count, false;
      END
      $fn$`;
}

/** The columns' values from one event's JSON `e`, given its stream version and hash. */
const eventValues = (e: string, version: string, hash: string) =>
  `(${e}->>'id')::uuid, p_stream_id, p_stream_type, ${version}, ${e}->>'type', (${e}->>'schemaVersion')::integer,
                  ${e}->'data', (${e}->>'occurredAt')::timestamptz, ARRAY(SELECT jsonb_array_elements_text(${e}->'parties')),
                  CASE WHEN jsonb_typeof(${e}->'actor') = 'object' THEN ${e}->'actor' END,
                  ${e}->>'correlationId', ${e}->>'causationId', ${hash}`;

/** `append_events`: an INSERT per event of the JSON array (each element: fields, `canonical`, `traceparent`). */
function insertRowByRow(s: string, opts: AppendRules): string {
  return `
        FOR e IN SELECT value FROM jsonb_array_elements(p_events) LOOP
          i := i + 1;
          v_hash := sha256(coalesce(v_hash, ''::bytea) || convert_to(e->>'canonical', 'UTF8'));
          INSERT INTO ${s}.events (event_id, stream_id, stream_type, stream_version, type, schema_version, data,
                                   occurred_at, parties, actor, correlation_id, causation_id, hash${opts.traceContext ? ', traceparent' : ''})
          VALUES (${eventValues('e', 'v_version + i', 'v_hash')}${opts.traceContext ? ", e->>'traceparent'" : ''})
          RETURNING position INTO v_pos;
          v_positions := v_positions || v_pos;
        END LOOP;`;
}

/**
 * `append_canonical`: the columns are read from the very text that is hashed, so each event
 * crosses the wire once (not as fields and again as its canonical text) and is parsed once.
 * The hashes first (each link needs the one before), then the whole append in one INSERT
 * (OFFSET 0 keeps the planner from pulling the subquery up, which would parse each text once
 * per column instead of once); the
 * rows are produced in the events' order, so their positions follow it. The stream's id and
 * version columns come from the arguments; `verify` recomputes the canonical text from the
 * columns, so a text that disagreed with them would show as a broken link.
 */
function insertCanonical(s: string): string {
  return `
        IF v_count = 1 THEN
          -- The common case, kept to the cheapest statement.
          e := v_events[1]::jsonb;
          INSERT INTO ${s}.events (event_id, stream_id, stream_type, stream_version, type, schema_version, data,
                                   occurred_at, parties, actor, correlation_id, causation_id, hash, traceparent)
          VALUES (${eventValues('e', 'v_version + 1', "sha256(coalesce(v_hash, ''::bytea) || convert_to(v_events[1], 'UTF8'))")}, p_traceparent)
          RETURNING ARRAY[position] INTO v_positions;
          RETURN QUERY SELECT v_positions, v_version + 1, false;
          RETURN;
        END IF;
        FOR i IN 1 .. v_count LOOP
          v_hash := sha256(coalesce(v_hash, ''::bytea) || convert_to(v_events[i], 'UTF8'));
          v_hashes := v_hashes || v_hash;
        END LOOP;
        WITH inserted AS (
          INSERT INTO ${s}.events (event_id, stream_id, stream_type, stream_version, type, schema_version, data,
                                   occurred_at, parties, actor, correlation_id, causation_id, hash, traceparent)
          SELECT ${eventValues('x.e', 'v_version + x.o::integer', 'v_hashes[x.o]')}, p_traceparent
            FROM (SELECT c::jsonb AS e, o FROM unnest(v_events) WITH ORDINALITY AS u(c, o) OFFSET 0) x
           ORDER BY x.o
          RETURNING position)
        SELECT array_agg(inserted.position ORDER BY inserted.position) INTO v_positions FROM inserted;`;
}

/**
 * The event store: one table that is both the log and the outbox.
 * - `transaction_id` (xid8) with `position` gives the commit order the relay follows.
 * - `append_events`, and since the sixth migration `append_canonical`: see appendEventsFunction.
 */
export class EventStore1732700000000 implements MigrationInterface {
  name = 'EventStore1732700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`
      CREATE TABLE ${s}.events (
        position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        stream_type     text NOT NULL,
        stream_version  integer NOT NULL CHECK (stream_version > 0),
        type            text NOT NULL,
        schema_version  integer NOT NULL,
        data            jsonb NOT NULL,
        occurred_at     timestamptz NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
        parties         text[] NOT NULL DEFAULT '{}',
        actor           jsonb,
        correlation_id  text NOT NULL,
        causation_id    text,
        hash            bytea NOT NULL,
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
      )`);
    await queryRunner.query(`CREATE INDEX events_commit_order_idx ON ${s}.events (transaction_id, position)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.outbox_checkpoints (
        name            text PRIMARY KEY,
        transaction_id  xid8 NOT NULL,
        position        bigint NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(appendEventsFunction(queryRunner, { onlyAsFirstWrite: false }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP FUNCTION ${s}.append_events(text, text, integer, jsonb)`);
    await queryRunner.query(`DROP TABLE ${s}.outbox_checkpoints`);
    await queryRunner.query(`DROP TABLE ${s}.events`);
  }
}

/**
 * append_events refuses to start appending in a transaction that already wrote elsewhere, so
 * that the relay's horizon may pass over transactions that do not write the events table.
 */
export class AppendFirst1735000000000 implements MigrationInterface {
  name = 'AppendFirst1735000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(appendEventsFunction(queryRunner, { onlyAsFirstWrite: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(appendEventsFunction(queryRunner, { onlyAsFirstWrite: false }));
  }
}

/**
 * append_events refuses to append to a stream whose last event a newer transaction wrote (DL004,
 * a retryable conflict), so a stream's events are in commit order in version order too.
 */
export class StreamOrder1736000000000 implements MigrationInterface {
  name = 'StreamOrder1736000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(appendEventsFunction(queryRunner, { onlyAsFirstWrite: true, streamOrder: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(appendEventsFunction(queryRunner, { onlyAsFirstWrite: true }));
  }
}

/**
 * Events a LocalProjector passed over because applying them failed on their own (poison
 * events), one row per projection and event; see LocalProjector. Operators look here.
 */
export class ProjectionParkedEvents1736200000000 implements MigrationInterface {
  name = 'ProjectionParkedEvents1736200000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.projection_parked_events (
        projection      text NOT NULL,
        event_id        uuid NOT NULL,
        position        bigint NOT NULL,
        transaction_id  xid8 NOT NULL,
        stream_id       text NOT NULL,
        type            text NOT NULL,
        error           text NOT NULL,
        parked_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".projection_parked_events`);
  }
}

/**
 * Each event keeps the W3C trace context of the operation that appended it, so the relay can
 * continue that trace when it publishes the event, long after and in another loop (see
 * libs/telemetry/src/tracing.ts). Outside the hash chain: it says how the event was processed,
 * not what the ledger records.
 */
export class TraceContext1737000000000 implements MigrationInterface {
  name = 'TraceContext1737000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${schemaOf(q)}".events ADD COLUMN traceparent text`);
    await q.query(appendEventsFunction(q, { onlyAsFirstWrite: true, streamOrder: true, traceContext: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(appendEventsFunction(q, { onlyAsFirstWrite: true, streamOrder: true }));
    await q.query(`ALTER TABLE "${schemaOf(q)}".events DROP COLUMN traceparent`);
  }
}

/**
 * `append_canonical` (see insertCanonical) beside `append_events`, which stays for clients of
 * the earlier release while both run.
 */
export class AppendCanonical1738000000000 implements MigrationInterface {
  name = 'AppendCanonical1738000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(appendEventsFunction(q, { onlyAsFirstWrite: true, streamOrder: true, traceContext: true, canonicalInput: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION "${schemaOf(q)}".append_canonical(text, text, integer, text, text)`);
  }
}

export const EVENT_STORE_MIGRATIONS = [
  EventStore1732700000000,
  AppendFirst1735000000000,
  StreamOrder1736000000000,
  ProjectionParkedEvents1736200000000,
  TraceContext1737000000000,
  AppendCanonical1738000000000,
];
