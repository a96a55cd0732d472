import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { OfferEvent } from '@dealledger/events';
import { PostgresEventStore, RecordedEvent, schemaOf } from '@dealledger/event-store';
import { DATA_SOURCE, KnownCompanies, LocalReadModel, Page, pageOf, Queryable, rolePageSql, textSearch } from '@dealledger/platform';
import { offerListChange, OfferListRow, OfferListStatus } from './offer-list';

/**
 * The offers list: one row per offer, kept from the app's own log by a local projector (not a
 * scan of the event table). Rows are ordered by where the offer was drafted in the log, which
 * never changes: a cursor past a row stays valid while offers are drafted and change meanwhile,
 * so paging never repeats or skips one. Rebuilt and checked against the log by
 * `POST /admin/read-models/offer_list/rebuild` (see LocalReadModel).
 */
export class OfferList1737100000000 implements MigrationInterface {
  name = 'OfferList1737100000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.offer_list (
        offer_id        uuid PRIMARY KEY,
        supplier_id     uuid NOT NULL,
        buyer_id        uuid NOT NULL,
        status          text NOT NULL,
        skus            text[] NOT NULL,
        valid_until     timestamptz NOT NULL,
        revision        integer NOT NULL,
        drafted_at      bigint NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX offer_list_supplier_idx ON ${s}.offer_list (supplier_id, drafted_at DESC)`);
    await q.query(`CREATE INDEX offer_list_buyer_idx ON ${s}.offer_list (buyer_id, drafted_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".offer_list`);
  }
}

/** Full-text search over the offers list: a document per row (skus, descriptions) and its index. */
export class OfferListSearch1737200000000 implements MigrationInterface {
  name = 'OfferListSearch1737200000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`ALTER TABLE ${s}.offer_list ADD COLUMN document tsvector NOT NULL DEFAULT ''::tsvector`);
    // A buyer sees an offer once submitted, also after it is withdrawn or expires; never a draft withdrawn or expired unsent.
    await q.query(`ALTER TABLE ${s}.offer_list ADD COLUMN submitted boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX offer_list_document_idx ON ${s}.offer_list USING gin (document)`);
    // Rows projected before: replayed from the log to fill their documents.
    await q.query(`DELETE FROM ${s}.offer_list`);
    await q.query(`DELETE FROM ${s}.outbox_checkpoints WHERE name = 'projection:offer_list'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${schemaOf(q)}".offer_list DROP COLUMN document, DROP COLUMN submitted`);
  }
}

export interface OfferListQuery {
  /** `sent` (as the supplier), `received` (as the buyer), or both when absent. */
  role?: 'sent' | 'received';
  status?: OfferListStatus;
  /** The other party. */
  counterparty?: string;
  sku?: string;
  /** Full-text search: skus, descriptions, the counterparty's name. */
  q?: string;
  /** Validity ending before this time. */
  validBefore?: string;
  limit: number;
  /** The position of the previous page's last row (its decoded cursor). */
  after?: number;
}

export type OfferListPage = Page<Omit<OfferListRow, 'text' | 'submitted'> & { updatedAt: string }>;

@Injectable()
export class OfferListProjection extends LocalReadModel {
  constructor(
    @Inject(DATA_SOURCE) dataSource: DataSource,
    store: PostgresEventStore,
    private readonly companies: KnownCompanies,
  ) {
    super(dataSource, store, 'offer_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const e of events) {
      const change = offerListChange({ type: e.type, data: e.data } as OfferEvent);
      if (!change) continue;
      if ('created' in change) {
        const r = change.created;
        await tx.query(
          `INSERT INTO ${table} (offer_id, supplier_id, buyer_id, status, skus, valid_until, revision, drafted_at, updated_at, document)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_tsvector('simple', $10)) ON CONFLICT (offer_id) DO NOTHING`,
          [r.offerId, r.supplierId, r.buyerId, r.status, r.skus, r.validUntil, r.revision, e.position, e.recordedAt, r.text],
        );
      } else {
        const c = change.changed;
        await tx.query(
          `UPDATE ${table} SET status = coalesce($2, status), skus = coalesce($3, skus), valid_until = coalesce($4, valid_until),
                  revision = coalesce($5, revision), updated_at = $6, document = coalesce(to_tsvector('simple', $7), document),
                  submitted = submitted OR coalesce($8, false) WHERE offer_id = $1`,
          [c.offerId, c.status ?? null, c.skus ?? null, c.validUntil ?? null, c.revision ?? null, e.recordedAt, c.text ?? null, c.submitted ?? null],
        );
      }
    }
  }

  /** A page of the offers `companyId` may see: all it sent, and those it received once submitted. */
  async page(companyId: string, q: OfferListQuery): Promise<OfferListPage> {
    const params: unknown[] = [companyId];
    const p = (v: unknown) => `$${params.push(v)}`;
    // An offer is the supplier's until it is submitted, whatever becomes of it (as for GET /offers/:id).
    const sent = `supplier_id = $1`;
    const received = `(buyer_id = $1 AND submitted)`;
    // Both: a row of both roles (an offer to itself) once, as sent.
    const roles = q.role === 'sent' ? [sent] : q.role === 'received' ? [received] : [sent, `${received} AND supplier_id <> $1`];
    const where: string[] = [];
    if (q.status) where.push(`status = ${p(q.status)}`);
    if (q.counterparty) where.push(`(CASE WHEN supplier_id = $1 THEN buyer_id ELSE supplier_id END) = ${p(q.counterparty)}`);
    if (q.sku) where.push(`${p(q.sku)} = ANY(skus)`);
    if (q.validBefore) where.push(`valid_until < ${p(q.validBefore)}`);
    if (q.q) where.push(textSearch(q.q, 'document', 'CASE WHEN supplier_id = $1 THEN buyer_id ELSE supplier_id END', this.companies.named(q.q), p));
    if (q.after) where.push(`drafted_at < ${p(q.after)}`);
    const rows: Record<string, any>[] = await this.dataSource.query(
      rolePageSql({
        columns: 'offer_id, supplier_id, buyer_id, status, skus, valid_until, revision, drafted_at, updated_at',
        table: this.table,
        roles,
        where,
        order: 'drafted_at',
        limit: p(q.limit + 1),
      }),
      params,
    );
    return pageOf(
      rows,
      q.limit,
      (r) => Number(r.drafted_at),
      (r) => ({
        offerId: r.offer_id,
        supplierId: r.supplier_id,
        buyerId: r.buyer_id,
        status: r.status,
        skus: r.skus,
        validUntil: new Date(r.valid_until).toISOString(),
        revision: r.revision,
        updatedAt: new Date(r.updated_at).toISOString(),
      }),
    );
  }
}
