import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';
import { Db, timelineRowEvent } from './rows';
import { inboxTableDdl } from './inbox-rows';
import { PairEvent, readTally, storedSummary, storedTally, summaryTableDdl, writeSummaries } from './summaries';
import { byTime } from '../history/timeline-event';
import { emptyTally, recount, summaryOf, Tally } from '../history/summary';
import { joinTally, Members, splitTally } from '../history/tally-parts';
import { sparseJson } from '../history/sparse';

export { rowsOf, timelineRowEvent, writeEvents } from './rows';
export type { Row } from './rows';

/**
 * The read tables come in generations: `timeline_g<N>` and `companies_g<N>`. Queries read the
 * active one; a rebuild fills a new one from offset 0 while the live consumer keeps writing to
 * every generation that is building or active, then swaps. Every write is idempotent (keyed by
 * pair and event id), so it does not matter which of the two wrote an event first.
 *
 * Statuses: `building` (being filled), `active` (read by queries), `retired` (replaced; kept a
 * while for the queries that picked it just before the swap), `rejected` (built, but its digest
 * differed from the live one: kept for inspection). Later rebuilds drop the last two.
 */

export async function createGenerationTables(db: Db, schema: string, gen: number): Promise<void> {
  const s = `"${schema}"`;
  await db.query(`
    CREATE TABLE IF NOT EXISTS ${s}.timeline_g${gen} (
      company_a   text NOT NULL,
      company_b   text NOT NULL,
      event_id    text NOT NULL,
      context     text NOT NULL,
      type        text NOT NULL,
      stream_id   text NOT NULL,
      position    bigint NOT NULL,
      occurred_at text NOT NULL,
      recorded_at text NOT NULL,
      parties     jsonb NOT NULL,
      data        jsonb NOT NULL,
      -- When the row became visible (for latency measurements; not part of the digest).
      projected_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (company_a, company_b, event_id)
    )`);
  await db.query(`CREATE INDEX IF NOT EXISTS timeline_g${gen}_b_idx ON ${s}.timeline_g${gen} (company_b)`);
  await db.query(`CREATE TABLE IF NOT EXISTS ${s}.companies_g${gen} (company_id text PRIMARY KEY, name text NOT NULL, data jsonb NOT NULL)`);
  for (const ddl of [...summaryTableDdl(schema, gen), ...inboxTableDdl(schema, gen)]) await db.query(ddl);
  // What the live consumer keeps aside while a rebuild fills this generation (see writeEvents).
  await db.query(`CREATE TABLE IF NOT EXISTS ${s}.deferred_g${gen} (seq bigserial PRIMARY KEY, events jsonb NOT NULL, inserted jsonb NOT NULL)`);
}

export async function dropGenerationTables(db: Db, schema: string, gen: number): Promise<void> {
  await db.query(
    `DROP TABLE IF EXISTS "${schema}".timeline_g${gen}, "${schema}".companies_g${gen}, "${schema}".summaries_g${gen}, "${schema}".summary_members_g${gen}, "${schema}".inbox_g${gen}, "${schema}".deferred_g${gen}`,
  );
}

export async function activeGeneration(db: Db, schema: string): Promise<number> {
  const rows = await db.query(`SELECT generation FROM "${schema}".generations WHERE status = 'active'`);
  if (!rows[0]) throw new Error('no active relationships generation');
  return rows[0].generation;
}

/**
 * The generations a live batch writes to, and whether to keep its per-event part aside. Read
 * FOR SHARE: a rebuild draining what was kept aside waits for the batches that read `deferring`.
 */
export async function writableGenerations(db: Db, schema: string): Promise<{ generation: number; deferring: boolean }[]> {
  return db.query(`SELECT generation, deferring FROM "${schema}".generations WHERE status IN ('active', 'building') ORDER BY generation FOR SHARE`);
}

