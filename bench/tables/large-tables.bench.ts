/**
 * Reads of the apps' list tables that should cost what their answer holds, not what the table
 * holds (prints figures; not a test), on tables filled to a size a long-running ledger reaches:
 *
 *   npm run bench:tables      (ROWS=1000000 SECONDS=2 RUNS=3 by default)
 *
 * - the accounts app's pipeline: one seller's touches (`touch_list`, ROWS touches of 1,000 sellers);
 * - its handling of `ProspectRegistered`: the prospect account's opportunities get their buyer
 *   (`opportunity_list`, ROWS/10 opportunities), run and rolled back;
 * - the offers app's tender notices (`GET /tenders/notices`): ROWS/10 open procedures, of which
 *   the 20 newest still open for bids, the rest closed;
 * - a page of the offers list (`GET /offers?limit=50`, through the projection's own `page`) for a
 *   company in both roles: ROWS offers, ROWS/50 of them sent by the company and as many received;
 * - a page of a company's counterparties, most recently active first (`GET /relationships/
 *   counterparties?limit=50`, through the app's own query): ROWS summary rows, ROWS/50 of them
 *   the company's.
 *
 * A fresh database with each app's own migrations (whichever this checkout has), the tables
 * filled by `INSERT … SELECT`, vacuumed and analysed; each statement is sent as the apps send it,
 * named (so PostgreSQL may keep a generic plan), one call after another for SECONDS, RUNS times
 * (20 calls first, unmeasured): p50 and p99 in ms, medians of the runs.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { MigrationInterface } from 'typeorm';
import { EVENT_STORE_MIGRATIONS, openDatabase, PostgresEventStore } from '@dealledger/event-store';
import * as accountsMigrations from '../../apps/accounts/src/projections/accounts.migration';
import type { KnownCompanies } from '@dealledger/platform';
import * as offerList from '../../apps/offers/src/offer/list/offer-list.projection';
import { GENERATION_MIGRATIONS } from '../../apps/relationships/src/projection/generations';
import { RelationshipQueries } from '../../apps/relationships/src/history/relationship.queries';
import * as tenderList from '../../apps/offers/src/tender/list/tender-list.projection';
import { dropDatabase, freshDatabase, timeCalls } from '../measure';

const ROWS = Number(process.env.ROWS ?? 1000000);
const SECONDS = Number(process.env.SECONDS ?? 2);
const RUNS = Number(process.env.RUNS ?? 3);
const DATABASE = 'dl_bench_tables';

// This checkout's migrations of those modules, in order (the bench also runs against earlier code).
const migrationsOf = (module: Record<string, unknown>) =>
  Object.values(module)
    .filter((m): m is new () => MigrationInterface => typeof m === 'function' && /\d{13}$/.test(m.name))
    .sort((a, b) => Number(/\d+$/.exec(a.name)![0]) - Number(/\d+$/.exec(b.name)![0]));

async function main(): Promise<void> {
  const url = await freshDatabase(DATABASE);
  const migrations = [
    ...EVENT_STORE_MIGRATIONS,
    ...migrationsOf(accountsMigrations),
    ...migrationsOf(tenderList),
    ...migrationsOf(offerList),
    ...GENERATION_MIGRATIONS,
  ];
  const db = await openDatabase({ url, schema: 'ledger', migrations, poolSize: 2 });
  const client = new Client({ connectionString: url });
  await client.connect();
  console.log(`large tables benchmark: ${ROWS} rows, ${SECONDS} s per run, median of ${RUNS} runs, node ${process.version}`);
  try {
    const t0 = performance.now();
    await db.query(
      `
      INSERT INTO ledger.touch_list (touch_id, seller_id, account_id, channel, at, campaign_id, recorded_pos)
      SELECT gen_random_uuid(), ('00000000-0000-0000-0000-' || lpad((i % 1000)::text, 12, '0'))::uuid, gen_random_uuid(), 'visit',
             timestamptz '2026-01-01' + i * interval '1 minute', NULL, i
        FROM generate_series(1, $1::int) i`,
      [ROWS],
    );
    await db.query(
      `INSERT INTO ledger.opportunity_list (opportunity_id, seller_id, account_id, buyer_id, title, stage, expected_value, currency, history, opened_pos, opened_at)
       SELECT gen_random_uuid(), ('00000000-0000-0000-0000-' || lpad((i % 1000)::text, 12, '0'))::uuid, gen_random_uuid(), NULL, 'tyres', 'qualified', 100000, 'EUR', '[]', i, now()
         FROM generate_series(1, $1::int) i`,
      [ROWS / 10],
    );
    await db.query(
      `INSERT INTO ledger.tender_list (tender_id, buyer_id, title, status, public_procurement, currency, submission_deadline, item_ids, invited, opened_position, opened_at, updated_at, document, procedure)
       SELECT gen_random_uuid(), gen_random_uuid(), 'tyres', CASE WHEN i > $1::int - 20 THEN 'open' ELSE 'closed' END, false, 'EUR',
              now() + interval '30 days', '{}', '{}', i, now(), now(), to_tsvector('simple', 'tyres'), 'open'
         FROM generate_series(1, $1::int) i`,
      [ROWS / 10],
    );
    // Every 50th offer sent by the company, every 50th (shifted by 25) submitted to it.
    const company = '00000000-0000-0000-0000-00000000000c';
    await db.query(
      `INSERT INTO ledger.offer_list (offer_id, supplier_id, buyer_id, status, skus, valid_until, revision, drafted_at, updated_at, submitted)
       SELECT gen_random_uuid(), CASE WHEN i % 50 = 0 THEN $2::uuid ELSE gen_random_uuid() END, CASE WHEN i % 50 = 25 THEN $2::uuid ELSE gen_random_uuid() END,
              'submitted', '{TYRE-1}', now() + interval '30 days', 0, i, now(), true
         FROM generate_series(1, $1::int) i`,
      [ROWS, company],
    );
    // Every 50th summary row is the company's view of a pair with it.
    await db.query(
      `INSERT INTO ledger.summaries_g1 (company_a, company_b, viewer, tally, summary, last_activity, events)
       SELECT a, b, CASE WHEN i % 50 = 0 THEN $2 ELSE a END, '{}', '{}', to_char(timestamp '2025-01-01' + i * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"'), 3
         FROM generate_series(1, $1::int) i, LATERAL (SELECT CASE WHEN i % 50 = 0 THEN least($2, gen_random_uuid()::text) ELSE gen_random_uuid()::text END AS a) x,
              LATERAL (SELECT CASE WHEN i % 50 = 0 THEN greatest($2, gen_random_uuid()::text) ELSE gen_random_uuid()::text END AS b) y`,
      [ROWS, company],
    );
    for (const t of ['touch_list', 'opportunity_list', 'tender_list', 'offer_list', 'summaries_g1']) await db.query(`VACUUM (ANALYZE) ledger.${t}`);
    const relationships = new RelationshipQueries(db, { schema: 'ledger' } as PostgresEventStore);
    const offers = new offerList.OfferListProjection(db, { schema: 'ledger' } as PostgresEventStore, {} as KnownCompanies);
    console.log(`filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const seller = '00000000-0000-0000-0000-000000000007';
    const [{ account_id: account }] = await db.query(`SELECT account_id FROM ledger.opportunity_list WHERE seller_id = $1 LIMIT 1`, [seller]);
    const cases: [string, string, unknown[], boolean][] = [
      [
        `pipeline: a seller's touches (${ROWS / 1000} of them)`,
        `SELECT account_id, channel, at, campaign_id FROM ledger.touch_list WHERE seller_id = $1`,
        [seller],
        false,
      ],
      [
        'ProspectRegistered: its opportunities',
        `UPDATE ledger.opportunity_list SET buyer_id = $2 WHERE account_id = $1 AND buyer_id IS NULL`,
        [account, randomUUID()],
        true,
      ],
      [
        'GET /tenders/notices?limit=50',
        `SELECT tender_id, buyer_id, title, status, public_procurement, currency, submission_deadline, item_ids, opened_position, opened_at
           FROM ledger.tender_list WHERE procedure = 'open' AND status = 'open' AND submission_deadline > $1 ORDER BY opened_position DESC LIMIT $2`,
        [new Date().toISOString(), 51],
        false,
      ],
    ];
    const calls: [string, () => Promise<unknown>][] = cases.map(([label, text, values, rollBack]) => {
      const name = `bench_${randomUUID().slice(0, 8)}`;
      return [
        label,
        async () => {
          if (rollBack) await client.query('BEGIN');
          await client.query({ name, text, values });
          if (rollBack) await client.query('ROLLBACK');
        },
      ];
    });
    calls.push([
      `GET /offers?limit=50 (${(2 * ROWS) / 50} offers of the company)`,
      async () => {
        const page = await offers.page(company, { limit: 50 } as Parameters<typeof offers.page>[1]);
        if (page.items.length !== 50) throw new Error(`a page of ${page.items.length} offers`);
      },
    ]);
    calls.push([
      `GET /relationships/counterparties?limit=50 (${ROWS / 50} of them)`,
      async () => {
        const page = await relationships.counterparties(company, { sort: 'lastActivity', limit: 50 } as Parameters<typeof relationships.counterparties>[1]);
        if (page.rows.length !== 50) throw new Error(`a page of ${page.rows.length} counterparties`);
      },
    ]);
    for (const [label, call] of calls) console.log(`  ${label.padEnd(60)} ${(await timeCalls(call, { seconds: SECONDS, runs: RUNS })).line}`);
  } finally {
    await client.end();
    await db.destroy();
    await dropDatabase(DATABASE);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
