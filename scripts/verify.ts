/**
 * Recomputes every stream's hash chain in one context's event store and reports the first
 * broken link of each damaged stream. Exit code 1 when anything is broken.
 *
 *   npm run verify -- directory        (DATABASE_URL as for the apps; DB_SCHEMA overrides)
 */
import { DataSource } from 'typeorm';
import { DEFAULT_DATABASE_URL, PostgresEventStore } from '@dealledger/event-store';

async function main() {
  const context = process.argv[2];
  if (!context) {
    console.error('usage: npm run verify -- <context>   (directory, offers, contracts, ...)');
    process.exit(2);
  }
  const schema = process.env.DB_SCHEMA ?? context.replace(/-/g, '_');
  const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, schema });
  await db.initialize();
  try {
    const exists = (await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`"${schema}".events`]))[0].ok;
    if (!exists) {
      console.error(`no event store in schema ${schema}`);
      process.exit(2);
    }
    const report = await new PostgresEventStore(db, schema).verify();
    console.log(`${schema}: ${report.events} events in ${report.streams} streams — ${report.ok ? 'every hash chain is intact' : `${report.broken.length} damaged stream(s)`}`);
    for (const b of report.broken) console.log(`  ${b.streamId} v${b.streamVersion} (event ${b.eventId}, position ${b.position}): ${b.reason}`);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(2);
});