/**
 * A digest of every row of a generation: the sum (as a number, no overflow) of a 64-bit hash of
 * each row, with the row count. Independent of row order and computed without building one huge
 * string, so it stays cheap at millions of rows; equal tables, equal digests. It detects drift
 * between two generations, not tampering (the event store's hash chain does that), so
 * PostgreSQL's own fast hash is enough.
 *
 * A row's hash covers every column that comes from events (all but `projected_at`), each as
 * text, jsonb as its canonical text (keys sorted, whitespace normalised). The columns are hashed
 * one by one, each hash seeding the next: no separator to confuse with the content, and about
 * half the cost of hashing a JSON array of the row. (`jsonb_hash_extended` would be cheaper
 * still, but it hashes the scalars without the structure: `{"a":[{"x":1}],"b":2}` and
 * `{"a":[{"x":1,"b":2}]}` hash alike.)
 */
export async function digestOf(db: Db, schema: string, gen: number): Promise<{ digest: string; rows: number; companies: number }> {
  const rowHash = (columns: string[]) => columns.reduce((seed, column) => `hashtextextended(${column}, ${seed})`, '0');
  const [t] = await db.query(
    `SELECT count(*)::int AS n,
            coalesce(sum(${rowHash(['company_a', 'company_b', 'event_id', 'context', 'type', 'stream_id', 'position::text', 'occurred_at', 'recorded_at', 'parties::text', 'data::text'])}), 0)::text AS h
       FROM "${schema}".timeline_g${gen}`,
  );
  const [c] = await db.query(
    `SELECT count(*)::int AS n, coalesce(sum(${rowHash(['company_id', 'name', 'data::text'])}), 0)::text AS h FROM "${schema}".companies_g${gen}`,
  );
  // The summaries are kept per event, not folded: equal digests show the live tallies equal a replay's.
  const [m] = await db.query(
    `SELECT count(*)::int AS n, coalesce(sum(${rowHash(['company_a', 'company_b', 'viewer', 'tally::text'])}), 0)::text AS h FROM "${schema}".summaries_g${gen}`,
  );
  const [k] = await db.query(
    `SELECT count(*)::int AS n, coalesce(sum(${rowHash(['company_a', 'company_b', 'viewer', 'entity', 'members::text'])}), 0)::text AS h FROM "${schema}".summary_members_g${gen}`,
  );
  const [i] = await db.query(
    `SELECT count(*)::int AS n, coalesce(sum(${rowHash(['company_id', 'item_key', 'kind', "coalesce(role, '')", 'resource', 'reason', "coalesce(due_at, '')", 'since'])}), 0)::text AS h
       FROM "${schema}".inbox_g${gen}`,
  );
  return { digest: `${t.n}:${t.h}:${c.n}:${c.h}:${m.n}:${m.h}:${k.n}:${k.h}:${i.n}:${i.h}`, rows: t.n, companies: c.n };
}

/** The generations writes go to (for migrations: the others are rebuilt, not migrated). */
const writtenGenerations = async (q: QueryRunner): Promise<number[]> =>
  (await q.query(`SELECT generation FROM "${schemaOf(q)}".generations WHERE status IN ('active', 'building')`)).map(
    (g: { generation: number }) => g.generation,
  );

export class Generations1733000000000 implements MigrationInterface {
  name = 'Generations1733000000000';

