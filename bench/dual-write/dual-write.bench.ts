/**
 * The ledger's command path beside the dual write most NestJS services use (prints figures; not
 * a test). Both take the same POST /offers with the same bearer token on this machine, and both
 * end with a message on Kafka:
 * - ours: the offers app (event store append; the outbox relay publishes OfferDrafted);
 * - the peer (`bench/dual-write/peer.ts`): a TypeORM entity saved, then a kafkajs send.
 *
 * 1. Latency and CPU: open-loop RATE commands a second for SECONDS, RUNS times, ours and the
 *    peer in turn (the order alternating by run); latency from sending the request to the message
 *    read back from Kafka; CPU per command over the app, PostgreSQL, Kafka and this process
 *    (the other side, idle meanwhile, costs PostgreSQL and Kafka a little in each window).
 * 2. Killed mid-way: KILL_RATE commands a second for KILL_SECONDS while the app is killed with
 *    -9 every KILL_EVERY seconds and started again; the client retries each command (same
 *    Idempotency-Key) until it is answered. Then: offers stored against messages on the topic.
 *
 *   npm run bench:dual-write      (RATE=200 SECONDS=20 RUNS=3 KILL_RATE=200 KILL_SECONDS=60 KILL_EVERY=3)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { applyLedgerAccess, createKafka } from '@dealledger/messaging';
import { tokenFor } from '@dealledger/testing';
import { buildApps, Cluster, freePorts } from '../../test/e2e/cluster';
import { cpuSnapshot, cpuUsed, med, pct, post, sleep } from '../measure';

const RATE = Number(process.env.RATE ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 20);
const RUNS = Number(process.env.RUNS ?? 3);
const WARMUP = Number(process.env.WARMUP ?? 10);
const KILL_RATE = Number(process.env.KILL_RATE ?? 200);
const KILL_SECONDS = Number(process.env.KILL_SECONDS ?? 60);
const KILL_EVERY = Number(process.env.KILL_EVERY ?? 3);
const root = join(__dirname, '..', '..');

/** One side of the comparison: where it takes commands, its process, and how to kill and restart it. */
interface Side {
  name: 'ours' | 'peer';
  url: () => string;
  pid: () => number | undefined;
  kill: () => Promise<void>;
  start: () => Promise<void>;
}

