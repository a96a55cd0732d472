/**
 * Recomputes every stream's hash chain in one context's event store and reports the first
 * broken link of each damaged stream; then compares the store with its topic, where every
 * published event's hash is anchored, and reports events deleted or rewritten since (a cut-off
 * tail breaks no link). Exit code 1 when anything is broken.
 *
 *   npm run verify -- directory        (DATABASE_URL, KAFKA_BROKERS, TOPIC_PREFIX as for the apps;
 *                                       DB_SCHEMA overrides; VERIFY_TOPIC=off: the store alone)
 */
import { DataSource } from 'typeorm';
import { eventsTopic } from '@dealledger/events';
import { DEFAULT_DATABASE_URL, PostgresEventStore } from '@dealledger/event-store';
import { createKafka, verifyAgainstTopic } from '@dealledger/messaging';

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
    console.log(
      `${schema}: ${report.events} events in ${report.streams} streams — ${report.ok ? 'every hash chain is intact' : `${report.broken.length} damaged stream(s)`}`,
    );
    for (const b of report.broken) console.log(`  ${b.streamId} v${b.streamVersion} (event ${b.eventId}, position ${b.position}): ${b.reason}`);
    let anchored = true;
    if (process.env.VERIFY_TOPIC !== 'off') {
      const topic = eventsTopic(context);
      const anchor = await verifyAgainstTopic({ kafka: createKafka('dealledger-verify'), dataSource: db, schema, topic });
      anchored = anchor.findings.length === 0;
      console.log(
        `${topic}: ${anchor.onTopic} published events — ${anchored ? 'the store holds each as published' : `${anchor.findings.length} deleted or rewritten`}`,
      );
      for (const f of anchor.findings) console.log(`  ${f.streamId} v${f.streamVersion} (event ${f.eventId}): ${f.reason}`);
    }
    process.exitCode = report.ok && anchored ? 0 : 1;
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(2);
});
