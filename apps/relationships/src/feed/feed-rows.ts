import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EventEnvelope } from '@dealledger/events';
import { schemaOf } from '@dealledger/event-store';
import type { Db } from '../projection/rows';
import { feedEntriesOf, offerOf, offersToCheck } from './feed-view';
import { feedChannel } from './feed-signal';

/**
 * The feed: per company, every event it is a party to, as it may see it, numbered in the order
 * the rows commit (`seq`, the cursor). Not a generation of the read side: a rebuild leaves it
 * alone, so cursors that consumers hold stay valid.
 */
export class Feed1764460000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.feed (
        seq        bigserial PRIMARY KEY,
        company_id text NOT NULL,
        event_id   text NOT NULL,
        type       text NOT NULL,
        envelope   jsonb NOT NULL,
        redacted   boolean NOT NULL,
        as_recorded boolean NOT NULL,
        UNIQUE (company_id, event_id)
      )`);
    await q.query(`CREATE INDEX feed_company_seq_idx ON ${s}.feed (company_id, seq)`);
    // Offers submitted already, and drafts held back from the buyer until then.
    await q.query(`CREATE INDEX feed_offers_idx ON ${s}.feed ((envelope->'data'->>'offerId'), type) WHERE type IN ('OfferSubmitted', 'OfferDrafted')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".feed`);
  }
}

/**
 * Appends the entries of a batch inside the consumer's transaction. The transaction-scoped lock
 * makes feed writers take turns from numbering to commit, so a row numbered later never commits
 * earlier: a reader that has passed `seq` n never misses a row below it. Taken last, it is held
 * only for these inserts and the commit. A batch seen again (a redelivery) inserts nothing.
 */
export async function writeFeed(db: Db, schema: string, events: EventEnvelope[]): Promise<void> {
  const offers = offersToCheck(events);
  const known: { type: string; envelope: EventEnvelope }[] = offers.length
    ? await db.query(
        `SELECT DISTINCT ON (type, envelope->'data'->>'offerId') type, envelope FROM "${schema}".feed
          WHERE type IN ('OfferSubmitted', 'OfferDrafted') AND envelope->'data'->>'offerId' = ANY($1)`,
        [offers],
      )
    : [];
  const submitted = new Set(known.filter((r) => r.type === 'OfferSubmitted').map((r) => offerOf(r.envelope)));
  const drafts = new Map(known.filter((r) => r.type === 'OfferDrafted').map((r) => [offerOf(r.envelope), r.envelope]));
  const entries = feedEntriesOf(events, submitted, drafts);
  if (entries.length === 0) return;
  // The notification is delivered when the transaction commits: it wakes the readers waiting
  // in every replica. One round trip for both.
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_notify($2, '')`, [`${schema}.feed`, feedChannel(schema)]);
  await db.query(
    `INSERT INTO "${schema}".feed (company_id, event_id, type, envelope, redacted, as_recorded)
     SELECT c, id, t, e::jsonb, r, a FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::boolean[]) WITH ORDINALITY AS x(c, id, t, e, r, a, n)
     ORDER BY n
     ON CONFLICT (company_id, event_id) DO NOTHING`,
    [
      entries.map((x) => x.company),
      entries.map((x) => x.event.id),
      entries.map((x) => x.event.type),
      entries.map((x) => JSON.stringify(x.event)),
      entries.map((x) => x.redacted),
      entries.map((x) => x.asRecorded),
    ],
  );
}
