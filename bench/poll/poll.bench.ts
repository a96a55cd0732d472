/**
 * The commit-order reader's idle poll (prints figures; not a test): what a relay or a projector
 * pays, each time it looks, to learn that nothing new was committed, on event stores of growing
 * size. Every app's relay and list projector look this way when woken and on their timers.
 *
 *   npm run bench:poll            (EVENTS=10000,100000,1000000 SECONDS=3 RUNS=3 by default)
 *
 * A fresh database; the store is filled by appends of 100 events (hash chain on, 16 writers) up
 * to each size in turn, then vacuumed and analysed (as autovacuum would in time) and
 * checkpointed, so that no after-work of the fill lands in the measurement. Then, RUNS times for
 * SECONDS each, `readAll` from the last event's checkpoint, one call after another, on the pooled
 * path the projectors use (its statements named, so PostgreSQL may keep a generic plan from the
 * sixth call on; the relay's lock session plans it the same way; 50 calls first, unmeasured):
 * µs per poll (median, p99) and the CPU per poll of the server processes serving this pool (from
 * /proc, in clock ticks: a run of a few seconds makes a tick small per poll). Medians of the runs.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_STORE_MIGRATIONS, NewEvent, openDatabase, PostgresEventStore } from '@dealledger/event-store';
import { cpuMsOf, dropDatabase, freshDatabase, med, pct, SERVER } from '../measure';

const SIZES = (process.env.EVENTS ?? '10000,100000,1000000').split(',').filter(Boolean).map(Number);
const SECONDS = Number(process.env.SECONDS ?? 3);
const RUNS = Number(process.env.RUNS ?? 3);
const WRITERS = 16;
const BATCH = 100;
const DATABASE = 'dl_bench_poll';

const company = randomUUID();
const event = (i: number): NewEvent => ({
  id: randomUUID(),
  type: 'CallOffPlaced',
  schemaVersion: 1,
  data: { callOffId: randomUUID(), item: 'tyre 205/55 R16', quantity: 1200 + i, unitPrice: '41.70', currency: 'EUR' },
  metadata: { occurredAt: new Date(), parties: [company], actor: { companyId: company, personId: null }, correlationId: randomUUID() },
});

async function fill(store: PostgresEventStore, from: number, to: number): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < to) {
        const n = Math.min(BATCH, to - next);
        next += n;
        await store.append(
          `fill-${randomUUID()}`,
          0,
          Array.from({ length: n }, (_, i) => event(i)),
        );
      }
    }),
  );
}

async function main(): Promise<void> {
  const url = await freshDatabase(DATABASE);
  const db = await openDatabase({ url, schema: 'ledger', migrations: EVENT_STORE_MIGRATIONS, poolSize: WRITERS + 4 });
  const store = new PostgresEventStore(db, 'ledger');
  console.log(`idle poll benchmark: ${SECONDS} s per run, median of ${RUNS} runs, node ${process.version}, ${new URL(SERVER).host}`);
  // The server processes of this pool, and what each has used so far (the pool closes idle
  // connections meanwhile: one gone by the end was idle, and counts nothing).
  const serverCpu = async (): Promise<Map<number, number>> => {
    const pids: { pid: number }[] = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [DATABASE]);
    return new Map(pids.map(({ pid }) => [pid, cpuMsOf(pid)]));
  };
  const usedSince = (before: Map<number, number>) =>
    [...before].reduce((sum, [pid, ms]) => {
      const now = cpuMsOf(pid);
      return sum + (now > 0 ? now - ms : 0);
    }, 0);
  let filled = 0;
  try {
    for (const size of SIZES) {
      const t0 = performance.now();
      await fill(store, filled, size);
      const fillRate = Math.round((size - filled) / ((performance.now() - t0) / 1000));
      filled = size;
      await db.query(`VACUUM (ANALYZE) ledger.events`);
      await db.query(`CHECKPOINT`);
      const [last] = await db.query(`SELECT transaction_id::text AS t, position FROM ledger.events ORDER BY transaction_id DESC, position DESC LIMIT 1`);
      const end = { transactionId: last.t as string, position: Number(last.position) };
      for (let i = 0; i < 50; i++) await store.readAll(end);
      const p50s: number[] = [];
      const p99s: number[] = [];
      const cpus: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const took: number[] = [];
        const before = await serverCpu();
        const until = performance.now() + SECONDS * 1000;
        while (performance.now() < until) {
          const s = performance.now();
          const page = await store.readAll(end);
          took.push((performance.now() - s) * 1000);
          if (page.events.length > 0) throw new Error('a poll after the last event found events');
        }
        const used = usedSince(before);
        if (!(used > 0)) throw new Error('no CPU seen for the server processes: is PostgreSQL on this machine?');
        took.sort((a, b) => a - b);
        p50s.push(pct(took, 50));
        p99s.push(pct(took, 99));
        cpus.push((used * 1000) / took.length);
      }
      console.log(
        `${String(size).padStart(9)} events (filled at ${fillRate}/s): poll p50 ${med(p50s).toFixed(0)} µs, p99 ${med(p99s).toFixed(0)} µs, ` +
          `PostgreSQL CPU ${med(cpus).toFixed(1)} µs per poll   runs p50: ${p50s.map((x) => x.toFixed(0)).join(', ')}`,
      );
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