  async up(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    await q.query(`
      CREATE TABLE "${schema}".generations (
        generation   int PRIMARY KEY,
        status       text NOT NULL CHECK (status IN ('building', 'active', 'retired')),
        created_at   timestamptz NOT NULL DEFAULT now(),
        activated_at timestamptz
      )`);
    await createGenerationTables(q, schema, 1);
    await q.query(`INSERT INTO "${schema}".generations (generation, status, activated_at) VALUES (1, 'active', now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    const gens = await q.query(`SELECT generation FROM "${schema}".generations`);
    for (const g of gens) await dropGenerationTables(q, schema, g.generation);
    await q.query(`DROP TABLE "${schema}".generations`);
  }
}

/** Adds `rejected` (a rebuild refused to swap it in) and when a generation was retired. */
export class GenerationRetirement1733000000001 implements MigrationInterface {
  name = 'GenerationRetirement1733000000001';

  async up(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    await q.query(`
      ALTER TABLE "${schema}".generations
        DROP CONSTRAINT generations_status_check,
        ADD CONSTRAINT generations_status_check CHECK (status IN ('building', 'active', 'retired', 'rejected')),
        ADD COLUMN retired_at timestamptz`);
    // A swap retires before it activates: never two active generations, whatever runs at once.
    // (Two rebuilds at once could leave two before this: the newest stays.)
    await q.query(`
      UPDATE "${schema}".generations SET status = 'retired', retired_at = now()
       WHERE status = 'active' AND generation < (SELECT max(generation) FROM "${schema}".generations WHERE status = 'active')`);
    await q.query(`CREATE UNIQUE INDEX generations_one_active ON "${schema}".generations ((true)) WHERE status = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    for (const g of await q.query(`SELECT generation FROM "${schema}".generations WHERE status = 'rejected'`))
      await dropGenerationTables(q, schema, g.generation);
    await q.query(`DROP INDEX "${schema}".generations_one_active`);
    await q.query(`DELETE FROM "${schema}".generations WHERE status = 'rejected'`);
    await q.query(`
      ALTER TABLE "${schema}".generations
        DROP COLUMN retired_at,
        DROP CONSTRAINT generations_status_check,
        ADD CONSTRAINT generations_status_check CHECK (status IN ('building', 'active', 'retired'))`);
  }
}

/**
 * Adds the per-event summaries to the generations that are written to, filled by folding the
 * timeline rows they already hold (pair by pair, in timeline order, as the tally would have seen them).
 */
export class Summaries1737700000000 implements MigrationInterface {
  name = 'Summaries1737700000000';