async function main() {
  buildApps();
  const prefix = `bench${Date.now().toString(36)}`;
  const kafka = createKafka(`bench-${prefix}`);
  await applyLedgerAccess(kafka, prefix);
  const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await db.initialize();

  // Ours: the offers app alone (its relay publishes to <prefix>.offers.events).
  const cluster = new Cluster(prefix);
  await cluster.startAll(['offers']);
  const ourTopic = `${prefix}.offers.events`;

  // The peer: its table and topic, made here as a migration and the platform would.
  const peerSchema = `${prefix}_peer`;
  const peerTopic = `${prefix}.peer.offers`;
  await db.query(`CREATE SCHEMA "${peerSchema}"`);
  await db.query(
    `CREATE TABLE "${peerSchema}".offers (id uuid PRIMARY KEY, request_key text NOT NULL UNIQUE, supplier_id uuid NOT NULL, buyer_id uuid NOT NULL,
       items jsonb NOT NULL, valid_until timestamptz NOT NULL, payment_terms text NOT NULL, delivery_terms text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: peerTopic, numPartitions: Number(process.env.KAFKA_PARTITIONS ?? 3) }], waitForLeaders: true });
  await admin.disconnect();
  let peerPort = (await freePorts(1))[0];
  let peerProcess: ChildProcess | null = null;
  const startPeer = async () => {
    // Node itself, not through scripts/run-ts.js: the pid measured and killed must be the peer's.
    const child = spawn(
      process.execPath,
      ['-r', 'reflect-metadata', '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, 'peer.ts')],
      {
        cwd: root,
        env: { ...process.env, PEER_PORT: String(peerPort), PEER_SCHEMA: peerSchema, PEER_TOPIC: peerTopic },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // A stream per process: the first one killed must not end the log for the next.
    const log = createWriteStream(join(cluster.logDir, 'peer.log'), { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    peerProcess = child;
    for (const deadline = Date.now() + 60000; ;) {
      if (child.exitCode !== null) throw new Error(`the peer exited; see ${cluster.logDir}/peer.log`);
      // The peer itself must answer: anything else on the port would fool a bare status check.
      const up = await fetch(`http://127.0.0.1:${peerPort}/health`).then(
        async (r) => r.ok && ((await r.json()) as { context?: string }).context === 'peer',
        () => false,
      );
      if (up) return;
      if (Date.now() > deadline) throw new Error('the peer did not start');
      await sleep(100);
    }
  };
  await startPeer();

  const sides: Side[] = [
    {
      name: 'ours',
      url: () => cluster.url('offers'),
      pid: () => cluster.pid('offers'),
      kill: () => cluster.kill9('offers'),
      start: () => cluster.start('offers'),
    },
    {
      name: 'peer',
      url: () => `http://127.0.0.1:${peerPort}`,
      pid: () => peerProcess?.pid,
      kill: async () => {
        const child = peerProcess!;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      },
      start: async () => {
        try {
          await startPeer();
        } catch {
          peerPort = (await freePorts(1))[0];
          await startPeer();
        }
      },
    },
  ];

  // Every message on both topics, read back as it arrives: offer id -> arrival times.
  const arrivals = new Map<string, number[]>();
  const consumer = kafka.consumer({ groupId: `${prefix}.bench`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [ourTopic, peerTopic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = Date.now();
      const value = JSON.parse(message.value!.toString('utf8')) as { type: string; data: { offerId?: string } };
      if (value.type !== 'OfferDrafted' || !value.data.offerId) return;
      const seen = arrivals.get(value.data.offerId) ?? [];
      seen.push(at);
      arrivals.set(value.data.offerId, seen);
    },
  });

  const supplier = randomUUID();
  const token = tokenFor({ companyId: supplier, personId: randomUUID(), roles: ['executive'] });
  const body = (buyerId: string) =>
    JSON.stringify({
      buyerId,
      items: [{ sku: 'TYRE', kind: 'component', description: 'Tyre', unit: 'piece', currency: 'EUR', tiers: [{ minQuantity: '100', unitPrice: '52.00' }] }],
      validUntil: new Date(Date.now() + 30 * 86400000).toISOString(),
      paymentTerms: '60 days net',
      deliveryTerms: 'DAP',
    });
  const seenAll = async (ids: string[], ms = 60000) => {
    for (const deadline = Date.now() + ms; Date.now() < deadline && ids.some((id) => !arrivals.has(id));) await sleep(100);
  };

  /** Open loop: `rate` a second for `seconds`; latency to the message read back; CPU per command. */
  const measure = async (side: Side, rate: number, seconds: number) => {
    const sent = new Map<string, number>();
    let failed = 0;
    const inflight: Promise<void>[] = [];
    const pids = { [side.name]: side.pid() };
    const before = cpuSnapshot(pids);
    const started = Date.now();
    const payload = body(randomUUID());
    for (let i = 0; i < rate * seconds; i++) {
      const wait = started + (i * 1000) / rate - Date.now();
      if (wait > 0) await sleep(wait);
      const t0 = Date.now();
      inflight.push(
        post(`${side.url()}/offers`, token, payload).then(
          ({ status, json }) => (status === 201 && json.offerId ? void sent.set(json.offerId, t0) : void failed++),
          () => void failed++,
        ),
      );
    }
    await Promise.all(inflight);
    await seenAll([...sent.keys()]);
    const used = cpuUsed(before, cpuSnapshot(pids));
    const cpu = used.reduce((s, [, ms]) => s + ms, 0) / sent.size;
    const latencies = [...sent].filter(([id]) => arrivals.has(id)).map(([id, t0]) => arrivals.get(id)![0] - t0);
    latencies.sort((a, b) => a - b);
    return {
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      cpu,
      shares: used.map(([part, ms]) => `${part} ${(ms / sent.size).toFixed(2)}`).join(', '),
      accepted: sent.size,
      failed,
      missing: sent.size - latencies.length,
    };
  };

  console.log(`POST /offers -> message on Kafka, ours against the dual write; ${RATE}/s for ${SECONDS} s, ${RUNS} runs; node ${process.version}`);
  if (WARMUP > 0) for (const side of sides) await measure(side, Math.min(RATE, 100), WARMUP);
  const figures: Record<Side['name'], { p50: number; p99: number; cpu: number }[]> = { ours: [], peer: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      const f = await measure(side, RATE, SECONDS);
      figures[side.name].push(f);
      console.log(
        `  run ${r + 1} ${side.name.padEnd(4)}: ${f.accepted} accepted, ${f.failed} failed, ${f.missing} not on Kafka; p50 ${f.p50} ms, p99 ${f.p99} ms; CPU per command ${f.cpu.toFixed(2)} ms (${f.shares})`,
      );
    }
  }
  const m = (side: Side['name'], k: 'p50' | 'p99' | 'cpu') => med(figures[side].map((f) => f[k]));
  for (const side of sides)
    console.log(
      `median ${side.name.padEnd(4)}: p50 ${m(side.name, 'p50')} ms, p99 ${m(side.name, 'p99')} ms, CPU per command ${m(side.name, 'cpu').toFixed(2)} ms`,
    );
  const ratio = (k: 'p50' | 'p99' | 'cpu') => (m('ours', k) / m('peer', k)).toFixed(2);
  console.log(`ours / peer: p50 ${ratio('p50')}×, p99 ${ratio('p99')}×, CPU per command ${ratio('cpu')}×`);

  /** Killed mid-way: every command retried until answered; then what was stored against what was sent. */
  const underKills = async (side: Side) => {
    const buyer = randomUUID();
    const payload = body(buyer);
    const answered = new Map<string, string>(); // Idempotency-Key -> offerId
    let retries = 0;
    let kills = 0;
    let loading = true;
    const killer = (async () => {
      while (loading) {
        await sleep(KILL_EVERY * 1000);
        if (!loading) break;
        await side.kill();
        kills++;
        await side.start();
      }
    })();
    const send = async (key: string) => {
      for (;;) {
        const answer = await post(`${side.url()}/offers`, token, payload, { 'idempotency-key': key }).catch(() => null);
        if (answer?.status === 201 && answer.json.offerId) return void answered.set(key, answer.json.offerId);
        retries++;
        await sleep(200);
      }
    };
    const inflight: Promise<void>[] = [];
    const started = Date.now();
    for (let i = 0; i < KILL_RATE * KILL_SECONDS; i++) {
      const wait = started + (i * 1000) / KILL_RATE - Date.now();
      if (wait > 0) await sleep(wait);
      inflight.push(send(`${buyer}:${i}`));
    }
    loading = false;
    await killer;
    await Promise.all(inflight);
    const stored: string[] =
      side.name === 'ours'
        ? (
            await db.query(`SELECT data->>'offerId' AS id FROM "${cluster.schemaOf('offers')}".events WHERE type = 'OfferDrafted' AND data->>'buyerId' = $1`, [
              buyer,
            ])
          ).map((r: { id: string }) => r.id)
        : (await db.query(`SELECT id::text AS id FROM "${peerSchema}".offers WHERE buyer_id = $1`, [buyer])).map((r: { id: string }) => r.id);
    // Whatever is still to come has 30 s to arrive.
    await seenAll(stored, 30000);
    const lost = stored.filter((id) => !arrivals.has(id)).length;
    const redelivered = stored.filter((id) => (arrivals.get(id)?.length ?? 0) > 1).length;
    const doubled = stored.length - new Set(answered.values()).size;
    console.log(
      `  ${side.name.padEnd(4)}: ${answered.size} commands answered (${retries} retries) over ${kills} kills; ${stored.length} offers stored; ` +
        `${lost} stored and never sent (${((100 * lost) / stored.length).toFixed(2)} %); ${redelivered} sent more than once; ${doubled} stored beyond one per command`,
    );
  };
  console.log(
    `killed with -9 every ${KILL_EVERY} s under ${KILL_RATE} commands/s for ${KILL_SECONDS} s, each command retried with its Idempotency-Key until answered:`,
  );
  for (const side of sides) await underKills(side);

  await consumer.disconnect();
  await sides[1].kill().catch(() => undefined);
  await cluster.stopAll();
  await db.query(`DROP SCHEMA IF EXISTS "${cluster.schemaOf('offers')}" CASCADE`);
  await db.query(`DROP SCHEMA IF EXISTS "${peerSchema}" CASCADE`);
  await db.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
