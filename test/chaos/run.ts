/**
 * `npm run chaos`: the six apps under a steady mixed load while processes, the broker and the
 * database fail, then a check of the whole ledger (see docs/reliability.md). Prints a table and
 * exits non-zero on any loss, duplicate or failed check.
 *
 *   npm run chaos                                   (300 s at 100 commands/s, a fault every 5 s)
 *   CHAOS_SECONDS=90 CHAOS_RATE=40 npm run chaos    (the short run inside npm test)
 *   npm run chaos:cluster                           (CHAOS_KAFKA=cluster: on three brokers, one killed at a time)
 *
 * CHAOS_FAULT_EVERY (s, default 5): a random app is killed -9 every other time, and the other
 * kinds take turns in between. CHAOS_KEEP=1 keeps the schemas for inspection.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { eventsTopic } from '@dealledger/events';
import { applyLedgerAccess, createKafka } from '@dealledger/messaging';
import { adminKey } from '../../apps/relationships/src/rebuild/admin.http.controller';
import { APPS, AppName, buildApps, freePorts } from '../e2e/cluster';
import { Api } from './api';
import { checkLedger, CONSUMERS } from './check';
import { SupervisedCluster } from './cluster';
import { FAULT_KINDS, FaultKind, Faults, Injected } from './faults';
import { companies, Load, Party } from './load';
import { sleep } from './util';

const { ensureKafka, stopKafka, ensureKafkaCluster, stopKafkaCluster } = require('../../scripts/lib');

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 300);
const RATE = Number(process.env.CHAOS_RATE ?? 100);
const FAULT_EVERY = Number(process.env.CHAOS_FAULT_EVERY ?? 5);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? Math.max(8, RATE));
/** `cluster`: the project's three-broker cluster instead of one broker (deploy/kafka.sh cluster). */
const KAFKA_CLUSTER = process.env.CHAOS_KAFKA === 'cluster';
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ADMIN = { 'x-admin-key': adminKey() };

/** Paces commands to `rate` a second, without bursts after a stall. */
function limiter(rate: number): () => Promise<void> {
  let next = Date.now();
  return async () => {
    next = Math.max(next, Date.now()) + 1000 / rate;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
  };
}

/** Messages the run's consumer groups have not committed yet, over every topic each reads, and where. */
async function consumerLag(kafka: Kafka, prefix: string): Promise<{ lag: number; where: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let lag = 0;
    const where: string[] = [];
    for (const [app, consumer] of Object.entries(CONSUMERS)) {
      const topics = consumer!.reads.map((c) => eventsTopic(c, prefix));
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: `${prefix}.${app}`, topics })) {
        const high = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        for (const p of partitions) {
          const behind = Math.max(0, (high.get(p.partition) ?? 0) - Math.max(0, Number(p.offset)));
          lag += behind;
          if (behind > 0) where.push(`${app} on ${topic.slice(prefix.length + 1)}[${p.partition}]: ${behind}`);
        }
      }
    }
    return { lag, where };
  } finally {
    await admin.disconnect();
  }
}

/**
 * On the cluster: every partition of the run's topics is back on its three replicas, all in
 * sync, once the killed brokers have caught up (waited for up to 2 minutes).
 */
async function replicasInSync(kafka: Kafka, prefix: string): Promise<{ check: string; ok: boolean; detail: string }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    let behind: string[] = [];
    let partitions = 0;
    for (const deadline = Date.now() + 120000; ; await sleep(1000)) {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      partitions = meta.reduce((n, t) => n + t.partitions.length, 0);
      behind = meta.flatMap((t) =>
        t.partitions.filter((p) => p.replicas.length !== 3 || p.isr.length !== 3).map((p) => `${t.name}/${p.partitionId} (isr ${p.isr.join(',')})`),
      );
      if (behind.length === 0 || Date.now() > deadline) break;
    }
    return {
      check: 'every partition back on three replicas, all in sync',
      ok: behind.length === 0 && partitions > 0,
      detail: `${partitions} partitions of ${topics.length} topics${behind.length ? `; behind: ${behind.slice(0, 10).join('; ')}` : ''}`,
    };
  } finally {
    await admin.disconnect();
  }
}

