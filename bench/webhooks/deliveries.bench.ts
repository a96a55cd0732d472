/**
 * A webhook endpoint's delivery status as its history grows (prints figures; not a test): what
 * `GET /webhooks/:id` (counts per status, the pending delivery) and a page of its newest
 * deliveries (`GET /webhooks/:id/deliveries`, with and without a status) cost with thousands to
 * millions of deliveries behind them, through the service's own statements.
 *
 *   npm run bench:webhooks        (DELIVERIES=1000,100000,1000000 SECONDS=2 RUNS=3 by default)
 *
 * A fresh database with the webhook tables (every migration of `webhook-rows.ts`); one endpoint
 * is filled up to each size in turn (one delivery in a thousand dead-lettered, the rest
 * delivered, a second apart), beside 20 endpoints of other companies with a thousand each. The
 * fill is one `INSERT … SELECT` per step, so its rate also shows what each delivery row costs to
 * write. Then vacuumed and analysed, and each call timed one after another for SECONDS, RUNS
 * times (20 calls first, unmeasured): p50 and p99 in ms, medians of the runs.
 */
import { randomUUID } from 'node:crypto';
import type { MigrationInterface } from 'typeorm';
import { openDatabase, PostgresEventStore } from '@dealledger/event-store';
import type { Principal } from '@dealledger/auth';
import type { FeedQueries } from '../../apps/relationships/src/feed/feed.queries';
import * as webhookRows from '../../apps/relationships/src/webhooks/webhook-rows';
import { WebhooksService } from '../../apps/relationships/src/webhooks/webhooks.service';
import { dropDatabase, freshDatabase, timeCalls } from '../measure';

const SIZES = (process.env.DELIVERIES ?? '1000,100000,1000000').split(',').filter(Boolean).map(Number);
const SECONDS = Number(process.env.SECONDS ?? 2);
const RUNS = Number(process.env.RUNS ?? 3);
const DATABASE = 'dl_bench_webhooks';

// Whatever this checkout's migrations are, in their order (the bench also runs against earlier code).
const migrations = Object.values(webhookRows)
  .filter((m): m is new () => MigrationInterface => typeof m === 'function')
  .sort((a, b) => Number(/\d+$/.exec(a.name)![0]) - Number(/\d+$/.exec(b.name)![0]));

async function main(): Promise<void> {
  const url = await freshDatabase(DATABASE);
  const db = await openDatabase({ url, schema: 'ledger', migrations, poolSize: 4 });
  const webhooks = new WebhooksService(db, { schema: 'ledger' } as PostgresEventStore, {} as FeedQueries);
  const company = randomUUID();
  const owner: Principal = { companyId: company, personId: randomUUID(), roles: ['procurement'] } as Principal;
  const endpoint = randomUUID();
  const addEndpoint = (id: string, companyId: string) =>
    db.query(
      `INSERT INTO ledger.webhook_endpoints (id, company_id, url, event_types, secret, status, cursor) VALUES ($1, $2, 'http://127.0.0.1:9/h', '{*}', 'whsec_x', 'active', 0)`,
      [id, companyId],
    );
  const fill = (id: string, from: number, to: number) =>
    db.query(
      `INSERT INTO ledger.webhook_deliveries (id, endpoint_id, seq, event_id, event_type, status, attempts, last_attempt_at, last_status, delivered_at, created_at)
       SELECT gen_random_uuid(), $1, i, gen_random_uuid()::text, 'ContractSigned', CASE WHEN i % 1000 = 0 THEN 'dead' ELSE 'delivered' END, 1, now(), 200, now(),
              timestamptz '2026-01-01' + i * interval '1 second'
         FROM generate_series($2::bigint + 1, $3::bigint) i`,
      [id, from, to],
    );
  console.log(`webhook deliveries benchmark: ${SECONDS} s per run, median of ${RUNS} runs, node ${process.version}`);
  try {
    await addEndpoint(endpoint, company);
    for (let i = 0; i < 20; i++) {
      const other = randomUUID();
      await addEndpoint(other, randomUUID());
      await fill(other, 0, 1000);
    }
    let filled = 0;
    for (const size of SIZES) {
      const t0 = performance.now();
      await fill(endpoint, filled, size);
      const fillRate = Math.round((size - filled) / ((performance.now() - t0) / 1000));
      filled = size;
      await db.query(`VACUUM (ANALYZE) ledger.webhook_deliveries`);
      const calls: [string, () => Promise<unknown>][] = [
        ['GET /webhooks/:id', () => webhooks.get(owner, endpoint)],
        ['GET …/deliveries?limit=50', () => webhooks.deliveries(owner, endpoint, { limit: 50 })],
        ['GET …/deliveries?status=delivered&limit=50', () => webhooks.deliveries(owner, endpoint, { status: 'delivered', limit: 50 })],
      ];
      const figures: string[] = [];
      for (const [name, call] of calls) {
        const counts = (await webhooks.get(owner, endpoint)).deliveries;
        if (counts.delivered + counts.dead !== size) throw new Error(`counted ${JSON.stringify(counts)} of ${size} deliveries`);
        figures.push(`  ${name.padEnd(44)} ${(await timeCalls(call, { seconds: SECONDS, runs: RUNS })).line}`);
      }
      console.log(`${String(size).padStart(9)} deliveries (written at ${fillRate}/s):\n${figures.join('\n')}`);
    }
  } finally {
    await db.destroy();
    await dropDatabase(DATABASE);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
