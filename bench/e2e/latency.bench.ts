/**
 * End-to-end latency benchmark (prints figures; not a test): HTTP command -> event in the
 * offers store -> outbox relay -> Kafka -> relationships projection visible. Every app runs as
 * its own process (as `npm start` runs them). Commands are sent open-loop at fixed rates; each
 * command is a new offer (POST /offers), and its latency is the time from sending the request to
 * the moment its OfferDrafted row was committed in the relationships read table.
 * Also prints each app's resident memory idle and under the highest load.
 *
 *   npm run bench:e2e                      (RATES=50,200,500 SECONDS=20 by default)
 *   RATES= WARMUP=0 DRAFTING=100 npm run bench:e2e      (only the drafting path)
 *   RATES= MIXED=50,200 RUNS=3 npm run bench:e2e   (whole deals instead: bench/e2e/mixed.ts)
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { DataSource } from 'typeorm';
import { applyLedgerAccess, createKafka } from '@dealledger/messaging';
import { tokenFor } from '@dealledger/testing';
import { APPS, buildApps, Cluster } from '../../test/e2e/cluster';
import { cpuSnapshot, cpuUsed, med, pct, post, rssMb, sleep } from '../measure';
import { mixedWorkload } from './mixed';

const RATES = (process.env.RATES ?? '50,200,500').split(',').filter(Boolean).map(Number);
/**
 * DRAFTING=100: also that many offers accepted one after another (DRAFTING_RATE a second), each
 * timed from the acceptance request to the contract drafted from it (by the contracts app, over
 * Kafka) being visible in relationships: the path of a deal through two relays and two consumers.
 */
const DRAFTING = Number(process.env.DRAFTING ?? 0);
const DRAFTING_RATE = Number(process.env.DRAFTING_RATE ?? 5);
/** MIXED=50,200: also whole deals at those many commands a second (bench/e2e/mixed.ts), RUNS times each. */
const MIXED = (process.env.MIXED ?? '').split(',').filter(Boolean).map(Number);
const SECONDS = Number(process.env.SECONDS ?? 20);
/** Seconds of load at the lowest rate before measuring, so every process has compiled its hot paths. */
const WARMUP = Number(process.env.WARMUP ?? 20);
const RUNS = Number(process.env.RUNS ?? 1);
/** Seconds with no load at all, first, to measure what the idle ledger costs. */
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 10);
/**
 * LONG_TX_MS=2000: meanwhile, one transaction after another that holds a transaction id for that
 * long without touching any event store (as a report, a migration or a bulk load elsewhere in the
 * same database would): shows whether publishing waits for transactions that are not its own.
 */
