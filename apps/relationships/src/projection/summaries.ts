import { dense, sparseJson } from '../history/sparse';
import { emptyTally, RelationshipSummary, summaryOf, Tally, tallyAsSeenBy } from '../history/summary';
import type { TimelineEvent } from '../history/timeline-event';
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
  const byRow = new Map<string, { a: string; b: string; viewer: string; events: TimelineEvent[] }>();
  for (const { a, b, event } of inserted) {
    for (const viewer of [a, b]) {
      const k = `${a} ${b} ${viewer}`;
      const row = byRow.get(k) ?? byRow.set(k, { a, b, viewer, events: [] }).get(k)!;
      row.events.push(event);
    }
  }
  const rows = [...byRow.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, r]) => r);
  const col = (f: (r: (typeof rows)[number]) => string) => rows.map(f);
  await db.query(
    `INSERT INTO ${table} (company_a, company_b, viewer, tally) SELECT a, b, v, $4::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS x(a, b, v)
     ON CONFLICT DO NOTHING`,
    [col((r) => r.a), col((r) => r.b), col((r) => r.viewer), storedTally(emptyTally())],
  );
  const current: { company_a: string; company_b: string; viewer: string; tally: Tally }[] = await db.query(
    `SELECT company_a, company_b, viewer, tally FROM ${table} t
      WHERE (company_a, company_b, viewer) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
      ORDER BY company_a, company_b, viewer FOR UPDATE`,
    [col((r) => r.a), col((r) => r.b), col((r) => r.viewer)],
  );
  const tallies = new Map(current.map((c) => [`${c.company_a} ${c.company_b} ${c.viewer}`, c.tally]));
  const updated = rows.map((r) => {
    const t = readTally(tallies.get(`${r.a} ${r.b} ${r.viewer}`));
    for (const e of r.events) tallyAsSeenBy(t, e, r.viewer, [r.a, r.b]);
    return t;
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
    // A company's counterparties, most recently active first.
    `CREATE INDEX IF NOT EXISTS summaries_g${gen}_viewer_idx ON ${t} (viewer, last_activity DESC)`,
  ];
}
