/**
 * Event store append benchmark (prints figures; not a test), side by side with Emmett's
 * PostgreSQL event store (@event-driven-io/emmett-postgresql) on the same PostgreSQL.
 *
 *   npm run bench:append              (RUNS=3 SECONDS=5 WRITERS=16 by default)
 *   SCENARIOS=single,raw npm run bench:append     (only the scenarios whose names contain these)
 *
 * Scenarios, each run RUNS times on a fresh database/schema, median reported, for both stores
 * (their runs alternate):
 *   single   one event per append, many streams, WRITERS concurrent writers (ours: hash chain on)
 *   batch10  ten events per append, same
 *   hot      WRITERS writers on one stream: read version, append, retry on conflict
 * and, as the floor, a raw single-row INSERT of the same payload into an indexed table.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { EVENT_STORE_MIGRATIONS, NewEvent, openDatabase, PostgresEventStore, WrongExpectedVersionError } from '@dealledger/event-store';
import { freshDatabase, SERVER } from '../measure';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getPostgreSQLEventStore } = require('@event-driven-io/emmett-postgresql');

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
  return {
    appendsPerSec: latencies.length / elapsed,
    eventsPerSec: events / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    conflicts,
  };
}

async function fresh(): Promise<{ db: DataSource; store: PostgresEventStore; schema: string }> {
  const url = await freshDatabase('dl_bench_ours');
  const schema = 'ledger';
  const db = await openDatabase({ url, schema, migrations: EVENT_STORE_MIGRATIONS, poolSize: WRITERS + 4 });
  return { db, store: new PostgresEventStore(db, schema), schema };
}

async function dispose(db: DataSource, _schema: string) {
  await db.destroy();
}

interface EmmettStore {
  appendToStream(
    stream: string,
    events: { type: string; data: unknown }[],
    options: { expectedStreamVersion: bigint },
  ): Promise<{ nextExpectedStreamVersion: bigint }>;
  readStream(stream: string): Promise<{ currentStreamVersion: bigint }>;
  close(): Promise<void>;
}

async function freshEmmett(): Promise<{ store: EmmettStore; pool: Pool }> {
  const url = await freshDatabase('dl_bench_emmett');
  const pool = new Pool({ connectionString: url, max: WRITERS + 4 });
  const store: EmmettStore = getPostgreSQLEventStore(url, { connectionOptions: { pooled: true, pool } });
  // Let it create its schema before the clock starts.
  await store.appendToStream(`warmup-${randomUUID()}`, [{ type: 'Warmup', data: {} }], { expectedStreamVersion: 0n });
  return { store, pool };
}

const emmettEvent = (i: number) => {
  const e = event(i);
  return { type: e.type, data: e.data, metadata: { ...e.metadata, occurredAt: new Date().toISOString() } };
};

async function emmettManyStreams(eventsPerAppend: number): Promise<Figures> {
  const { store, pool } = await freshEmmett();
  const streams = Array.from({ length: WRITERS }, () => Array.from({ length: STREAMS_PER_WRITER }, () => ({ id: `contract-${randomUUID()}`, version: 0n })));
  const next = Array(WRITERS).fill(0);
  const figures = await drive(async (w) => {
    const s = streams[w][next[w]++ % STREAMS_PER_WRITER];
    const r = await store.appendToStream(s.id, Array.from({ length: eventsPerAppend }, (_, i) => emmettEvent(i)) as never, {
      expectedStreamVersion: s.version,
    });
    s.version = r.nextExpectedStreamVersion;
    return { events: eventsPerAppend };
  });
  await store.close();
  await pool.end().catch(() => undefined);
  return figures;
}

async function emmettHotStream(): Promise<Figures> {
  const { store, pool } = await freshEmmett();
  const streamId = `contract-${randomUUID()}`;
  const figures = await drive(async () => {
    try {
      const { currentStreamVersion } = await store.readStream(streamId);
      await store.appendToStream(streamId, [emmettEvent(0)] as never, { expectedStreamVersion: currentStreamVersion });
      return { events: 1 };
    } catch (err) {
      if ((err as Error).constructor.name.includes('ExpectedVersionConflict')) return { events: 0, conflict: true };
      throw err;
    }
  });
  await store.close();
  await pool.end().catch(() => undefined);
  return figures;
}

async function manyStreams(eventsPerAppend: number): Promise<Figures> {
  const { db, store, schema } = await fresh();
  const streams = Array.from({ length: WRITERS }, () => Array.from({ length: STREAMS_PER_WRITER }, () => ({ id: `contract-${randomUUID()}`, version: 0 })));
  const next = Array(WRITERS).fill(0);
  const figures = await drive(async (w) => {
    const s = streams[w][next[w]++ % STREAMS_PER_WRITER];
    const result = await store.append(
      s.id,
      s.version,
      Array.from({ length: eventsPerAppend }, (_, i) => event(i)),
    );
    s.version = result.nextExpectedVersion;
    return { events: eventsPerAppend };
  });
  await dispose(db, schema);
  return figures;
}

async function hotStream(): Promise<Figures> {
  const { db, store, schema } = await fresh();
  const streamId = `contract-${randomUUID()}`;
  const version = async () =>
    Number((await db.query(`SELECT coalesce(max(stream_version), 0) AS v FROM "${schema}".events WHERE stream_id = $1`, [streamId]))[0].v);
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
  await db.query(
    `CREATE TABLE "${schema}".raw (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id uuid NOT NULL UNIQUE, stream_id text NOT NULL, data jsonb NOT NULL)`,
  );
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
    ['ours   single (1 event/append)', () => manyStreams(1)],
    ['emmett single (1 event/append)', () => emmettManyStreams(1)],
    ['ours   batch10 (10 events/append)', () => manyStreams(10)],
    ['emmett batch10 (10 events/append)', () => emmettManyStreams(10)],
    ['ours   hot (1 stream, conflicts)', hotStream],
    ['emmett hot (1 stream, conflicts)', emmettHotStream],
    ['raw single-row INSERT (floor)', rawInsert],
  ];
  const only = process.env.SCENARIOS?.split(',');
  const chosen = scenarios.filter(([name]) => !only || only.some((o) => name.includes(o)));
  console.log(`append benchmark: ${WRITERS} writers, ${SECONDS}s per run, median of ${RUNS} runs, node ${process.version}, ${new URL(SERVER).host}`);
  // Runs alternate between the scenarios of a group (ours, Emmett's), so drift over time
  // (checkpoints, autovacuum, a neighbour on the host) does not favour one side.
  const groups = new Map<string, [string, () => Promise<Figures>][]>();
  for (const sc of chosen) {
    const kind = sc[0].replace(/^(ours|emmett)\s+/, '');
    groups.set(kind, [...(groups.get(kind) ?? []), sc]);
  }
  const results: Record<string, Figures> = {};
  for (const group of groups.values()) {
    const runs = new Map<string, Figures[]>(group.map(([name]) => [name, []]));
    for (let i = 0; i < RUNS; i++) for (const [name, run] of group) runs.get(name)!.push(await run());
    for (const [name, rs] of runs) {
      const m: Figures = {
        appendsPerSec: median(rs.map((r) => r.appendsPerSec)),
        eventsPerSec: median(rs.map((r) => r.eventsPerSec)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        conflicts: median(rs.map((r) => r.conflicts ?? 0)),
      };
      results[name] = m;
      console.log(
        `${name.padEnd(40)} ${m.appendsPerSec.toFixed(0).padStart(7)} appends/s ${m.eventsPerSec.toFixed(0).padStart(7)} events/s` +
          `  p50 ${m.p50.toFixed(2)} ms  p99 ${m.p99.toFixed(2)} ms` +
          (name.includes('hot') ? `  conflicts ${m.conflicts}/run` : '') +
          `   runs: ${rs.map((r) => r.appendsPerSec.toFixed(0)).join(', ')}`,
      );
    }
  }
  const ratio = (kind: string) => {
    const [ours, emmett] = [results[`ours   ${kind}`], results[`emmett ${kind}`]];
    return ours && emmett ? `${(ours.appendsPerSec / emmett.appendsPerSec).toFixed(2)}x` : '-';
  };
  console.log(
    `ours/emmett appends/s: single ${ratio('single (1 event/append)')}, batch10 ${ratio('batch10 (10 events/append)')}, hot ${ratio('hot (1 stream, conflicts)')}`,
  );
  const [single, raw] = [results['ours   single (1 event/append)'], results['raw single-row INSERT (floor)']];
  if (single && raw) console.log(`ours single / raw INSERT: ${(single.appendsPerSec / raw.appendsPerSec).toFixed(2)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
