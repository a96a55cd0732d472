/**
 * Finds events of one context's store that its relay passed over (at or before the relay's
 * checkpoint, not on the topic) and publishes them, in commit order, as the relay would have.
 * Exit code 0 when nothing was missing or everything was republished, 1 on a dry run that
 * found missing events, 2 on an error.
 *
 *   npm run republish -- contracts [--dry-run]
 *   (DATABASE_URL, KAFKA_BROKERS, TOPIC_PREFIX as for the apps; DB_SCHEMA overrides the schema)
 */
import { DataSource } from 'typeorm';
import { DEFAULT_DATABASE_URL } from '@dealledger/event-store';
import { eventsTopic } from '@dealledger/events';
import { connectProducer, createKafka, republish } from '@dealledger/messaging';

const SHOWN = 10;

async function main() {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const context = args.find((a) => !a.startsWith('--'));
  if (!context) {
    console.error('usage: npm run republish -- <context> [--dry-run]   (directory, offers, contracts, ...)');
    process.exit(2);
  }
  const schema = process.env.DB_SCHEMA ?? context.replace(/-/g, '_');
  const topic = eventsTopic(context);
  const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, schema });
  await db.initialize();
  const exists = (await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`"${schema}".events`]))[0].ok;
  if (!exists) {
    console.error(`no event store in schema ${schema}`);
    process.exit(2);
  }
  const kafka = createKafka('dealledger-republish');
  const producer = dryRun ? null : await connectProducer(kafka);
  try {
    console.log(`${schema}.events -> ${topic}${dryRun ? ' (dry run)' : ''}: reading the topic to its current end…`);
    const report = await republish({ kafka, dataSource: db, schema, topic, producer: producer!, context, dryRun });

    const cp = report.checkpoint;
    console.log(`  stored:      ${report.stored} events`);
    console.log(
      cp.transactionId === '0'
        ? `  checkpoint:  relay:${topic} never saved one: nothing counts as missing`
        : `  checkpoint:  relay:${topic} at transaction ${cp.transactionId}, position ${cp.position}; ${report.afterCheckpoint} stored after it are the live relay's to publish`,
    );
    console.log(
      `  on topic:    ${report.onTopic} event ids in ${report.messagesOnTopic} messages${report.unreadable ? ` (${report.unreadable} without a readable event id)` : ''}`,
    );
    console.log(`  missing:     ${report.missing.length} (at or before the checkpoint, not on the topic)`);
    for (const e of report.missing.slice(0, SHOWN)) console.log(`    ${e.id}  ${e.streamId} v${e.streamVersion}  ${e.type}  (position ${e.position})`);
    if (report.missing.length > SHOWN) console.log(`    … and ${report.missing.length - SHOWN} more`);

    if (report.missing.length === 0) {
      console.log('nothing to republish');
    } else if (dryRun) {
      console.log('dry run: nothing published');
      process.exitCode = 1;
    } else {
      console.log(`published ${report.published} events to ${topic}, in commit order (acks all).`);
      console.log('  Consumers deduplicate by event id: a copy already there (a concurrent run) has no second effect.');
      console.log('  Each arrives after later events of its stream that were already on the topic.');
    }
  } finally {
    await producer?.disconnect();
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(2);
});
