import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { AccountTargetedV1, EventEnvelope, ProspectRegisteredV1, TouchRecordedV1 } from '@dealledger/events';
import { schemaOf } from '@dealledger/event-store';
import { PoisonMessageError } from '@dealledger/messaging';
import { targetCompanyId } from '@dealledger/domain';
import type { Db } from '../projection/rows';
import type { TimelineEvent } from '../history/timeline-event';

/**
 * A seller's touches with a company it targets (from the accounts context's private topic),
 * shown to that seller alone in its timeline with the company. They are kept apart from the
 * timeline's generations: the buyer's timeline, every summary, scorecard, inbox, feed and
 * webhook are built from deals only, so nothing of a seller's plan can reach another company
 * through them. Only the account's target and the touches are kept, not the committee map.
 * Written idempotently by the live consumer (keyed by account and event), a rebuild of the
 * generations leaves them alone, like the feed.
 */
export class Touches1764470000000 implements MigrationInterface {
  name = 'Touches1764470000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    // company_id: the registered company, or the one a prospect will register as; null for an industry.
    await q.query(`CREATE TABLE ${s}.seller_accounts (account_id text PRIMARY KEY, seller_id text NOT NULL, company_id text)`);
    await q.query(`CREATE INDEX seller_accounts_pair_idx ON ${s}.seller_accounts (seller_id, company_id)`);
    await q.query(`
      CREATE TABLE ${s}.seller_touches (
        event_id    text PRIMARY KEY,
        account_id  text NOT NULL,
        seller_id   text NOT NULL,
        stream_id   text NOT NULL,
        position    bigint NOT NULL,
        -- When the touch happened (the timeline's business time), and when it was recorded.
        occurred_at text NOT NULL,
        recorded_at text NOT NULL,
        data        jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX seller_touches_account_idx ON ${s}.seller_touches (account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`DROP TABLE ${s}.seller_touches, ${s}.seller_accounts`);
  }
}

/** The accounts topic's events kept: an account's target (and a prospect's registration), and its touches. */
export const TOUCH_TYPES = ['AccountTargeted', 'ProspectRegistered', 'TouchRecorded'];

/** Keeps the targets and touches of a batch of the accounts topic's events; the rest of them is not read. */
export async function writeTouches(db: Db, schema: string, events: EventEnvelope[]): Promise<void> {
  const s = `"${schema}"`;
  for (const e of events) {
    if (e.type === 'AccountTargeted') {
      const d = e.data as AccountTargetedV1;
      await db.query(`INSERT INTO ${s}.seller_accounts (account_id, seller_id, company_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
        d.accountId,
        d.sellerId,
        targetCompanyId(d.target),
      ]);
    } else if (e.type === 'ProspectRegistered') {
      const d = e.data as ProspectRegisteredV1;
      await db.query(`UPDATE ${s}.seller_accounts SET company_id = $2 WHERE account_id = $1`, [d.accountId, d.companyId]);
    } else if (e.type === 'TouchRecorded') {
      const d = e.data as TouchRecordedV1;
      // The schema accepts ISO 8601 forms Date does not read (week dates): refused, not retried for ever.
      if (Number.isNaN(Date.parse(d.at))) throw new PoisonMessageError(`TouchRecorded ${e.id}: at ${d.at} is not a time this app reads`);
      // What the timeline shows (no more: the recorder is the seller's own business).
      const { accountId, sellerId, touchId, channel, at, campaignId, sellerPeople, stakeholderIds, summary } = d;
      await db.query(
        `INSERT INTO ${s}.seller_touches (event_id, account_id, seller_id, stream_id, position, occurred_at, recorded_at, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT DO NOTHING`,
        [
          e.id,
          accountId,
          sellerId,
          e.streamId,
          e.position,
          new Date(at).toISOString(),
          new Date(e.recordedAt).toISOString(),
          JSON.stringify({ accountId, sellerId, touchId, channel, at, campaignId, sellerPeople, stakeholderIds, summary }),
        ],
      );
    }
  }
}

/**
 * The seller's touches with a company (through every account of the seller that targets it) as
 * timeline events; with `asOf`, those that had happened and been recorded by then.
 */
export async function touchesWith(db: Db, schema: string, sellerId: string, companyId: string, asOf?: string): Promise<TimelineEvent[]> {
  const s = `"${schema}"`;
  const rows: { event_id: string; stream_id: string; position: string; occurred_at: string; recorded_at: string; data: TouchRecordedV1 }[] = await db.query(
    `SELECT t.* FROM ${s}.seller_touches t JOIN ${s}.seller_accounts a ON a.account_id = t.account_id
      WHERE a.seller_id = $1 AND a.company_id = $2 AND t.seller_id = $1 AND ($3::text IS NULL OR (t.occurred_at <= $3 AND t.recorded_at <= $3))`,
    [sellerId, companyId, asOf ?? null],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    context: 'accounts',
    type: 'TouchRecorded',
    streamId: r.stream_id,
    position: Number(r.position),
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    parties: [sellerId],
    data: r.data,
  }));
}