  async up(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    for (const generation of await writtenGenerations(q)) {
      for (const ddl of summaryTableDdl(schema, generation)) await q.query(ddl);
      let after: [string, string] = ['', ''];
      for (;;) {
        // A few thousand pairs at a time, keyed on the pair so that memory stays small.
        const pairs: { company_a: string; company_b: string }[] = await q.query(
          `SELECT DISTINCT company_a, company_b FROM "${schema}".timeline_g${generation} WHERE (company_a, company_b) > ($1, $2) ORDER BY 1, 2 LIMIT 2000`,
          after,
        );
        if (pairs.length === 0) break;
        const last = pairs[pairs.length - 1];
        const rows = await q.query(
          `SELECT * FROM "${schema}".timeline_g${generation} WHERE (company_a, company_b) > ($1, $2) AND (company_a, company_b) <= ($3, $4)`,
          [...after, last.company_a, last.company_b],
        );
        const inserted = rows
          .map((r: any) => ({ a: r.company_a, b: r.company_b, event: timelineRowEvent(r) }))
          .sort((x: PairEvent, y: PairEvent) => byTime(x.event, y.event));
        await writeSummaries(q, schema, generation, inserted);
        after = [last.company_a, last.company_b];
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    for (const { generation } of await q.query(`SELECT generation FROM "${schema}".generations`))
      await q.query(`DROP TABLE IF EXISTS "${schema}".summaries_g${generation}, "${schema}".summary_members_g${generation}`);
  }
}

/**
 * Adds the inbox to the generations. It needs events that concern no pair (a tender's opening),
 * which the timeline does not hold: an installation with history fills it by a rebuild
 * (`POST /admin/rebuild`), which replays every event from offset 0.
 */
export class Inbox1737800000000 implements MigrationInterface {
  name = 'Inbox1737800000000';

  async up(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    for (const generation of await writtenGenerations(q)) for (const ddl of inboxTableDdl(schema, generation)) await q.query(ddl);
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    for (const { generation } of await q.query(`SELECT generation FROM "${schema}".generations`))
      await q.query(`DROP TABLE IF EXISTS "${schema}".inbox_g${generation}`);
  }
}

/** Generations a rebuild fills keep the live consumer's per-event writes aside until its replay is done. */
export class DeferredWrites1737900000000 implements MigrationInterface {
  name = 'DeferredWrites1737900000000';

  async up(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    await q.query(`ALTER TABLE "${schema}".generations ADD COLUMN deferring boolean NOT NULL DEFAULT false`);
    for (const generation of await writtenGenerations(q)) {
      await q.query(
        `CREATE TABLE IF NOT EXISTS "${schema}".deferred_g${generation} (seq bigserial PRIMARY KEY, events jsonb NOT NULL, inserted jsonb NOT NULL)`,
      );
      // Summaries made before reads took their figures from a column of their own.
      const t = `"${schema}".summaries_g${generation}`;
      await q.query(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS summary json`);
      for (const r of await q.query(`SELECT company_a, company_b, viewer, tally FROM ${t} WHERE summary IS NULL`))
        await q.query(`UPDATE ${t} SET summary = $4::json WHERE company_a = $1 AND company_b = $2 AND viewer = $3`, [
          r.company_a,
          r.company_b,
          r.viewer,
          JSON.stringify(summaryOf(recount(readTally(r.tally)))),
        ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    for (const { generation } of await q.query(`SELECT generation FROM "${schema}".generations`))
      await q.query(`DROP TABLE IF EXISTS "${schema}".deferred_g${generation}`);
    await q.query(`ALTER TABLE "${schema}".generations DROP COLUMN deferring`);
  }
}

/**
 * Rewrites every summary row of the generations that are written to, a few thousand rows at a
 * time (keyed on the row, so that memory stays small): `as` gives the tally and figures to store.
 * Each batch is locked as it is read, so that a writer still running cannot add an event to a
 * row between the read and the rewrite (its event would be lost). The migration is one
 * transaction: the rows stay locked until it commits.
 */
async function rewriteSummaries(
  q: QueryRunner,
  as: (t: Tally) => { tally: string; summary: string; members?: { entity: string; members: string }[] },
  generations?: number[],
): Promise<void> {
  const schema = schemaOf(q);
  const exists = async (table: string) => (await q.query(`SELECT to_regclass($1) AS t`, [`"${schema}".${table}`]))[0].t !== null;
  for (const generation of generations ?? (await writtenGenerations(q))) {
    if (!(await exists(`summaries_g${generation}`))) continue;
    const t = `"${schema}".summaries_g${generation}`;
    const m = `"${schema}".summary_members_g${generation}`;
    // Wherever members are kept apart, each tally is made whole first (and its members taken out):
    // `as` sees every tally whole, whichever migration wrote it.
    const apart = await exists(`summary_members_g${generation}`);
    let after = ['', '', ''];
    for (;;) {
      const rows: { company_a: string; company_b: string; viewer: string; tally: unknown }[] = await q.query(
        `SELECT company_a, company_b, viewer, tally FROM ${t} WHERE (company_a, company_b, viewer) > ($1, $2, $3) ORDER BY 1, 2, 3 LIMIT 2000 FOR UPDATE`,
        after,
      );
      if (rows.length === 0) break;
      const last = rows[rows.length - 1];
      const range = [...after, last.company_a, last.company_b, last.viewer];
      const inRange = `(company_a, company_b, viewer) > ($1, $2, $3) AND (company_a, company_b, viewer) <= ($4, $5, $6)`;
      const kept = new Map<string, Members[]>();
      if (apart)
        // TypeORM answers a DELETE with [rows, count].
        for (const k of (await q.query(`DELETE FROM ${m} WHERE ${inRange} RETURNING company_a, company_b, viewer, members`, range))[0]) {
          const key = `${k.company_a} ${k.company_b} ${k.viewer}`;
          kept.set(key, [...(kept.get(key) ?? []), k.members]);
        }
      const stored = rows.map((r) => as(joinTally(readTally(r.tally), kept.get(`${r.company_a} ${r.company_b} ${r.viewer}`) ?? [])));
      await q.query(
        `UPDATE ${t} t SET tally = x.t::jsonb, summary = x.s::json
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS x(a, b, v, t, s)
          WHERE t.company_a = x.a AND t.company_b = x.b AND t.viewer = x.v`,
        [rows.map((r) => r.company_a), rows.map((r) => r.company_b), rows.map((r) => r.viewer), stored.map((x) => x.tally), stored.map((x) => x.summary)],
      );
      const members = rows.flatMap((r, i) => (stored[i].members ?? []).map((x) => ({ r, ...x })));
      if (members.length)
        await q.query(
          `INSERT INTO ${m} (company_a, company_b, viewer, entity, members) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
           ON CONFLICT (company_a, company_b, viewer, entity) DO UPDATE SET members = excluded.members`,
          [
            members.map((x) => x.r.company_a),
            members.map((x) => x.r.company_b),
            members.map((x) => x.r.viewer),
            members.map((x) => x.entity),
            members.map((x) => x.members),
          ],
        );
      after = [last.company_a, last.company_b, last.viewer];
    }
  }
}

/**
 * The summaries kept sparse (see history/sparse.ts), the rows kept whole before rewritten so: a
 * rebuild writes them sparse, and its digest is compared with the live generation's.
 */
export class SparseSummaries1764480000000 implements MigrationInterface {
  name = 'SparseSummaries1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await rewriteSummaries(q, (t) => ({ tally: storedTally(t), summary: storedSummary(recount(t)) }));
  }

  async down(q: QueryRunner): Promise<void> {
    // Whole again: what the code before reads.
    await rewriteSummaries(q, (t) => ({ tally: JSON.stringify(t), summary: JSON.stringify(summaryOf(recount(t))) }));
  }
}

/**
 * Each tally's sets kept apart from its row (history/tally-parts.ts), its counts made from them
 * first (tallies kept before had none for SLA outcomes and invoice value): the live consumer then
 * reads and writes only the members of what an event names.
 */
export class SummaryMembers1764600000000 implements MigrationInterface {
  name = 'SummaryMembers1764600000000';

  async up(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    for (const generation of await writtenGenerations(q)) for (const ddl of summaryTableDdl(schema, generation)) await q.query(ddl);
    await rewriteSummaries(q, (t) => {
      const { counts, members } = splitTally(recount(t));
      return {
        tally: storedTally(counts),
        summary: storedSummary(counts),
        members: [...members].map(([entity, m]) => ({ entity, members: JSON.stringify(m) })),
      };
    });
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    // Whole rows again, sparse, as the code before kept them: its members back in, and without the counts it did not keep.
    // Every generation, retired and rejected ones too: their members table goes.
    const all: number[] = (await q.query(`SELECT generation FROM "${schema}".generations`)).map((g: { generation: number }) => g.generation);
    await rewriteSummaries(q, (t) => ({ tally: sparseJson(withoutCounts(t), withoutCounts(emptyTally())), summary: storedSummary(t) }), all);
    for (const generation of all) await q.query(`DROP TABLE IF EXISTS "${schema}".summary_members_g${generation}`);
  }
}

/** A tally as kept before SummaryMembers: without the SLA outcomes and invoice value it counts now. */
function withoutCounts(t: Tally): object {
  const { slaOutcomes: _s, fulfilment, ...rest } = t;
  if (!fulfilment) return rest;
  const { value: _v, ...f } = fulfilment;
  return { ...rest, fulfilment: f };
}

/**
 * A page of a company's counterparties, most recently active first, read from an index in that
 * order: the index by viewer and last activity had no counterparty after it and did not match the
 * page's expression, so every page read and sorted all of the company's summaries.
 */
export class CounterpartyOrder1764700000001 implements MigrationInterface {
  name = 'CounterpartyOrder1764700000001';

  async up(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    for (const generation of await writtenGenerations(q)) {
      for (const ddl of summaryTableDdl(schema, generation)) await q.query(ddl);
      await q.query(`DROP INDEX IF EXISTS "${schema}".summaries_g${generation}_viewer_idx`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = schemaOf(q);
    for (const generation of await writtenGenerations(q)) {
      await q.query(`CREATE INDEX IF NOT EXISTS summaries_g${generation}_viewer_idx ON "${schema}".summaries_g${generation} (viewer, last_activity DESC)`);
      await q.query(`DROP INDEX IF EXISTS "${schema}".summaries_g${generation}_counterparties_idx`);
    }
  }
}

/** The relationships app's read-model migrations, in order. */
export const GENERATION_MIGRATIONS = [
  Generations1733000000000,
  GenerationRetirement1733000000001,
  Summaries1737700000000,
  Inbox1737800000000,
  DeferredWrites1737900000000,
  SparseSummaries1764480000000,
  SummaryMembers1764600000000,
  CounterpartyOrder1764700000001,
];
