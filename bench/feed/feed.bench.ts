/**
 * Feed and webhook benchmark (prints figures; not a test): how soon an event a company is a
 * party to reaches its feed (a long poll waiting on it) and its webhook endpoint, and how many
 * deliveries an endpoint gets a second, with the relationships app in its own process on the
 * real Kafka and PostgreSQL.
 *
 * A producer sends RATE deals a second (the tests' sample history: offer, contract, call-off,
 * ticket, tender, resale; 17 events, 15 of them the buyer's) between one supplier and one buyer
 * for SECONDS seconds, straight to the topics (what the contexts' relays would publish). One
 * reader follows the buyer's feed with `GET /feed?wait=25` from the start; one webhook endpoint
 * of the buyer's, on a receiver in this process that answers 204, gets every entry. Per event:
 * sent -> in the feed (the answer to the long poll), sent -> delivered to the receiver. p50 and
 * p99 over the events of a run, RUNS runs, medians reported; then the backlog: an endpoint
 * registered from the start of the feed, how many deliveries a second it drains.
 *
 *   npm run bench:feed                           (RATE=5 SECONDS=20 RUNS=3)
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '@dealledger/events';
import { applyLedgerAccess, connectProducer, createKafka } from '@dealledger/messaging';
import { sampleHistory, sendToTopics, tokenFor } from '@dealledger/testing';
import { buildApps, Cluster } from '../../test/e2e/cluster';

const RATE = Number(process.env.RATE ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 20);
const RUNS = Number(process.env.RUNS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function json(url: string, token: string, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body as any;
}

interface RunFigures {
  events: number;
  feedP50: number;
  feedP99: number;
  hookP50: number;
  hookP99: number;
  drainPerSecond: number;
}

async function run(db: DataSource): Promise<RunFigures> {
  const prefix = `bfeed${randomUUID().slice(0, 8)}`;
  const received = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const { event } = JSON.parse(Buffer.concat(chunks).toString());
      if (!received.has(event.id)) received.set(event.id, performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const cluster = new Cluster(prefix, { WEBHOOK_ALLOWED_URLS: 'http://127.0.0.1:*', WEBHOOK_POLL_MS: '50', LOG_LEVEL: 'warn' });
  await applyLedgerAccess(createKafka('bench-feed-access'), prefix);
  await cluster.startAll(['relationships']);
  const producer = await connectProducer(createKafka('bench-feed'));
  try {
    const base = cluster.url('relationships');
    // Measured from a consumer that has joined its group, not from the app's start.
    for (let ready = false; !ready; await sleep(200)) ready = (await fetch(`${base}/health/ready`)).ok;
    const [supplier, buyer] = [randomUUID(), randomUUID()];
    const token = tokenFor({ companyId: buyer, personId: null, roles: [] });
    await json(`${base}/webhooks`, token, { method: 'POST', body: JSON.stringify({ url: hookUrl, after: '0' }) });

    // The reader: long polls from the start, noting when each event arrives.
    const seen = new Map<string, number>();
    let reading = true;
    const reader = (async () => {
      let cursor = '0';
      while (reading) {
        const page = await json(`${base}/feed?after=${cursor}&limit=1000&wait=2`, token);
        const at = performance.now();
        for (const e of page.entries) if (!seen.has(e.event.id)) seen.set(e.event.id, at);
        cursor = page.next;
      }
    })();

    const sent = new Map<string, number>();
    const send = async (events: EventEnvelope[]) => {
      const at = performance.now();
      await sendToTopics(producer, prefix, events);
      for (const e of events) if (e.parties.includes(buyer)) sent.set(e.id, at);
    };
    const started = performance.now();
    for (let i = 0; i < RATE * SECONDS; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      await send(sampleHistory(supplier, buyer, randomUUID(), new Date(Date.UTC(2026, 0, 1) + i * 60000)));
    }
    const deadline = performance.now() + 120_000;
    while ((seen.size < sent.size || received.size < sent.size) && performance.now() < deadline) await sleep(100);
    reading = false;
    await reader;
    if (seen.size < sent.size || received.size < sent.size) throw new Error(`feed ${seen.size}, webhook ${received.size} of ${sent.size} events`);
    const feed = [...sent].map(([id, at]) => seen.get(id)! - at);
    const hook = [...sent].map(([id, at]) => received.get(id)! - at);

    // Backlog: a second endpoint from the start of the feed.
    const drained = new Set<string>();
    const second = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        drained.add(JSON.parse(Buffer.concat(chunks).toString()).event.id);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => second.listen(0, '127.0.0.1', r));
    const from = performance.now();
    await json(`${base}/webhooks`, token, {
      method: 'POST',
      body: JSON.stringify({ url: `http://127.0.0.1:${(second.address() as AddressInfo).port}/b`, after: '0' }),
    });
    while (drained.size < sent.size && performance.now() < from + 300_000) await sleep(50);
    const drainPerSecond = (drained.size * 1000) / (performance.now() - from);
    second.close();
    return { events: sent.size, feedP50: pct(feed, 50), feedP99: pct(feed, 99), hookP50: pct(hook, 50), hookP99: pct(hook, 99), drainPerSecond };
  } finally {
    await producer.disconnect();
    server.close();
    await cluster.stopAll();
    await cluster.dropSchemas(db, ['relationships']);
  }
}

async function main() {
  buildApps();
  const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await db.initialize();
  const runs: RunFigures[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const r = await run(db);
      runs.push(r);
      console.log(
        `run ${i + 1}: ${r.events} events of the buyer's; sent -> feed p50 ${r.feedP50.toFixed(1)} ms, p99 ${r.feedP99.toFixed(1)} ms; ` +
          `sent -> webhook p50 ${r.hookP50.toFixed(1)} ms, p99 ${r.hookP99.toFixed(1)} ms; backlog drained at ${r.drainPerSecond.toFixed(0)} deliveries/s`,
      );
    }
  } finally {
    await db.destroy();
  }
  const m = (k: keyof RunFigures) => med(runs.map((r) => r[k]));
  console.log(
    `\nmedians of ${RUNS} runs at ${RATE} deals/s (${RATE * 15} buyer events/s): sent -> feed p50 ${m('feedP50').toFixed(1)} ms, p99 ${m('feedP99').toFixed(1)} ms; ` +
      `sent -> webhook p50 ${m('hookP50').toFixed(1)} ms, p99 ${m('hookP99').toFixed(1)} ms; one endpoint drains a backlog at ${m('drainPerSecond').toFixed(0)} deliveries/s`,
  );
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
