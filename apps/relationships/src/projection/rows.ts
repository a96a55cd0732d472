import { isoTime } from '@dealledger/domain';
import type { EventEnvelope } from '@dealledger/events';
import { pairsOf } from '../history/pairs';
import type { TimelineEvent } from '../history/timeline-event';
import { writeInbox } from './inbox-rows';
import { PairEvent, writeSummaries } from './summaries';

/**
 * The rows of the read tables and how a batch of events is written into one generation. Kept
 * apart from the rest of the projection so the rebuild's worker threads load only this, kafkajs
 * and pg.
 */

/** Anything that runs a query: a TypeORM DataSource or EntityManager, or a pg pool adapter. */
export interface Db {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

export interface Row {
  a: string;
  b: string;
  eventId: string;
  context: string;
  type: string;
  streamId: string;
  position: number;
  occurredAt: string;
  recordedAt: string;
  parties: string;
  data: string;
}

/** The rows an event adds: one per pair of companies it concerns. */
export function rowsOf(e: EventEnvelope): Row[] {
  const pairs = pairsOf(e);
  if (pairs.length === 0) return [];
  // Once per event, not per pair: a rebuild makes these for every row it writes.
  const parties = JSON.stringify(e.parties);
  const data = JSON.stringify(e.data);
  const occurredAt = isoTime(e.occurredAt);
  const recordedAt = isoTime(e.recordedAt);
  return pairs.map(([a, b]) => ({
    a,
    b,
    eventId: e.id,
    context: e.context,
    type: e.type,
    streamId: e.streamId,
    position: e.position,
    occurredAt,
    recordedAt,
    parties,
    data,
  }));
}

/** The event as the read side keeps it (the timeline row's columns). */
export function timelineEventOf(e: EventEnvelope): TimelineEvent {
  return {
    eventId: e.id,
    context: e.context,
    type: e.type,
    streamId: e.streamId,
    occurredAt: isoTime(e.occurredAt),
    recordedAt: isoTime(e.recordedAt),
    position: e.position,
    parties: e.parties,
    data: e.data,
  };
}

/** A timeline row as the event it keeps. */
export function timelineRowEvent(r: any): TimelineEvent {
  return {
    eventId: r.event_id,
    context: r.context,
    type: r.type,
    streamId: r.stream_id,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    position: Number(r.position),
    parties: r.parties,
    data: r.data,
  };
}

/** The summaries of the timeline rows `inserted` says are new, and the inbox, for `events` in their order. */
export async function writeKept(
  db: Db,
  schema: string,
  gen: number,
  events: EventEnvelope[],
  inserted: { company_a: string; company_b: string; event_id: string }[],
  options: { summaries?: boolean } = {},
): Promise<void> {
  // Every event, with or without a pair (a tender's opening names only its buyer).
  await writeInbox(db, schema, gen, events.map(timelineEventOf));
  // Last: the summary rows stay locked until the commit, and another writer of the same pairs
  // (a replica) waits for them.
  if (options.summaries !== false) await writeSummaries(db, schema, gen, insertedPairs(inserted, events));
}

/**
 * Applies what the live consumer kept aside for a generation while it was being rebuilt, in the
 * order it arrived, once the replay has written everything before it; from then on the live
 * consumer writes that generation directly. Holds the generation's row, so no live batch is
 * half-way between the two.
 */
export async function drainDeferred(db: Db, schema: string, gen: number): Promise<number> {
  await db.query(`SELECT deferring FROM "${schema}".generations WHERE generation = $1 FOR UPDATE`, [gen]);
  let drained = 0;
  for (;;) {
    const batch: { seq: string; events: EventEnvelope[]; inserted: { company_a: string; company_b: string; event_id: string }[] }[] = await db.query(
      `SELECT seq, events, inserted FROM "${schema}".deferred_g${gen} ORDER BY seq LIMIT 100`,
    );
    if (batch.length === 0) break;
    for (const b of batch) await writeKept(db, schema, gen, b.events, b.inserted);
    await db.query(`DELETE FROM "${schema}".deferred_g${gen} WHERE seq <= $1`, [batch[batch.length - 1].seq]);
    drained += batch.reduce((n, b) => n + b.events.length, 0);
  }
  await db.query(`UPDATE "${schema}".generations SET deferring = false WHERE generation = $1`, [gen]);
  return drained;
}

/** The pair rows an INSERT … RETURNING company_a, company_b, event_id reports as new, with their events. */
export function insertedPairs(returned: { company_a: string; company_b: string; event_id: string }[], events: EventEnvelope[]): PairEvent[] {
  const byId = new Map(events.map((e) => [e.id, e]));
  return returned.map((r) => ({ a: r.company_a, b: r.company_b, event: timelineEventOf(byId.get(r.event_id)!) }));
}

/**
 * Writes many events into one generation: timeline rows, then what is kept per event (the
 * summaries of the rows that are new, the inbox). `defer`: a generation a rebuild is still
 * filling keeps the live consumer's part of the latter aside (`deferred_g<N>`) until the replay
 * is done, since those must see each stream's events in order and the replay is behind.
 */
export async function writeEvents(
  db: Db,
  schema: string,
  gen: number,
  events: EventEnvelope[],
  /** `summaries: false`: a rebuild's replay, which summarises the pairs afterwards (rebuild/summarise.ts). */
  options: { defer?: boolean; summaries?: boolean } = {},
): Promise<void> {
  const rows = events.flatMap(rowsOf);
  let inserted: { company_a: string; company_b: string; event_id: string }[] = [];
  if (rows.length) {
    const col = <K extends keyof Row>(k: K) => rows.map((r) => r[k]);
    inserted = await db.query(
      `INSERT INTO "${schema}".timeline_g${gen} (company_a, company_b, event_id, context, type, stream_id, position, occurred_at, recorded_at, parties, data)
       SELECT a, b, id, ctx, t, sid, pos, occ, rec, p::jsonb, d::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[])
           AS x(a, b, id, ctx, t, sid, pos, occ, rec, p, d)
       ON CONFLICT DO NOTHING
       RETURNING company_a, company_b, event_id`,
      [
        col('a'),
        col('b'),
        col('eventId'),
        col('context'),
        col('type'),
        col('streamId'),
        col('position'),
        col('occurredAt'),
        col('recordedAt'),
        col('parties'),
        col('data'),
      ],
    );
  }
  const kept = events.filter((e) => e.type !== 'CompanyRegistered');
  if (options.defer) {
    if (kept.length)
      await db.query(`INSERT INTO "${schema}".deferred_g${gen} (events, inserted) VALUES ($1::jsonb, $2::jsonb)`, [
        JSON.stringify(kept),
        JSON.stringify(inserted),
      ]);
  } else {
    await writeKept(db, schema, gen, kept, inserted, options);
  }
  const companies = events.filter((e) => e.type === 'CompanyRegistered');
  if (companies.length) {
    await db.query(
      `INSERT INTO "${schema}".companies_g${gen} (company_id, name, data)
       SELECT id, n, d::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS x(id, n, d)
       ON CONFLICT (company_id) DO NOTHING`,
      [
        companies.map((e) => (e.data as { companyId: string }).companyId),
        companies.map((e) => (e.data as { name: string }).name),
        companies.map((e) => JSON.stringify(e.data)),
      ],
    );
  }
}
