/**
 * Rebuilds the relationships read tables from Kafka offset 0, as POST /admin/rebuild does, from
 * the command line (the app may keep running meanwhile).
 *
 *   npm run rebuild:relationships              (DATABASE_URL, KAFKA_BROKERS, TOPIC_PREFIX as for the apps)
 *   npm run rebuild:relationships -- --force   swap even if the digests differ
 *
 * Exits with 1 when it fails, and with 2 when the new generation's digest differs from the live
 * one's and it was not swapped in (the report is printed either way it got that far).
 */
import { DomainError } from '@dealledger/domain';
import { openDatabase, EVENT_STORE_MIGRATIONS } from '@dealledger/event-store';
import { createKafka, Inbox1732700000001 } from '@dealledger/messaging';
import { GENERATION_MIGRATIONS } from '../apps/relationships/src/projection/generations';
import { relationshipsGroupId, sourceTopics } from '../apps/relationships/src/projection/relationships-inbound';
import { RelationshipsRebuild } from '../apps/relationships/src/rebuild/rebuild';

async function main(): Promise<number> {
  const force = process.argv.slice(2).includes('--force');
  const schema = process.env.DB_SCHEMA ?? 'relationships';
  const db = await openDatabase({ schema, migrations: [...EVENT_STORE_MIGRATIONS, Inbox1732700000001, ...GENERATION_MIGRATIONS] });
  try {
    const rebuild = new RelationshipsRebuild(db, createKafka('dealledger-relationships-rebuild'), schema, sourceTopics, relationshipsGroupId());
    const report = await rebuild.run({ force });
    console.log(JSON.stringify(report, null, 2));
    return 0;
  } catch (err) {
    if (!(err instanceof DomainError && err.code === 'rebuild.digest_mismatch')) throw err;
    console.log(JSON.stringify(err.details?.report, null, 2));
    console.error(`${err.message} (here: --force)`);
    return 2;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err.message);
    process.exit(1);
  },
);
