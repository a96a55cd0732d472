import { CONTEXTS, eventCatalog, eventsTopic } from '@dealledger/events';
import type { EventBatchHandler, EventHandler } from '@dealledger/messaging';
import { inboundConsumer } from '@dealledger/platform';
import { writableGenerations, writeEvents } from './generations';
import { writeFeed } from '../feed/feed-rows';
import { TOUCH_TYPES, writeTouches } from '../touches/touches';

/**
 * Every context's topic that records deals between companies (the read side publishes none of
 * its own): what the timelines, summaries, inbox and feeds are built and rebuilt from. The
 * accounts context's is a seller's private plan, not a deal between two parties: of it only the
 * seller's touches are kept, apart (see touches.ts).
 */
export const sourceTopics = () => CONTEXTS.filter((c) => c !== 'relationships' && c !== 'accounts').map((c) => eventsTopic(c));

export const relationshipsGroupId = () => process.env.RELATIONSHIPS_GROUP_ID ?? `${process.env.TOPIC_PREFIX || 'dealledger'}.relationships`;

/**
 * The live projection: consumes every deal topic (`sourceTopics`) from the earliest offset with
 * its own consumer group, idempotently (inbox + keyed rows), into every writable generation.
 * Several instances in one group share the partitions.
 */
export const RelationshipsInbound = inboundConsumer({
  name: 'RelationshipsInbound',
  groupId: relationshipsGroupId,
  topics: sourceTopics,
  handlers: (schema) => {
    // A fetched batch is written in one transaction: a few statements for many events.
    const handleBatch: EventBatchHandler = async (events, tx) => {
      for (const { generation, deferring } of await writableGenerations(tx, schema)) await writeEvents(tx, schema, generation, events, { defer: deferring });
      // Last: its lock is held until the commit (see writeFeed).
      await writeFeed(tx, schema, events);
    };
    const project: EventHandler = (event, tx) => handleBatch([event], tx);
    return { handlers: Object.fromEntries([...new Set(eventCatalog.list().map((d) => d.type))].map((type) => [type, project])), handleBatch };
  },
});

/**
 * The sellers' touches (the accounts topic): a consumer and group of their own
 * (`<group>.touches`), so the deals' read side never waits on the private topic (its grant,
 * its partitions, its poison) and no generation, summary or feed ever sees it.
 */
export const RelationshipsTouches = inboundConsumer({
  name: 'RelationshipsTouches',
  groupId: () => `${relationshipsGroupId()}.touches`,
  topics: () => [eventsTopic('accounts')],
  handlers: (schema) => {
    const handleBatch: EventBatchHandler = (events, tx) => writeTouches(tx, schema, events);
    const project: EventHandler = (event, tx) => handleBatch([event], tx);
    return { handlers: Object.fromEntries(TOUCH_TYPES.map((type) => [type, project])), handleBatch };
  },
});
