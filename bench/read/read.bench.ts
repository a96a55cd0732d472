/**
 * Read benchmark (prints figures; not a test): latency of the lists, the inbox and the
 * relationship summary with a large ledger, each app in its own process (as `npm start` runs
 * them).
 *
 * The ledger: EVENTS events (1M by default) of deals among COMPANIES companies (10k): each deal
 * is the sample history of the tests (offer, tender, contract, call-off, ticket, resale; about
 * 17 events) between a supplier, a buyer and an intermediary drawn from the companies (a tenth
 * of the deals, HEAVY, between 50 key-account pairs, as real ledgers concentrate). The
 * relationships read side (timeline, summaries, inbox) is written from these events by its own
 * projection code, straight into its tables (Kafka would only make the fill slower); the offers
 * of every deal are appended to the offers app's event store, and its list is kept by its
 * projector, as in production.
 *
 * Then, per route, READERS readers (200) each ask for a page of 50 again and again (closed loop:
 * the next request when the answer comes) for SECONDS seconds; then the same routes open-loop at
 * RATE requests/s (readers who look once in a while). p50/p99 and throughput per route,
 * RUNS times, medians reported. The summary is also read folded from the pair's events (its
 * as-of path, which is how every summary was answered before it was kept per event): the peer.
 *
 *   npm run bench:read                          (EVENTS=1000000 COMPANIES=10000 READERS=200 SECONDS=15 RATE=200 RUNS=3)
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { DataSource } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { CONTEXTS, EventEnvelope, eventsTopic } from '@dealledger/events';
import { applyLedgerAccess, createKafka } from '@dealledger/messaging';
import { sampleHistory, tokenFor } from '@dealledger/testing';
import { writeEvents } from '../../apps/relationships/src/projection/rows';
import { buildApps, Cluster } from '../../test/e2e/cluster';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const COMPANIES = Number(process.env.COMPANIES ?? 10_000);
const READERS = Number(process.env.READERS ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 15);
const RATE = Number(process.env.RATE ?? 200);
/** The share of deals made between 50 key-account pairs. */
const HEAVY = Number(process.env.HEAVY ?? 0.1);
const RUNS = Number(process.env.RUNS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// node:http with kept-alive connections: the load generator shares the machine with what it measures.
const agent = new Agent({ keepAlive: true, maxSockets: READERS + 16, timeout: 2000 });
function get(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Figures {
  p50: number;
  p99: number;
  perSecond: number;
}

function figures(latencies: number[], seconds: number): Figures {
  const s = [...latencies].sort((a, b) => a - b);
  return { p50: +pct(s, 50).toFixed(1), p99: +pct(s, 99).toFixed(1), perSecond: Math.round(latencies.length / seconds) };
}

/** READERS readers in a closed loop for SECONDS; every answer must be 200. */
async function closedLoop(next: () => { url: string; token: string }): Promise<Figures> {
  const latencies: number[] = [];
  const until = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: READERS }, async () => {
      while (Date.now() < until) {
        const { url, token } = next();
        const t0 = performance.now();
        const status = await get(url, token);
        if (status !== 200) throw new Error(`${url} answered ${status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return figures(latencies, (Date.now() - started) / 1000);
}

/** RATE requests a second, whatever the answers' pace (so slow answers do not slow the load). */
async function openLoop(next: () => { url: string; token: string }): Promise<Figures> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const started = Date.now();
  for (let i = 0; i < RATE * SECONDS; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    const { url, token } = next();
    const t0 = performance.now();
    pending.push(
      get(url, token).then((status) => {
        if (status !== 200) throw new Error(`${url} answered ${status}`);
        latencies.push(performance.now() - t0);
      }),
    );
  }
  await Promise.all(pending);
  return figures(latencies, SECONDS);
}

/** Waits until the relationships consumer group has committed every source topic's end offsets. */
async function relationshipsCaughtUp(prefix: string): Promise<void> {
  const admin = createKafka('bench-read-lag').admin();
  await admin.connect();
  try {
    const topics = CONTEXTS.filter((c) => c !== 'relationships').map((c) => eventsTopic(c, prefix));
    for (;;) {
      let behind = 0;
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: `${prefix}.relationships`, topics: [topic] });
        for (const e of ends)
          behind += Math.max(0, Number(e.high) - Math.max(0, Number(committed.partitions.find((p) => p.partition === e.partition)?.offset ?? 0)));
      }
      if (behind === 0) return;
      process.stdout.write(`  relationships consumer ${behind} events behind\n`);
      await sleep(5000);
    }
  } finally {
    await admin.disconnect();
  }
}

async function main() {
  console.log(
    `read benchmark: node ${process.version}, ${EVENTS} events, ${COMPANIES} companies, ${READERS} readers closed-loop and ${RATE}/s open-loop, ${SECONDS} s per route, ${RUNS} runs`,
  );
  buildApps();
  const prefix = `benchread${Date.now().toString(36)}`;
  // Every app signs in to Kafka as itself: its topics and grants for this prefix first.
  await applyLedgerAccess(createKafka('bench-read-access'), prefix);
  const cluster = new Cluster(prefix);
  const apps = ['relationships', 'offers'] as const;
  await cluster.startAll(apps);
  const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', extra: { max: 4 } });
  await db.initialize();
  try {
    const companies = Array.from({ length: COMPANIES }, () => randomUUID());
    const pick = () => companies[Math.floor(Math.random() * companies.length)];
    const pairs: [string, string][] = [];
    const heavy = Array.from({ length: 50 }, (_, i) => [companies[2 * i], companies[2 * i + 1]] as [string, string]);
    const relationships = cluster.schemaOf('relationships');
    const offersStore = new PostgresEventStore(db, cluster.schemaOf('offers'));

    let written = 0;
    let offerEvents = 0;
    const fillStarted = Date.now();
    while (written < EVENTS) {
      const batch: EventEnvelope[] = [];
      while (batch.length < 5000 && written + batch.length < EVENTS) {
        // A tenth of the deals are between a few key accounts: pairs with thousands of events.
        const [supplier, buyer] = Math.random() < HEAVY ? heavy[Math.floor(Math.random() * heavy.length)] : [pick(), pick()];
        const intermediary = pick();
        if (new Set([supplier, buyer, intermediary]).size < 3) continue;
        pairs.push([supplier, buyer]);
        // Registrations once per company would be 10k of the events; the sample repeats them per deal.
        batch.push(...sampleHistory(supplier, buyer, intermediary, new Date(Date.UTC(2025, 0, 1) + Math.floor(Math.random() * 600) * 86400000)));
      }
      const events = batch.slice(0, EVENTS - written);
      await db.transaction(async (tx) => {
        await tx.query('SET LOCAL synchronous_commit = off');
        const gen = (await tx.query(`SELECT generation FROM "${relationships}".generations WHERE status = 'active'`))[0].generation;
        await writeEvents(tx, relationships, gen, events);
      });
      // The offers of each deal go through the offers app's own store and projector.
      const offers = events.filter((e) => e.context === 'offers' && e.type.startsWith('Offer'));
      const streams = new Map<string, EventEnvelope[]>();
      for (const e of offers) streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
      await Promise.all(
        [...streams].map(([streamId, es]) =>
          offersStore.append(
            streamId,
            0,
            es.map((e) => ({
              id: e.id,
              type: e.type,
              schemaVersion: e.schemaVersion,
              data: e.data,
              metadata: { occurredAt: e.occurredAt, parties: e.parties, actor: null, correlationId: e.id },
            })),
          ),
        ),
      );
      offerEvents += offers.length;
      written += events.length;
      if (written % 100_000 < 5000) process.stdout.write(`  filled ${written} events (${offerEvents} in the offers store)\n`);
    }
    console.log(`filled ${written} events in ${((Date.now() - fillStarted) / 1000).toFixed(0)} s; waiting for the offers list to catch up`);
    for (;;) {
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM "${cluster.schemaOf('offers')}".offer_list`);
      if (n >= pairs.length) break;
      await sleep(1000);
    }
    // The offers app's relay publishes what the fill appended, and the relationships app consumes it
    // (changing nothing: the rows are there): measure only once that background work is done.
    await relationshipsCaughtUp(prefix);
    await db.query(`VACUUM ANALYZE "${relationships}".timeline_g1, "${relationships}".summaries_g1, "${cluster.schemaOf('offers')}".offer_list`);
    const [{ rows, summaries }] = await db.query(
      `SELECT (SELECT count(*) FROM "${relationships}".timeline_g1)::int AS rows, (SELECT count(*) FROM "${relationships}".summaries_g1)::int AS summaries`,
    );
    console.log(`read side: ${rows} timeline rows, ${summaries} summary rows, ${pairs.length} deals`);

    const tokens = new Map<string, string>();
    const token = (companyId: string) =>
      tokens.get(companyId) ??
      tokens.set(companyId, tokenFor({ companyId, personId: randomUUID(), roles: ['procurement', 'executive', 'sales'] })).get(companyId)!;
    const rel = cluster.url('relationships');
    const off = cluster.url('offers');
    const routes: Record<string, () => { url: string; token: string }> = {
      'GET /relationships/:a/:b (summary)': () => {
        const [a, b] = pairs[Math.floor(Math.random() * pairs.length)];
        return { url: `${rel}/relationships/${a}/${b}`, token: token(a) };
      },
      // The same summary folded from the pair's events, as every request did before (the as-of path).
      'GET /relationships/:a/:b?asOf= (folded)': () => {
        const [a, b] = pairs[Math.floor(Math.random() * pairs.length)];
        return { url: `${rel}/relationships/${a}/${b}?asOf=2100-01-01T00:00:00Z`, token: token(a) };
      },
      'GET /relationships/counterparties?limit=50': () => {
        const c = pick();
        return { url: `${rel}/relationships/counterparties?limit=50`, token: token(c) };
      },
      'GET /offers?limit=50': () => {
        const c = pick();
        return { url: `${off}/offers?limit=50`, token: token(c) };
      },
      'GET /offers?q=tyre&limit=50': () => {
        const c = pick();
        return { url: `${off}/offers?q=tyre&limit=50`, token: token(c) };
      },
    };
    const inbox = await fetch(`${rel}/inbox?limit=1`, { headers: { authorization: `Bearer ${token(pick())}` } });
    if (inbox.status !== 200) throw new Error(`GET /inbox answered ${inbox.status}`);
    routes['GET /inbox?limit=50'] = () => {
      const c = pick();
      return { url: `${rel}/inbox?limit=50`, token: token(c) };
    };

    // Warm-up: every route's hot paths compiled and caches filled before measuring.
    for (const next of Object.values(routes)) for (let i = 0; i < 500; i++) await get(next().url, next().token);
    const results: Record<string, { closed: Figures[]; open: Figures[] }> = {};
    for (let run = 0; run < RUNS; run++) {
      for (const [name, next] of Object.entries(routes)) {
        const r = (results[name] ??= { closed: [], open: [] });
        r.closed.push(await closedLoop(next));
        r.open.push(await openLoop(next));
        console.log(`  run ${run + 1} ${name}: closed ${JSON.stringify(r.closed.at(-1))} open ${JSON.stringify(r.open.at(-1))}`);
      }
    }
    console.log(`\nmedians of ${RUNS} runs (ms; requests/s):`);
    console.log(`| route | ${READERS} readers closed-loop p50 | p99 | req/s | ${RATE}/s open-loop p50 | p99 |`);
    console.log('|---|---|---|---|---|---|');
    for (const [name, r] of Object.entries(results)) {
      const m = (xs: Figures[], k: keyof Figures) => med(xs.map((x) => x[k]));
      console.log(`| ${name} | ${m(r.closed, 'p50')} | ${m(r.closed, 'p99')} | ${m(r.closed, 'perSecond')} | ${m(r.open, 'p50')} | ${m(r.open, 'p99')} |`);
    }
  } finally {
    await cluster.stopAll();
    await cluster.dropSchemas(db, apps);
    await db.destroy();
    agent.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
