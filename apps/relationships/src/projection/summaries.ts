import { dense, sparseJson } from '../history/sparse';
import { emptyTally, recount, RelationshipSummary, summaryOf, Tally, tallyAsSeenBy } from '../history/summary';
import type { TimelineEvent } from '../history/timeline-event';
import { entitiesOf, joinTally, Members, splitTally } from '../history/tally-parts';
import type { Db } from './rows';

/**
 * A summary row keeps its tally and its figures sparse (see history/sparse.ts): what differs from
 * an empty tally, and from an empty tally's figures. Rows kept whole before read the same.
 */
const EMPTY_TALLY = emptyTally();
const EMPTY_SUMMARY = summaryOf(emptyTally());
export const storedTally = (t: Tally): string => sparseJson(t, EMPTY_TALLY);
export const storedSummary = (t: Tally): string => sparseJson(summaryOf(t), EMPTY_SUMMARY);
// Fresh templates: what `dense` returns shares their parts, and a tally read is added to in place.
export const readTally = (stored: unknown): Tally => dense(stored, emptyTally());
export const readSummary = (stored: unknown): RelationshipSummary => dense(stored, summaryOf(emptyTally()));

/** A timeline row just inserted: the pair and the event, as the timeline keeps it. */
export interface PairEvent {
  a: string;
  b: string;
  event: TimelineEvent;
}

/**
 * Each pair's summary, kept per event: one row per pair and viewer (a and b see the pair
 * differently: drafts, rivals' bids), holding the tally the summary is computed from. Written in
 * the same transaction as the timeline rows, only for rows that transaction inserted, so a
 * redelivered event, or one the live consumer and a rebuild both write, counts once.
 *
 * Rows are locked in key order: two writers (replicas of the live consumer, a rebuild's shards)
 * touching the same pairs wait for each other instead of deadlocking.
 */
