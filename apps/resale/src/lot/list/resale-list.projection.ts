import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { LotEvent } from '@dealledger/events';
import { PostgresEventStore, RecordedEvent, schemaOf } from '@dealledger/event-store';
import { normaliseQuantity } from '@dealledger/domain';
import { DATA_SOURCE, LocalReadModel, Page, pageOf, Queryable, rolePageSql } from '@dealledger/platform';
import { resaleListChange, ResaleListRow, ResaleRole } from './lot-list';

/**
 * The resales list: one row per resale out of a lot, kept from the resale log by a local
 * projector, ordered by where the resale was recorded in the log (never changes, so cursors hold
 * while others are made). Rebuilt and checked against the log by
 * `POST /admin/read-models/resale_list/rebuild`.
 */
export class ResaleList1737500000001 implements MigrationInterface {
  name = 'ResaleList1737500000001';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.resale_list (
        resale_id              uuid PRIMARY KEY,
        lot_id                 uuid NOT NULL,
        seller_id              uuid NOT NULL,
        buyer_id               uuid NOT NULL,
        origin_supplier_id     uuid NOT NULL,
        sku                    text NOT NULL,
        quantity               integer NOT NULL,
        unit_price             text NOT NULL,
        currency               text NOT NULL,
        downstream_contract_id uuid,
        unit_cost              text NOT NULL,
        margin                 text NOT NULL,
        remaining              integer NOT NULL,
        resold_pos             bigint NOT NULL,
        resold_at              timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX resale_list_seller_idx ON ${s}.resale_list (seller_id, resold_pos DESC)`);
    await q.query(`CREATE INDEX resale_list_buyer_idx ON ${s}.resale_list (buyer_id, resold_pos DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".resale_list`);
  }
}

export interface ResaleListQuery {
  /** `sold` (as the seller, the lot's owner), `bought` (as the buyer), or both when absent. */
  role?: ResaleRole;
  buyer?: string;
  sku?: string;
  limit: number;
  /** The position of the previous page's last row (its decoded cursor). */
  after?: number;
}

type Shared = Omit<ResaleListRow, 'unitCost' | 'margin' | 'remaining'>;
/** The seller sees its cost, margin and what the lot had left; the buyer sees what it paid, as provenance shows a hop to its parties. */
export type ResaleListItem = Shared & { role: ResaleRole; resoldAt: string } & Partial<Pick<ResaleListRow, 'unitCost' | 'margin' | 'remaining'>>;
export type ResaleListPage = Page<ResaleListItem>;

@Injectable()
export class ResaleListProjection extends LocalReadModel {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore) {
    super(dataSource, store, 'resale_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const e of events) {
      const change = resaleListChange({ type: e.type, data: e.data } as LotEvent);
      if (!change) continue;
      const r = change.created;
      await tx.query(
        `INSERT INTO ${table} (resale_id, lot_id, seller_id, buyer_id, origin_supplier_id, sku, quantity, unit_price, currency, downstream_contract_id,
                               unit_cost, margin, remaining, resold_pos, resold_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (resale_id) DO NOTHING`,
        [
          r.resaleId,
          r.lotId,
          r.sellerId,
          r.buyerId,
          r.originSupplierId,
          r.sku,
          r.quantity,
          r.unitPrice,
          r.currency,
          r.downstreamContractId,
          r.unitCost,
          r.margin,
          r.remaining,
          e.position,
          e.occurredAt,
        ],
      );
    }
  }

  /** A page of the resales `companyId` made (as the lot's owner) or received (as the buyer); nobody else's. */
  async page(companyId: string, q: ResaleListQuery): Promise<ResaleListPage> {
    const params: unknown[] = [companyId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const sold = `seller_id = $1`;
    const bought = `buyer_id = $1`;
    const roles = q.role === 'sold' ? [sold] : q.role === 'bought' ? [bought] : [sold, `${bought} AND seller_id <> $1`];
    const where: string[] = [];
    if (q.buyer) where.push(`buyer_id = ${p(q.buyer)}`);
    if (q.sku) where.push(`sku = ${p(q.sku)}`);
    if (q.after) where.push(`resold_pos < ${p(q.after)}`);
    const rows: Record<string, any>[] = await this.dataSource.query(
      rolePageSql({
        columns: `resale_id, lot_id, seller_id, buyer_id, origin_supplier_id, sku, quantity::text AS quantity, unit_price, currency, downstream_contract_id,
              resold_pos, resold_at, seller_id = $1 AS sold,
              -- What only the seller may see is not even read for the buyer.
              CASE WHEN seller_id = $1 THEN unit_cost END AS unit_cost, CASE WHEN seller_id = $1 THEN margin END AS margin,
              CASE WHEN seller_id = $1 THEN remaining::text END AS remaining`,
        table: this.table,
        roles,
        where,
        order: 'resold_pos',
        limit: p(q.limit + 1),
      }),
      params,
    );
    return pageOf(
      rows,
      q.limit,
      (r) => Number(r.resold_pos),
      (r): ResaleListItem => {
        const item: ResaleListItem = {
          resaleId: r.resale_id,
          lotId: r.lot_id,
          role: r.sold ? 'sold' : 'bought',
          sellerId: r.seller_id,
          buyerId: r.buyer_id,
          originSupplierId: r.origin_supplier_id,
          sku: r.sku,
          quantity: normaliseQuantity(r.quantity),
          unitPrice: r.unit_price,
          currency: r.currency,
          downstreamContractId: r.downstream_contract_id,
          resoldAt: new Date(r.resold_at).toISOString(),
        };
        // The buyer downstream does not learn what the goods cost the seller, nor its margin or stock.
        return r.sold ? { ...item, unitCost: r.unit_cost, margin: r.margin, remaining: normaliseQuantity(r.remaining) } : item;
      },
    );
  }
}
