// `npm run kafka:access`: creates the ledger's topics and grants each app's Kafka principal its
// ACLs (libs/messaging/src/access.ts) on the cluster KAFKA_BROKERS names, for TOPIC_PREFIX.
// Signs in as `operator` (or KAFKA_USERNAME / KAFKA_PASSWORD): a principal that may do both.
import { applyLedgerAccess, createKafka } from '@dealledger/messaging';

async function main(): Promise<void> {
  const prefix = process.env.TOPIC_PREFIX || 'dealledger';
  const { topics, grants } = await applyLedgerAccess(createKafka('dealledger-access'), prefix);
  console.log(`[kafka] access for '${prefix}': ${topics} topics, ${grants} ACLs`);
}

main().catch((err) => {
  console.error(`[kafka] access failed: ${(err as Error).message}`);
  process.exit(1);
});
