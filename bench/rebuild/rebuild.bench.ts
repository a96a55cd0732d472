/**
 * Relationships rebuild benchmark (prints figures; not a test): fills the topics of a fresh
 * prefix with a realistic mix of events (offers, tenders, contracts, call-offs, tickets,
 * resales), then rebuilds the read tables from offset 0, RUNS times, median reported.
 *
 *   npm run bench:rebuild                 (EVENTS=100000,1000000 RUNS=3 by default)
 *
 * As in a running system, the live consumer has passed the end offsets (its group's offsets are
 * set there; it dead-lettered nothing), so the replay takes its decisions from its inbox.
 * LIVE=none: no live consumer, and the replay checks every message in full (class-validator).
 *
 * The rebuild itself runs compiled, in a process of its own (`rebuild-compiled.js`), as the app
 * runs it: the apps are built first, as for the end-to-end benchmark. Besides the rates it prints
 * the CPU each event cost (the rebuild's process, PostgreSQL, Kafka: from /proc), which moves
 * less than the rate when the machine's speed drifts between runs.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CONTEXTS, eventsTopic } from '@dealledger/events';
import { EVENT_STORE_MIGRATIONS, openDatabase } from '@dealledger/event-store';
import { createKafka, ensureTopics, connectProducer, Inbox1732700000001, toKafkaMessage } from '@dealledger/messaging';
import { sampleHistory } from '@dealledger/testing';
import { GENERATION_MIGRATIONS } from '../../apps/relationships/src/projection/generations';
import type { RebuildReport } from '../../apps/relationships/src/rebuild/rebuild';
import { buildApps } from '../../test/e2e/cluster';
import { cpuMsOf, cpuSnapshot, cpuUsed } from '../measure';

const SIZES = (process.env.EVENTS ?? '100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.RUNS ?? 3);
const LIVE = process.env.LIVE ?? 'caught-up';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function fill(prefix: string, total: number): Promise<number> {
  const kafka = createKafka('bench-rebuild-fill');
  await ensureTopics(
    kafka,
    CONTEXTS.map((c) => ({ topic: eventsTopic(c, prefix) })),
  );
  const producer = await connectProducer(kafka);
  let sent = 0;
  const started = Date.now();
  while (sent < total) {
    const batch = [];
    while (batch.length < 5000 && sent + batch.length < total)
      batch.push(...sampleHistory(randomUUID(), randomUUID(), randomUUID(), new Date('2025-01-01T00:00:00Z')));
    const events = batch.slice(0, total - sent);
    const byTopic = new Map<string, ReturnType<typeof toKafkaMessage>[]>();
    for (const e of events) {
      const topic = eventsTopic(e.context, prefix);
      if (!byTopic.has(topic)) byTopic.set(topic, []);
      byTopic.get(topic)!.push(toKafkaMessage(e));
    }
    await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1 });
    sent += events.length;
  }
  await producer.disconnect();
  return Math.round(sent / ((Date.now() - started) / 1000));
}

/** Commits the live group's offsets at the end of every partition, as a caught-up live consumer would have. */
async function catchUpLiveGroup(groupId: string, topics: string[]): Promise<void> {
  const admin = createKafka('bench-rebuild-live').admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high }));
      await admin.setOffsets({ groupId, topic, partitions });
    }
  } finally {
    await admin.disconnect();
  }
}

/** One rebuild by the compiled app's code, in a process of its own; its log goes to ours when it ends. */
function rebuildOnce(schema: string, prefix: string, topics: string[]): RebuildReport & { cpuMs: Record<string, number> } {
  // The rebuild's process is ours, reaped when it ends: its CPU shows in our children's.
  const children = () => cpuMsOf(process.pid, true) - cpuMsOf(process.pid);
  const before = { ...cpuSnapshot({}), rebuild: children() };
  const r = spawnSync(process.execPath, [join(__dirname, 'rebuild-compiled.js')], {
    env: { ...process.env, BENCH_SCHEMA: schema, BENCH_PREFIX: prefix, BENCH_TOPICS: topics.join(',') },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // A rebuild of 1M events takes minutes here: an hour means it hangs.
    timeout: 60 * 60 * 1000,
  });
  if (r.error) throw r.error;
  const lines = r.stdout.trimEnd().split('\n');
  const report = lines.find((l) => l.startsWith('REPORT '));
  process.stdout.write(lines.filter((l) => l !== report).join('\n') + '\n');
  if (r.status !== 0 || !report) throw new Error(`the rebuild failed (${r.signal ? `signal ${r.signal}` : `exit ${r.status}`})`);
  const after = { ...cpuSnapshot({}), rebuild: children() };
  const cpuMs = Object.fromEntries(cpuUsed(before, after).filter(([part]) => part !== 'load generator'));
  return { ...JSON.parse(report.slice('REPORT '.length)), cpuMs };
}

async function main() {
  buildApps();
  console.log(`rebuild benchmark: node ${process.version}, ${RUNS} runs per size, median reported; live consumer: ${LIVE}`);
  for (const size of SIZES) {
    const prefix = `bench${Date.now().toString(36)}`;
    const fillRate = await fill(prefix, size);
    const schema = `${prefix}_relationships`;
    const db = await openDatabase({ schema, migrations: [...EVENT_STORE_MIGRATIONS, Inbox1732700000001, ...GENERATION_MIGRATIONS] });
    const topics = () => CONTEXTS.filter((c) => c !== 'relationships').map((c) => eventsTopic(c, prefix));
    if (LIVE === 'caught-up') await catchUpLiveGroup(prefix, topics());
    // Nothing queries these tables: each run drops the generation the previous one replaced.
    const rates: number[] = [];
    const replayRates: number[] = [];
    const secs: number[] = [];
    const cpu: Record<string, number[]> = {};
    for (let r = 0; r < RUNS; r++) {
      const report = rebuildOnce(schema, prefix, topics());
      rates.push(report.eventsPerSecond);
      replayRates.push(report.replayEventsPerSecond);
      secs.push(report.durationMs / 1000);
      // µs of CPU per event replayed: steadier than the rate on a machine whose speed drifts.
      for (const [part, ms] of Object.entries(report.cpuMs)) (cpu[part] ??= []).push((ms * 1000) / size);
      if (report.events !== size) throw new Error(`rebuilt ${report.events} events, expected ${size}`);
    }
    console.log(
      `${String(size).padStart(8)} events: ${median(rates)} events/s overall, ${median(secs).toFixed(1)} s; replay alone ${median(replayRates)} events/s ` +
        `(runs: ${rates.join(', ')} overall; ${replayRates.join(', ')} replay; topics filled at ${fillRate} events/s)`,
    );
    const parts = Object.entries(cpu).map(([part, us]) => `${part} ${median(us).toFixed(1)}`);
    const total = median(Object.values(cpu)[0].map((_, i) => Object.values(cpu).reduce((t, us) => t + us[i], 0)));
    console.log(`${' '.repeat(16)}CPU per event: ${total.toFixed(1)} µs (${parts.join(', ')}; medians, from /proc)`);
    await db.query(`DROP SCHEMA "${schema}" CASCADE`);
    await db.destroy();
    const admin = createKafka('bench-rebuild-cleanup').admin();
    await admin.connect();
    await admin.deleteTopics({ topics: topics() }).catch(() => undefined);
    await admin.deleteGroups([prefix]).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
