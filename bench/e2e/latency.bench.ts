/**
 * End-to-end latency benchmark (prints figures; not a test): HTTP command -> event in the
 * offers store -> outbox relay -> Kafka -> relationships projection visible. Every app runs as
 * its own process (as `npm start` runs them). Commands are sent open-loop at fixed rates; each
 * command is a new offer (POST /offers), and its latency is the time from sending the request to
 * the moment its OfferDrafted row was committed in the relationships read table.
 * Also prints each app's resident memory idle and under the highest load.
 *
 *   npm run bench:e2e                      (RATES=50,200,500 SECONDS=20 by default)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { tokenFor } from '@dealledger/testing';
import { APPS, buildApps, Cluster } from '../../test/e2e/cluster';

const RATES = (process.env.RATES ?? '50,200,500').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS ?? 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

async function main() {
  buildApps();
  const cluster = new Cluster(`bench${Date.now().toString(36)}`);
  await cluster.startAll();
  const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await db.initialize();
  const supplier = randomUUID();
  const buyer = randomUUID();
  const token = tokenFor({ companyId: supplier, personId: randomUUID(), roles: ['executive'] });
  const offers = cluster.url('offers');
  const body = JSON.stringify({
    buyerId: buyer,
    items: [{ sku: 'TYRE', kind: 'component', description: 'Tyre', unit: 'piece', currency: 'EUR', tiers: [{ minQuantity: 100, unitPrice: '52.00' }] }],
    validUntil: new Date(Date.now() + 30 * 86400000).toISOString(),
    paymentTerms: '60 days net',
    deliveryTerms: 'DAP',
  });
  const pids = Object.fromEntries(APPS.map((a) => [a, cluster.pid(a)]));
  await sleep(3000);
  const idle = Object.fromEntries(APPS.map((a) => [a, rssMb(pids[a]!)]));
  const loaded: Record<string, number> = {};

  console.log(`end-to-end latency: HTTP POST /offers -> offers store -> relay -> Kafka -> relationships row; ${SECONDS}s per rate, node ${process.version}`);
  const table = `"${cluster.schemaOf('relationships')}".timeline_g1`;
  for (const rate of RATES) {
    const sent = new Map<string, number>(); // offerId -> send time (ms since epoch)
    const httpMs: number[] = [];
    let failures = 0;
    const inflight: Promise<void>[] = [];
    const started = Date.now();
    for (let i = 0; i < rate * SECONDS; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const t0 = Date.now();
      inflight.push(
        fetch(`${offers}/offers`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })
          .then(async (res) => {
            const json = (await res.json()) as { offerId?: string };
            if (!res.ok || !json.offerId) throw new Error(String(res.status));
            sent.set(json.offerId, t0);
            httpMs.push(Date.now() - t0);
          })
          .catch(() => void failures++),
      );
    }
    await Promise.all(inflight);
    const offeredSeconds = (Date.now() - started) / 1000;
    // Wait for the read side to show every offer (or give up after 60 s).
    const deadline = Date.now() + 60000;
    let rows: { id: string; at: Date }[] = [];
    while (Date.now() < deadline) {
      rows = await db.query(`SELECT data->>'offerId' AS id, projected_at AS at FROM ${table} WHERE type = 'OfferDrafted' AND data->>'offerId' = ANY($1)`, [[...sent.keys()]]);
      if (rows.length >= sent.size) break;
      await sleep(500);
    }
    if (rate === Math.max(...RATES)) for (const a of APPS) loaded[a] = rssMb(pids[a]!);
    const latencies = rows.map((r) => new Date(r.at).getTime() - sent.get(r.id)!).sort((a, b) => a - b);
    httpMs.sort((a, b) => a - b);
    // Lag growth: the median of the last quarter of commands against the first quarter's.
    const bySend = rows.map((r) => ({ t: sent.get(r.id)!, l: new Date(r.at).getTime() - sent.get(r.id)! })).sort((a, b) => a.t - b.t);
    const q = Math.max(1, Math.floor(bySend.length / 4));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const growth = med(bySend.slice(-q).map((x) => x.l)) - med(bySend.slice(0, q).map((x) => x.l));
    console.log(
      `${String(rate).padStart(4)} cmd/s offered (${(sent.size / offeredSeconds).toFixed(0)} accepted/s, ${failures} failed): ` +
        `end-to-end p50 ${pct(latencies, 50)} ms, p95 ${pct(latencies, 95)} ms, p99 ${pct(latencies, 99)} ms; HTTP p50 ${pct(httpMs, 50)} ms, p99 ${pct(httpMs, 99)} ms; ` +
        `visible ${rows.length}/${sent.size}; lag growth ${growth} ms`,
    );
  }
  console.log('resident memory (MB), idle -> under the highest rate:');
  for (const a of APPS) console.log(`  ${a.padEnd(14)} ${idle[a]} -> ${loaded[a]}`);
  await cluster.stopAll();
  for (const a of APPS) await db.query(`DROP SCHEMA IF EXISTS "${cluster.schemaOf(a)}" CASCADE`);
  await db.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