async function main() {
  process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';
  const externalKafka = !KAFKA_CLUSTER && Boolean(process.env.KAFKA_BROKERS);
  // The cluster's brokers and credentials reach the apps through these variables.
  const startedKafka: boolean = KAFKA_CLUSTER ? ensureKafkaCluster() : ensureKafka();
  const stopStartedKafka = () => (KAFKA_CLUSTER ? stopKafkaCluster() : stopKafka());
  process.env.KAFKA_BROKERS ??= `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`;
  if (process.env.CHAOS_BUILD !== '0') buildApps();

  const prefix = `chaos${Date.now().toString(36)}`;
  // The apps sign in as themselves: their topics and grants under this run's prefix.
  await applyLedgerAccess(createKafka(`chaos-access-${prefix}`), prefix);
  const free = await freePorts(APPS.length);
  const ports = Object.fromEntries(APPS.map((a, i) => [a, free[i]])) as Record<AppName, number>;
  const cluster = new SupervisedCluster(prefix, ports, mkdtempSync(join(tmpdir(), 'dealledger-faults-')), join(tmpdir(), `dealledger-${prefix}`));
  const faults = new Faults(cluster, externalKafka, KAFKA_CLUSTER, Number(process.env.CHAOS_BROKER_DOWN_SECONDS ?? 10) * 1000);
  const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
  let exitCode: number;
  // Ctrl-C: stop the apps started here (and the broker, if started here) before leaving.
  const interrupt = async () => {
    await cluster.stop();
    // A broker being started again in the background would come back after the stop.
    await faults.idle().catch(() => undefined);
    if (startedKafka) stopStartedKafka();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    cluster.startAll();
    await cluster.waitAllReady(120000);
    console.log(
      `chaos: ${SECONDS} s at ${RATE} commands/s, a fault every ${FAULT_EVERY} s; apps on ${APPS.map((a) => `${a}:${ports[a]}`).join(' ')}; logs in ${cluster.logDir}`,
    );

    const api = new Api((app) => cluster.url(app), limiter(RATE));
    const load = new Load(api);
    const running = load.run(CONCURRENCY);

    // Faults: a random app killed every other time; the other kinds take turns in between.
    const others = FAULT_KINDS.filter((k) => k !== 'app killed (-9)' && !faults.unavailable(k));
    const injected: Injected[] = [];
    const catchUp = new Map<FaultKind, number[]>();
    const probes: Promise<void>[] = [];
    const neverCaughtUp: string[] = [];
    const probeApi = new Api(
      (app) => cluster.url(app),
      async () => undefined,
    );
    const supplier: Party = companies.suppliers[0];
    const started = Date.now();
    let turn = 0;
    let misses = 0;
    for (let i = 1; Date.now() - started < SECONDS * 1000; i++) {
      await sleep(Math.max(0, Math.min(started + i * FAULT_EVERY * 1000, started + SECONDS * 1000) - Date.now()));
      if (Date.now() - started >= SECONDS * 1000) break;
      // A crash point that work did not reach in time is tried again (elsewhere) at the next turn,
      // twice at most; any other kind takes its turn whatever happened.
      const kind: FaultKind = i % 2 === 1 ? 'app killed (-9)' : others[turn % others.length];
      const fault = await faults.inject(kind).catch((err: Error) => ({ kind, target: '-', at: Date.now(), done: false, note: err.message }) as Injected);
      injected.push(fault);
      if (kind !== 'app killed (-9)') {
        misses = fault.done || !fault.note?.startsWith('not reached') ? 0 : misses + 1;
        if (misses === 0 || misses > 2) {
          turn += 1;
          misses = 0;
        }
      }
      process.stdout.write(`  ${seconds(fault.at - started).padStart(7)} ${kind} ${fault.target}${fault.done ? '' : ` (${fault.note})`}\n`);
      if (!fault.done) continue;
      // Catch-up: from the fault until a command sent after it shows in the relationships read side.
      probes.push(
        (async () => {
          const buyer = randomUUID();
          const r = await probeApi.command(
            'offers',
            'probe offer',
            '/offers',
            {
              buyerId: buyer,
              items: [{ sku: 'PROBE', kind: 'service', description: 'probe', unit: 'piece', currency: 'EUR', tiers: [{ minQuantity: 1, unitPrice: '1.00' }] }],
              validUntil: new Date(Date.now() + 86400000).toISOString(),
              paymentTerms: 'net 30',
              deliveryTerms: 'EXW',
            },
            supplier,
          );
          if (!r || r.status >= 300) return;
          for (const deadline = Date.now() + 180000; Date.now() < deadline; await sleep(100)) {
            const s = await probeApi.query('relationships', `/relationships/${supplier.companyId}/${buyer}`, supplier.token, 5000);
            if (s && s.json.summary?.events >= 1) {
              catchUp.set(kind, [...(catchUp.get(kind) ?? []), Date.now() - fault.at]);
              return;
            }
          }
          neverCaughtUp.push(`${kind} at ${seconds(fault.at - started)}`);
        })(),
      );
    }
    load.stop();
    const stoppedAt = Date.now();
    await running;
    await faults.idle();
    await Promise.all(probes);

    // Settle: every app ready, every relay has published all, every consumer group has committed
    // to the end of its topics, no deadline is due within 15 s, and nothing changes for 3 s.
    const kafka = createKafka(`chaos-check-${prefix}`);
    await cluster.waitAllReady(180000);
    await db.initialize();
    const snapshot = async () => {
      const parts: unknown[] = [];
      for (const app of APPS) {
        const s = `"${cluster.schemaOf(app)}"`;
        const [r] = await db.query(
          `SELECT (SELECT count(*) FROM ${s}.events) AS events,
                  (SELECT count(*) FROM ${s}.events e WHERE NOT EXISTS (SELECT 1 FROM ${s}.outbox_checkpoints c WHERE c.name LIKE 'relay:%' AND (c.transaction_id, c.position) >= (e.transaction_id, e.position))) AS unpublished,
                  (SELECT count(*) FROM ${s}.inbox) AS inbox`,
        );
        // A deadline due now or soon (a ticket opened just before the load stopped) is work still to come.
        if ((await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${s}.deadlines`]))[0].ok) {
          const [d] = await db.query(`SELECT count(*) AS due FROM ${s}.deadlines WHERE parked_at IS NULL AND due_at < now() + interval '15 seconds'`);
          r.unpublished = Number(r.unpublished) + Number(d.due);
        }
        parts.push(r);
      }
      // An app restarting just now (the last fault) answers nothing for a moment: not settled yet.
      parts.push(
        await fetch(`${cluster.url('relationships')}/admin/digest`, { headers: ADMIN, signal: AbortSignal.timeout(5000) }).then(
          (r) => r.json(),
          () => ({ digest: 'unavailable', at: Date.now() }),
        ),
      );
      const { lag, where } = await consumerLag(kafka, prefix);
      const relays = APPS.flatMap((app, i) =>
        Number((parts[i] as { unpublished: string }).unpublished) > 0 ? [`${app}: ${(parts[i] as { unpublished: string }).unpublished}`] : [],
      );
      return { key: JSON.stringify(parts), lag, pending: lag > 0 || relays.length > 0, where, relays };
    };
    let last = '';
    for (let stable = 0; stable < 3;) {
      const s = await snapshot();
      stable = !s.pending && s.key === last ? stable + 1 : 0;
      last = s.key;
      if (Date.now() - stoppedAt > 300000)
        throw new Error(
          `the cluster did not settle within 5 minutes of the load stopping: consumer lag ${s.lag} (${s.where.join('; ') || 'none'}); ` +
            `unpublished or due (${s.relays.join('; ') || 'none'})`,
        );
      await sleep(1000);
    }
    const settledAt = Date.now();

    const pairs: [Party, Party][] = companies.suppliers.flatMap((s) => [...companies.buyers, ...companies.distributors].map((b) => [s, b] as [Party, Party]));
    const verdict = await checkLedger({
      db,
      kafka,
      prefix,
      schemaOf: (a) => cluster.schemaOf(a),
      commands: [...api.commands, ...probeApi.commands],
      expect: load.expect,
      pairs,
      relationships: async (a, b) => (await api.query('relationships', `/relationships/${a.companyId}/${b.companyId}`, a.token))?.json ?? null,
      rebuild: async () =>
        (await (await fetch(`${cluster.url('relationships')}/admin/rebuild`, { method: 'POST', headers: ADMIN })).json()) as Record<string, unknown>,
      settledAt,
    });
    if (KAFKA_CLUSTER) verdict.findings.push(await replicasInSync(kafka, prefix));

    // The table.
    const count = (o: string) => api.commands.filter((c) => c.outcome === o).length;
    const retried = api.commands.filter((c) => c.attempts > 1).length;
    console.log(
      `\nfaults (${SECONDS} s of load at ${RATE} commands/s offered; apps restarted ${APPS.reduce((n, a) => n + cluster.restarts(a), 0)} times by the supervisor)`,
    );
    console.log(`  ${'kind'.padEnd(42)} ${'injected'.padStart(8)} ${'longest catch-up'.padStart(17)} ${'median'.padStart(8)}`);
    for (const kind of FAULT_KINDS) {
      const done = injected.filter((f) => f.kind === kind && f.done).length;
      const times = (catchUp.get(kind) ?? []).sort((a, b) => a - b);
      const why = faults.unavailable(kind);
      console.log(
        `  ${kind.padEnd(42)} ${String(done).padStart(8)} ${(times.length ? seconds(times[times.length - 1]) : '-').padStart(17)} ${(times.length ? seconds(times[Math.floor(times.length / 2)]) : '-').padStart(8)}${why ? `  not injected: ${why}` : ''}`,
      );
    }
    console.log(
      `\ncommands acknowledged (2xx)  ${count('ok')}  (${(count('ok') / SECONDS).toFixed(0)}/s; ${retried} needed more than one attempt, ${api.httpErrors} connection errors on the way)`,
    );
    const refusals = new Map<string, number>();
    for (const c of api.commands.filter((x) => x.outcome === 'refused'))
      refusals.set(`${c.route} ${c.status}`, (refusals.get(`${c.route} ${c.status}`) ?? 0) + 1);
    console.log(`commands refused (4xx)       ${count('refused')}${refusals.size ? ` (${[...refusals].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`);
    console.log(`no definite answer           ${count('unknown')}`);
    console.log(`deal flows                   ${load.flows.offer} offers, ${load.flows.tender} tenders; ${load.flows.abandoned} cut short`);
    console.log(`lost                         ${verdict.lost}`);
    console.log(`duplicated effects           ${verdict.duplicated}`);
    console.log(`settled after the load       ${seconds(settledAt - stoppedAt)}`);
    // Exits nobody caused: an app that ended itself (an outage it did not ride out) rather than being killed.
    const selfExits = cluster.restartLog.filter((l) => !l.includes('SIGKILL'));
    console.log(`apps that exited by themselves ${selfExits.length}${selfExits.length ? `: ${selfExits.map((l) => l.split(';')[0]).join('; ')}` : ''}`);
    console.log('\nchecks');
    for (const f of verdict.findings) console.log(`  ${f.ok ? 'ok  ' : 'FAIL'} ${f.check}: ${f.detail}`);
    if (neverCaughtUp.length) console.log(`\nFAIL: a command sent after these faults never showed in the read side within 180 s: ${neverCaughtUp.join(', ')}`);
    const missing = FAULT_KINDS.filter((k) => !faults.unavailable(k) && !injected.some((f) => f.kind === k && f.done));
    if (missing.length) console.log(`\nFAIL: not injected even once: ${missing.join(', ')}`);
    const failed =
      verdict.lost > 0 || verdict.duplicated > 0 || verdict.findings.some((f) => !f.ok) || missing.length > 0 || neverCaughtUp.length > 0 || count('ok') === 0;
    console.log(`\nchaos: ${failed ? 'FAILED' : 'passed'}`);
    exitCode = failed ? 1 : 0;
  } finally {
    await cluster.stop();
    if (db.isInitialized && process.env.CHAOS_KEEP !== '1') for (const app of APPS) await db.query(`DROP SCHEMA IF EXISTS "${cluster.schemaOf(app)}" CASCADE`);
    if (db.isInitialized) await db.destroy();
    if (startedKafka) stopStartedKafka();
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
