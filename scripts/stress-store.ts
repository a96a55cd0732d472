/**
 * Hammers the event store's commit-order reader: the race of the event store's test (quick
 * appends, lingering and rolled-back appending transactions, bystanders, multi-stream
 * transactions, one reader paging with random sizes) run again and again on a fresh schema.
 * Every run must read every committed event exactly once, each stream in version order.
 *
 *   npm run stress:store -- --runs 50 [--seconds 5] [--writers 20]
 *
 * Run it beside a load (`npm run bench:e2e`) to race it on a busy machine. Exit 1 on any failure.
 */
import { PostgresEventStore } from '@dealledger/event-store';
import { dropSchema, openTestDatabase, raceStoreReader, uniqueName } from '@dealledger/testing';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const runs = arg('runs', 20);
  const seconds = arg('seconds', 5);
  const writers = arg('writers', 20);
  const schema = uniqueName('stress');
  const db = await openTestDatabase(schema);
  const store = new PostgresEventStore(db, schema);
  let failed = 0;
  try {
    console.log(`stress:store: ${runs} runs of ${seconds} s, ${writers} writers, schema ${schema}`);
    for (let run = 1; run <= runs; run++) {
      const r = await raceStoreReader(db, store, { ms: seconds * 1000, writers });
      const [{ xid }] = await db.query(`SELECT pg_current_xact_id()::text AS xid`);
      if (!r.ok) failed += 1;
      console.log(
        `run ${String(run).padStart(3)}: ${r.ok ? 'ok  ' : 'FAIL'} committed ${r.committed}, read ${r.read}, missed ${r.missed.length}, repeated ${r.repeated.length}, ` +
          `inverted ${r.inverted.length}, order conflicts retried ${r.orderConflicts}; transaction counter ${xid}`,
      );
      if (!r.ok)
        console.log(
          `  missed ${r.missed.slice(0, 10).join(', ')}; repeated ${r.repeated.slice(0, 10).join(', ')}; inverted ${r.inverted.slice(0, 5).join('; ')}`,
        );
    }
    console.log(`stress:store: ${runs - failed} of ${runs} runs passed`);
  } finally {
    await dropSchema(db, schema);
  }
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