const LONG_TX_MS = Number(process.env.LONG_TX_MS ?? 0);
async function main() {
  buildApps();
  const prefix = `bench${Date.now().toString(36)}`;
  // The apps sign in as themselves (unless KAFKA_USERNAME says otherwise): their topics and grants under this prefix.
  await applyLedgerAccess(createKafka(`bench-access-${prefix}`), prefix);
  const cluster = new Cluster(prefix);
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
  {
    // What the ledger costs doing nothing: relays, projectors and consumers polling, timers.
    const before = cpuSnapshot(pids);
    const from = Date.now();
    await sleep(IDLE_SECONDS * 1000);
    const used = cpuUsed(before, cpuSnapshot(pids)).filter(([part]) => part !== 'load generator');
    const seconds = (Date.now() - from) / 1000;
    const cores = used.reduce((n, [, ms]) => n + ms, 0) / 1000 / seconds;
    console.log(
      `idle for ${seconds.toFixed(0)} s: ${cores.toFixed(2)} cores busy (${used
        .filter(([, ms]) => ms > 0)
        .map(([part, ms]) => `${part} ${(ms / 1000 / seconds).toFixed(3)}`)
        .join(', ')})`,
    );
  }
  const loaded: Record<string, number> = {};

  console.log(`end-to-end latency: HTTP POST /offers -> offers store -> relay -> Kafka -> relationships row; ${SECONDS}s per rate, node ${process.version}`);
  const table = `"${cluster.schemaOf('relationships')}".timeline_g1`;
  /** Sends `rate` commands a second for `seconds`, open loop; waits until the read side shows them all. */
  const run = async (rate: number, seconds: number) => {
    const sent = new Map<string, number>(); // offerId -> send time (ms since epoch)
    const httpMs: number[] = [];
    let failures = 0;
    const reasons = new Set<string>();
    const inflight: Promise<void>[] = [];
    const cpuBefore = cpuSnapshot(pids);
    const started = Date.now();
    for (let i = 0; i < rate * seconds; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const t0 = Date.now();
      inflight.push(
        post(`${offers}/offers`, token, body)
          .then(({ status, json }) => {
            if (status >= 300 || !json.offerId) throw new Error(String(status));
            sent.set(json.offerId, t0);
            httpMs.push(Date.now() - t0);
          })
          .catch((err: Error) => {
            failures++;
            reasons.add(err.message);
          }),
      );
    }
    await Promise.all(inflight);
    const offeredSeconds = (Date.now() - started) / 1000;
    // Wait for the read side to show every offer (or give up after 60 s).
    const deadline = Date.now() + 60000;
    let rows: { id: string; at: Date; recorded: string }[] = [];
    while (Date.now() < deadline) {
      rows = await db.query(
        `SELECT data->>'offerId' AS id, projected_at AS at, recorded_at AS recorded FROM ${table} WHERE type = 'OfferDrafted' AND data->>'offerId' = ANY($1)`,
        [[...sent.keys()]],
      );
      if (rows.length >= sent.size) break;
      await sleep(500);
    }
    // CPU per accepted command over the whole window (sending, then until every one was visible).
    const cpuAfter = cpuSnapshot(pids);
    const windowMs = Date.now() - started;
    const used = cpuUsed(cpuBefore, cpuAfter);
    const totalMs = used.reduce((s, [, ms]) => s + ms, 0);
    const cpuPerCommand = sent.size ? totalMs / sent.size : NaN;
    const shares = used
      .filter(([, ms]) => ms > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([part, ms]) => `${part} ${(ms / sent.size).toFixed(2)}`)
      .join(', ');
    if (reasons.size) console.log(`  failures: ${[...reasons].join('; ')}`);
    if (rows.length < sent.size) await explainMissing([...sent.keys()].filter((id) => !rows.some((r) => r.id === id)));
    console.log(
      `  CPU per command ${cpuPerCommand.toFixed(2)} ms over every process (${shares}); machine ${((100 * totalMs) / (windowMs * cpus().length)).toFixed(0)} % busy over ${(windowMs / 1000).toFixed(1)} s`,
    );
    return { sent, httpMs, failures, offeredSeconds, rows, cpuPerCommand };
  };

  /** Where each accepted command that never became visible stopped: store, relay, consumer. */
  const explainMissing = async (ids: string[]) => {
    const offersStore = `"${cluster.schemaOf('offers')}"`;
    const inbox = `"${cluster.schemaOf('relationships')}".inbox`;
    const relay = (await db.query(`SELECT name, transaction_id::text AS xid, position FROM ${offersStore}.outbox_checkpoints`)) as unknown[];
    console.log(`  NOT VISIBLE: ${ids.length}; offers relay checkpoints: ${JSON.stringify(relay)}`);
    for (const id of ids.slice(0, 10)) {
      const stored = await db.query(
        `SELECT event_id, position, transaction_id::text AS xid, recorded_at FROM ${offersStore}.events WHERE type = 'OfferDrafted' AND data->>'offerId' = $1`,
        [id],
      );
      const handled = stored.length ? await db.query(`SELECT consumer, outcome FROM ${inbox} WHERE event_id = $1`, [stored[0].event_id]) : [];
      console.log(`  ${id}: in the offers store ${JSON.stringify(stored)}; relationships inbox ${JSON.stringify(handled)}`);
    }
  };

  /** Accepted offer -> OfferAccepted on Kafka -> contracts drafts -> ContractDrafted on Kafka -> relationships row. */
  async function drafting() {
    const buyerToken = tokenFor({ companyId: buyer, personId: randomUUID(), roles: ['procurement'] });
    const ids: string[] = [];
    for (let i = 0; i < DRAFTING; i++) {
      const { json } = await post(`${offers}/offers`, token, body);
      await post(`${offers}/offers/${json.offerId}/submit`, token, '{}');
      ids.push(json.offerId!);
    }
    const accepted = new Map<string, number>();
    const started = Date.now();
    const accept = JSON.stringify({ revision: 0, quantities: [{ sku: 'TYRE', quantity: 100 }] });
    const inflight: Promise<void>[] = [];
    for (const [i, id] of ids.entries()) {
      const wait = started + (i * 1000) / DRAFTING_RATE - Date.now();
      if (wait > 0) await sleep(wait);
      const t0 = Date.now();
      inflight.push(
        post(`${offers}/offers/${id}/accept`, buyerToken, accept).then(({ status }) => {
          if (status < 300) accepted.set(id, t0);
        }),
      );
    }
    await Promise.all(inflight);
    const deadline = Date.now() + 60000;
    let rows: { id: string; at: Date; recorded: string }[] = [];
    while (Date.now() < deadline) {
      rows = await db.query(
        `SELECT data->'origin'->>'id' AS id, projected_at AS at, recorded_at AS recorded FROM ${table} WHERE type = 'ContractDrafted' AND data->'origin'->>'id' = ANY($1)`,
        [[...accepted.keys()]],
      );
      if (rows.length >= accepted.size) break;
      await sleep(200);
    }
    const contracts = `"${cluster.schemaOf('contracts')}".events`;
    const drafted = new Map<string, number>(
      (
        await db.query(
          `SELECT data->'origin'->>'id' AS id, recorded_at AS at FROM ${contracts} WHERE type = 'ContractDrafted' AND data->'origin'->>'id' = ANY($1)`,
          [[...accepted.keys()]],
        )
      ).map((r: { id: string; at: Date }) => [r.id, new Date(r.at).getTime()]),
    );
    const visible = rows.map((r) => new Date(r.at).getTime() - accepted.get(r.id)!).sort((a, b) => a - b);
    const draftedMs = [...drafted].map(([id, at]) => at - accepted.get(id)!).sort((a, b) => a - b);
    const published = rows.map((r) => new Date(r.at).getTime() - drafted.get(r.id)!).sort((a, b) => a - b);
    console.log(
      `drafting: ${accepted.size} offers accepted at ${DRAFTING_RATE}/s; accept -> contract visible in relationships p50 ${pct(visible, 50)} ms, p95 ${pct(visible, 95)} ms, p99 ${pct(visible, 99)} ms ` +
        `(accept -> drafted in the contracts store p50 ${pct(draftedMs, 50)} ms, p99 ${pct(draftedMs, 99)} ms; drafted -> visible p50 ${pct(published, 50)} ms, p99 ${pct(published, 99)} ms); visible ${rows.length}/${accepted.size}`,
    );
  }

  let longTx: Promise<void> | null = null;
  let measuring = true;
  if (LONG_TX_MS > 0) {
    await db.query(`CREATE TABLE IF NOT EXISTS public.bench_bystander (n integer)`);
    const runner = db.createQueryRunner();
    longTx = (async () => {
      while (measuring) {
        await runner.startTransaction();
        await runner.query(`INSERT INTO public.bench_bystander VALUES (1)`);
        await runner.query(`SELECT pg_sleep($1)`, [LONG_TX_MS / 1000]);
        await runner.rollbackTransaction();
      }
      await runner.release();
    })();
    console.log(`meanwhile: a transaction holding a transaction id for ${LONG_TX_MS} ms, one after another`);
  }

  if (WARMUP > 0 && RATES.length > 0) {
    const warm = await run(Math.min(...RATES), WARMUP);
    console.log(`warm-up: ${warm.sent.size} commands at ${Math.min(...RATES)}/s over ${WARMUP} s (not measured)`);
  }
  for (const rate of RATES) {
    const figures: Record<'p50' | 'p95' | 'p99' | 'http99' | 'growth' | 'cpu', number>[] = [];
    for (let r = 0; r < RUNS; r++) {
      const { sent, httpMs, failures, offeredSeconds, rows, cpuPerCommand } = await run(rate, SECONDS);
      if (rate === Math.max(...RATES)) for (const a of APPS) loaded[a] = rssMb(pids[a]!);
      const latencies = rows.map((r) => new Date(r.at).getTime() - sent.get(r.id)!).sort((a, b) => a - b);
      // The part after the command's transaction committed in the offers store: relay, Kafka, consumer.
      const afterCommit = rows.map((r) => new Date(r.at).getTime() - new Date(r.recorded).getTime()).sort((a, b) => a - b);
      httpMs.sort((a, b) => a - b);
      // Lag growth: the median of the last quarter of commands against the first quarter's.
      const bySend = rows.map((r) => ({ t: sent.get(r.id)!, l: new Date(r.at).getTime() - sent.get(r.id)! })).sort((a, b) => a.t - b.t);
      const q = Math.max(1, Math.floor(bySend.length / 4));
      const growth = med(bySend.slice(-q).map((x) => x.l)) - med(bySend.slice(0, q).map((x) => x.l));
      console.log(
        `${String(rate).padStart(4)} cmd/s offered (${(sent.size / offeredSeconds).toFixed(0)} accepted/s, ${failures} failed): ` +
          `end-to-end p50 ${pct(latencies, 50)} ms, p95 ${pct(latencies, 95)} ms, p99 ${pct(latencies, 99)} ms; HTTP p50 ${pct(httpMs, 50)} ms, p99 ${pct(httpMs, 99)} ms; ` +
          `store commit -> visible p50 ${pct(afterCommit, 50)} ms, p99 ${pct(afterCommit, 99)} ms; visible ${rows.length}/${sent.size}; lag growth ${growth} ms`,
      );
      figures.push({ p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99), http99: pct(httpMs, 99), growth, cpu: cpuPerCommand });
    }
    if (RUNS > 1) {
      const m = (k: keyof (typeof figures)[number]) => med(figures.map((f) => f[k]));
      console.log(
        `${String(rate).padStart(4)} cmd/s median of ${RUNS} runs: end-to-end p50 ${m('p50')} ms, p95 ${m('p95')} ms, p99 ${m('p99')} ms; HTTP p99 ${m('http99')} ms; lag growth ${m('growth')} ms; CPU per command ${m('cpu').toFixed(2)} ms`,
      );
    }
  }
  if (DRAFTING > 0) await drafting();
  for (const rate of MIXED) {
    console.log(
      `mixed workload: whole deals (offer, counter, revision, acceptance, contract drafted, three signatures, call-off, ticket) at ${rate} commands/s for ${SECONDS} s`,
    );
    const urls = { offers, contracts: cluster.url('contracts'), serviceDesk: cluster.url('service-desk') };
    const mixed: { p50: number; p99: number; cpu: number }[] = [];
    for (let r = 0; r < RUNS; r++) {
      const before = cpuSnapshot(pids);
      const from = Date.now();
      const f = await mixedWorkload(urls, db, table, rate, SECONDS);
      const used = cpuUsed(before, cpuSnapshot(pids));
      const total = used.reduce((n, [, ms]) => n + ms, 0);
      console.log(
        `    CPU per command ${(total / f.commands).toFixed(2)} ms (${used
          .filter(([, ms]) => ms > 0)
          .map(([part, ms]) => `${part} ${(ms / f.commands).toFixed(2)}`)
          .join(', ')}); machine ${((100 * total) / ((Date.now() - from) * cpus().length)).toFixed(0)} % busy`,
      );
      mixed.push({ ...f, cpu: total / f.commands });
    }
    if (RUNS > 1)
      console.log(
        `mixed at ${rate}/s, median of ${RUNS} runs: command -> relationships p50 ${med(mixed.map((m) => m.p50))} ms, p99 ${med(mixed.map((m) => m.p99))} ms; CPU per command ${med(mixed.map((m) => m.cpu)).toFixed(2)} ms`,
      );
  }
  measuring = false;
  await longTx;
  if (longTx) await db.query(`DROP TABLE IF EXISTS public.bench_bystander`);
  console.log('resident memory (MB), idle -> under the highest rate:');
  for (const a of APPS) console.log(`  ${a.padEnd(14)} ${idle[a]} -> ${loaded[a] ?? '-'}`);
  await cluster.stopAll();
  for (const a of APPS) await db.query(`DROP SCHEMA IF EXISTS "${cluster.schemaOf(a)}" CASCADE`);
  await db.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
