import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { OfferEvent } from '@dealledger/events';
import { schemaOf, type RecordedEvent } from '@dealledger/event-store';

/** One row per offer that can still expire: when it stops being valid. */
export interface OfferValidity {
  offerId: string;
  validUntil: string;
}

/** Pure: the row after an event (null: nothing left to expire). */
export function evolveValidity(row: OfferValidity | null, event: OfferEvent): OfferValidity | null {
  switch (event.type) {
    case 'OfferDrafted':
    case 'OfferRevised':
      return { offerId: event.data.offerId, validUntil: event.data.validUntil };
    case 'OfferSubmitted':
    case 'OfferCountered':
      return row;
    case 'OfferAccepted':
    case 'OfferRejected':
    case 'OfferWithdrawn':
    case 'OfferExpired':
      return null;
  }
}

export const OFFER_VALIDITY_PROJECTION = 'projection:offer_validity';

/** Applies a batch of the offers store's events to the `offer_validity` table. */
export async function projectOfferValidity(events: RecordedEvent[], tx: EntityManager, schema: string): Promise<void> {
  for (const e of events) {
    if (e.streamType !== 'offer') continue;
    const offerId = e.streamId.slice('offer-'.length);
    const rows = await tx.query(`SELECT valid_until FROM "${schema}".offer_validity WHERE offer_id = $1`, [offerId]);
    const current = rows[0] ? { offerId, validUntil: new Date(rows[0].valid_until).toISOString() } : null;
    const next = evolveValidity(current, { type: e.type, data: e.data } as OfferEvent);
    if (next) {
      await tx.query(
        `INSERT INTO "${schema}".offer_validity (offer_id, valid_until) VALUES ($1, $2) ON CONFLICT (offer_id) DO UPDATE SET valid_until = EXCLUDED.valid_until`,
        [offerId, next.validUntil],
      );
    } else if (current) {
      await tx.query(`DELETE FROM "${schema}".offer_validity WHERE offer_id = $1`, [offerId]);
    }
  }
}

export class OfferValidity1732800000000 implements MigrationInterface {
  name = 'OfferValidity1732800000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`CREATE TABLE ${s}.offer_validity (offer_id uuid PRIMARY KEY, valid_until timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX offer_validity_due_idx ON ${s}.offer_validity (valid_until)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".offer_validity`);
  }
}