export async function writeSummaries(db: Db, schema: string, gen: number, inserted: PairEvent[]): Promise<void> {
  if (inserted.length === 0) return;
  const table = `"${schema}".summaries_g${gen}`;
  const byRow = new Map<string, { a: string; b: string; viewer: string; events: TimelineEvent[]; entities: Set<string> }>();
  for (const { a, b, event } of inserted) {
    for (const viewer of [a, b]) {
      const k = `${a} ${b} ${viewer}`;
      const row = byRow.get(k) ?? byRow.set(k, { a, b, viewer, events: [], entities: new Set() }).get(k)!;
      row.events.push(event);
      for (const entity of entitiesOf(event)) row.entities.add(entity);
    }
  }
  const rows = [...byRow.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, r]) => r);
  const col = (f: (r: (typeof rows)[number]) => string) => rows.map(f);
  await db.query(
    `INSERT INTO ${table} (company_a, company_b, viewer, tally) SELECT a, b, v, $4::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS x(a, b, v)
     ON CONFLICT DO NOTHING`,
    [col((r) => r.a), col((r) => r.b), col((r) => r.viewer), storedTally(emptyTally())],
  );
  // The row locked first: its members are written only by whoever holds it.
  const current: { company_a: string; company_b: string; viewer: string; tally: Tally }[] = await db.query(
    `SELECT company_a, company_b, viewer, tally FROM ${table} t
      WHERE (company_a, company_b, viewer) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
      ORDER BY company_a, company_b, viewer FOR UPDATE`,
    [col((r) => r.a), col((r) => r.b), col((r) => r.viewer)],
  );
  // Each row read once, then joined with its members in place.
  const stored = new Map(current.map((c) => [`${c.company_a} ${c.company_b} ${c.viewer}`, readTally(c.tally)]));
  const tallyOf = (r: (typeof rows)[number]) => stored.get(`${r.a} ${r.b} ${r.viewer}`) ?? readTally(undefined);
  // A row still holding members itself (written whole by an earlier version, one left running
  // against the upgrade notes) is made whole: all its members read and all written apart, so
  // nothing it held is lost and the consumer does not stop on it.
  const whole = new Set(
    rows.filter((r) => {
      const held = splitTally(tallyOf(r)).members;
      for (const entity of held.keys()) r.entities.add(entity);
      return held.size > 0;
    }),
  );
  // Otherwise only the members of what the events name (see history/tally-parts.ts).
  const wanted = rows.filter((r) => !whole.has(r)).flatMap((r) => [...r.entities].map((entity) => ({ r, entity })));
  const membersTable = `"${schema}".summary_members_g${gen}`;
  const found: { company_a: string; company_b: string; viewer: string; entity: string; members: Members }[] = [
    ...(wanted.length
      ? await db.query(
          `SELECT company_a, company_b, viewer, entity, members FROM ${membersTable}
            WHERE (company_a, company_b, viewer, entity) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))`,
          [wanted.map((w) => w.r.a), wanted.map((w) => w.r.b), wanted.map((w) => w.r.viewer), wanted.map((w) => w.entity)],
        )
      : []),
    ...(whole.size
      ? await db.query(
          `SELECT company_a, company_b, viewer, entity, members FROM ${membersTable}
            WHERE (company_a, company_b, viewer) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
          [[...whole].map((r) => r.a), [...whole].map((r) => r.b), [...whole].map((r) => r.viewer)],
        )
      : []),
  ];
  const membersOf = new Map<string, Members[]>();
  const kept = new Set<string>();
  for (const f of found) {
    const k = `${f.company_a} ${f.company_b} ${f.viewer}`;
    membersOf.set(k, [...(membersOf.get(k) ?? []), f.members]);
    kept.add(`${k} ${f.entity}`);
    // A row made whole writes every member it has (for the others, what was found was named).
    byRow.get(k)!.entities.add(f.entity);
  }
  const upserts: { r: (typeof rows)[number]; entity: string; members: Members }[] = [];
  const deletes: { r: (typeof rows)[number]; entity: string }[] = [];
  const updated = rows.map((r) => {
    const k = `${r.a} ${r.b} ${r.viewer}`;
    const joined = joinTally(tallyOf(r), membersOf.get(k) ?? []);
    // Made whole, its counts are made again: the version that wrote it may not have kept them all.
    const t = whole.has(r) ? recount(joined) : joined;
    for (const e of r.events) tallyAsSeenBy(t, e, r.viewer, [r.a, r.b]);
    const { counts, members } = splitTally(t);
    for (const entity of members.keys())
      // A rule that wrote a member of something its event does not name would lose it here.
      if (!r.entities.has(entity)) throw new Error(`a tally member of ${entity} was written by events that do not name it`);
    for (const entity of r.entities) {
      const m = members.get(entity);
      if (m) upserts.push({ r, entity, members: m });
      else if (kept.has(`${k} ${entity}`)) deletes.push({ r, entity });
    }
    return counts;
  });
  // The tally's figures travel beside it: parsing each tally once more per column cost more than the rest of the row.
  await db.query(
    `UPDATE ${table} t SET tally = x.t::jsonb, summary = x.s::json, last_activity = x.l, events = x.n
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) AS x(a, b, v, t, s, l, n)
      WHERE t.company_a = x.a AND t.company_b = x.b AND t.viewer = x.v`,
    [
      col((r) => r.a),
      col((r) => r.b),
      col((r) => r.viewer),
      updated.map(storedTally),
      updated.map(storedSummary),
      updated.map((t) => t.lastActivity),
      updated.map((t) => t.events),
    ],
  );
  if (upserts.length)
    await db.query(
      `INSERT INTO ${membersTable} (company_a, company_b, viewer, entity, members)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
       ON CONFLICT (company_a, company_b, viewer, entity) DO UPDATE SET members = excluded.members`,
      [
        upserts.map((u) => u.r.a),
        upserts.map((u) => u.r.b),
        upserts.map((u) => u.r.viewer),
        upserts.map((u) => u.entity),
        upserts.map((u) => JSON.stringify(u.members)),
      ],
    );
  if (deletes.length)
    await db.query(
      `DELETE FROM ${membersTable} WHERE (company_a, company_b, viewer, entity) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))`,
      [deletes.map((d) => d.r.a), deletes.map((d) => d.r.b), deletes.map((d) => d.r.viewer), deletes.map((d) => d.entity)],
    );
}

export function summaryTableDdl(schema: string, gen: number): string[] {
  const t = `"${schema}".summaries_g${gen}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
      company_a     text NOT NULL,
      company_b     text NOT NULL,
      viewer        text NOT NULL,
      tally         jsonb NOT NULL,
      -- The figures of the tally, made when it changes: what reads return, without the sets behind them.
      summary       json,
      last_activity text,
      events        int NOT NULL DEFAULT 0,
      PRIMARY KEY (company_a, company_b, viewer)
    )`,
    // A company's counterparties, most recently active first, in the order a page of them is read
    // (history/relationship.queries.ts, counterparties); with the counterparty, so no tie is sorted.
    `CREATE INDEX IF NOT EXISTS summaries_g${gen}_counterparties_idx ON ${t} (viewer, (coalesce(last_activity, '')) DESC, (CASE WHEN company_a = viewer THEN company_b ELSE company_a END) DESC) WHERE events > 0`,
    // The members of each tally's sets, by the offer, tender, ticket or invoice they are about (history/tally-parts.ts).
    `CREATE TABLE IF NOT EXISTS "${schema}".summary_members_g${gen} (
      company_a text NOT NULL,
      company_b text NOT NULL,
      viewer    text NOT NULL,
      entity    text NOT NULL,
      members   jsonb NOT NULL,
      PRIMARY KEY (company_a, company_b, viewer, entity)
    )`,
  ];
}
