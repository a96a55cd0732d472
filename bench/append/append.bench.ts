/**
 * Event store append benchmark (prints figures; not a test).
 *
 *   npm run bench:append              (RUNS=3 SECONDS=5 WRITERS=16 by default)
 *
 * Scenarios, each run RUNS times on a fresh schema of the configured PostgreSQL, median reported:
 *   single   one event per append, many streams, WRITERS concurrent writers, hash chain on
 *   batch10  ten events per append, same
 *   hot      WRITERS writers on one stream: read version, append, retry on conflict
 *   raw      peer: a plain single-row INSERT of the same payload into an indexed table
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EVENT_STORE_MIGRATIONS, NewEvent, openDatabase, PostgresEventStore, WrongExpectedVersionError } from '@dealledger/event-store';

const RUNS = Number(process.env.RUNS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 5);
const WRITERS = Number(process.env.WRITERS ?? 16);
const STREAMS_PER_WRITER = 200;

interface Figures {
  appendsPerSec: number;
  eventsPerSec: number;
  p50: number;
  p99: number;
  conflicts?: number;
}

const buyer = randomUUID();
const supplier = randomUUID();
function event(i: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'CallOffPlaced',
    schemaVersion: 1,
    data: { callOffId: randomUUID(), item: 'tyre 205/55 R16', quantity: 1200 + i, unitPrice: '41.70', currency: 'EUR', deliveryWeek: '2027-W14' },
    metadata: { occurredAt: new Date(), parties: [buyer, supplier], actor: { companyId: buyer, personId: randomUUID() }, correlationId: randomUUID() },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function drive(work: (writer: number) => Promise<{ events: number; conflict?: boolean }>): Promise<Figures> {
  const latencies: number[] = [];
  let events = 0;
  let conflicts = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const r = await work(w);
        if (r.conflict) {
          conflicts += 1;
          continue;
        }
        latencies.push(performance.now() - t0);
        events += r.events;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { appendsPerSec: latencies.length / elapsed, eventsPerSec: events / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), conflicts };
}

async function fresh(): Promise<{ db: DataSource; store: PostgresEventStore; schema: string }> {
  const schema = `bench_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const db = await openDatabase({ schema, migrations: EVENT_STORE_MIGRATIONS, poolSize: WRITERS + 4 });
  return { db, store: new PostgresEventStore(db, schema), schema };
}

async function dispose(db: DataSource, schema: string) {
  await db.query(`DROP SCHEMA "${schema}" CASCADE`);
  await db.destroy();
}

async function manyStreams(eventsPerAppend: number): Promise<Figures> {
  const { db, store, schema } = await fresh();
  const streams = Array.from({ length: WRITERS }, () => Array.from({ length: STREAMS_PER_WRITER }, () => ({ id: `contract-${randomUUID()}`, version: 0 })));
  const next = Array(WRITERS).fill(0);
  const figures = await drive(async (w) => {
    const s = streams[w][next[w]++ % STREAMS_PER_WRITER];
    const result = await store.append(s.id, s.version, Array.from({ length: eventsPerAppend }, (_, i) => event(i)));
    s.version = result.nextExpectedVersion;
    return { events: eventsPerAppend };
  });
  await dispose(db, schema);
  return figures;
}

async function hotStream(): Promise<Figures> {
  const { db, store, schema } = await fresh();
  const streamId = `contract-${randomUUID()}`;
  const version = async () => Number((await db.query(`SELECT coalesce(max(stream_version), 0) AS v FROM "${schema}".events WHERE stream_id = $1`, [streamId]))[0].v);
  const figures = await drive(async () => {
    try {
      await store.append(streamId, await version(), [event(0)]);
      return { events: 1 };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) return { events: 0, conflict: true };
      throw err;
    }
  });
  await dispose(db, schema);
  return figures;
}

async function rawInsert(): Promise<Figures> {
  const { db, schema } = await fresh();
  await db.query(`CREATE TABLE "${schema}".raw (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id uuid NOT NULL UNIQUE, stream_id text NOT NULL, data jsonb NOT NULL)`);
  const figures = await drive(async () => {
    const e = event(0);
    await db.query(`INSERT INTO "${schema}".raw (event_id, stream_id, data) VALUES ($1, $2, $3)`, [e.id, `contract-${randomUUID()}`, JSON.stringify(e.data)]);
    return { events: 1 };
  });
  await dispose(db, schema);
  return figures;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const scenarios: [string, () => Promise<Figures>][] = [
    ['single (1 event/append, many streams)', () => manyStreams(1)],
    ['batch10 (10 events/append)', () => manyStreams(10)],
    ['hot (1 stream, conflicting writers)', hotStream],
    ['raw single-row INSERT (peer)', rawInsert],
  ];
  console.log(`append benchmark: ${WRITERS} writers, ${SECONDS}s per run, median of ${RUNS} runs, node ${process.version}`);
  const results: Record<string, Figures> = {};
  for (const [name, run] of scenarios) {
    const runs: Figures[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await run());
    const m: Figures = {
      appendsPerSec: median(runs.map((r) => r.appendsPerSec)),
      eventsPerSec: median(runs.map((r) => r.eventsPerSec)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      conflicts: median(runs.map((r) => r.conflicts ?? 0)),
    };
    results[name] = m;
    console.log(
      `${name.padEnd(40)} ${m.appendsPerSec.toFixed(0).padStart(7)} appends/s ${m.eventsPerSec.toFixed(0).padStart(7)} events/s` +
        `  p50 ${m.p50.toFixed(2)} ms  p99 ${m.p99.toFixed(2)} ms` +
        (name.startsWith('hot') ? `  conflicts ${m.conflicts}/run` : '') +
        `   runs: ${runs.map((r) => r.appendsPerSec.toFixed(0)).join(', ')}`,
    );
  }
  const single = results['single (1 event/append, many streams)'].appendsPerSec;
  const raw = results['raw single-row INSERT (peer)'].appendsPerSec;
  console.log(`ratio single-event appends / raw INSERT: ${(single / raw).toFixed(2)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
