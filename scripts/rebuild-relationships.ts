/**
 * Rebuilds the relationships read tables from Kafka offset 0, as POST /admin/rebuild does, from
 * the command line (the app may keep running meanwhile).
 *
 *   npm run rebuild:relationships        (DATABASE_URL, KAFKA_BROKERS, TOPIC_PREFIX as for the apps)
 */
import { openDatabase, EVENT_STORE_MIGRATIONS } from '@dealledger/event-store';
import { createKafka, Inbox1732700000001 } from '@dealledger/messaging';
import { Generations1733000000000 } from '../apps/relationships/src/projection/generations';
import { sourceTopics } from '../apps/relationships/src/projection/relationships-inbound';
import { RelationshipsRebuild } from '../apps/relationships/src/rebuild/rebuild';

async function main() {
  const schema = process.env.DB_SCHEMA ?? 'relationships';
  const db = await openDatabase({ schema, migrations: [...EVENT_STORE_MIGRATIONS, Inbox1732700000001, Generations1733000000000] });
  try {
    const rebuild = new RelationshipsRebuild(db, createKafka('dealledger-relationships-rebuild'), schema, sourceTopics, process.env.RELATIONSHIPS_GROUP_ID ?? `${process.env.TOPIC_PREFIX || 'dealledger'}.relationships`);
    const report = await rebuild.run();
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
