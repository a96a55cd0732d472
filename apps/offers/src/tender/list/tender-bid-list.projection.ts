import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { TenderEvent } from '@dealledger/events';
import { PostgresEventStore, RecordedEvent } from '@dealledger/event-store';
import { DATA_SOURCE, LocalReadModel, Page, pageOf, Queryable } from '@dealledger/platform';
import { tenderBidListChange, TenderBidStatus } from './tender-bid-list';
import type { TenderListStatus } from './tender-list';

export interface TenderBidListQuery {
  status?: TenderBidStatus;
  tenderId?: string;
  limit: number;
  /** The position of the previous page's last row (its decoded cursor). */
  after?: number;
}

export interface TenderBidListItem {
  bidId: string;
  tenderId: string;
  buyerId: string;
  supplierId: string;
  status: TenderBidStatus;
  tenderStatus: TenderListStatus;
  contentHash: string;
  /** The bid's own total, once the tender closed and opened it. */
  total: string | null;
  submittedAt: string;
  updatedAt: string;
}

/**
 * The bids list: one row per bid, kept from the app's own log by a local projector; its table is
 * made by TenderList1737300000000. Rebuilt and checked against the log by
 * `POST /admin/read-models/tender_bid_list/rebuild` (see LocalReadModel).
 */
@Injectable()
export class TenderBidListProjection extends LocalReadModel {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore) {
    super(dataSource, store, 'tender_bid_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const e of events) {
      const change = tenderBidListChange({ type: e.type, data: e.data } as TenderEvent);
      if (!change) continue;
      if ('submitted' in change) {
        const r = change.submitted;
        await tx.query(
          `UPDATE ${table} SET status = 'replaced', updated_at = $4 WHERE tender_id = $1 AND supplier_id = $2 AND status = 'submitted' AND bid_id <> $3`,
          [r.tenderId, r.supplierId, r.bidId, e.recordedAt],
        );
        await tx.query(
          `INSERT INTO ${table} (bid_id, tender_id, buyer_id, supplier_id, status, tender_status, content_hash, total, submitted_position, submitted_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (bid_id) DO NOTHING`,
          [r.bidId, r.tenderId, r.buyerId, r.supplierId, r.status, r.tenderStatus, r.contentHash, r.total, e.position, e.recordedAt],
        );
      } else if ('withdrawn' in change) {
        await tx.query(`UPDATE ${table} SET status = 'withdrawn', updated_at = $2 WHERE bid_id = $1`, [change.withdrawn.bidId, e.recordedAt]);
      } else {
        const c = change.tender;
        await tx.query(`UPDATE ${table} SET tender_status = $2, updated_at = $3 WHERE tender_id = $1`, [c.tenderId, c.tenderStatus, e.recordedAt]);
        if (c.totals?.length) {
          await tx.query(
            `UPDATE ${table} t SET total = o.total FROM unnest($2::uuid[], $3::text[]) AS o (bid_id, total) WHERE t.tender_id = $1 AND t.bid_id = o.bid_id`,
            [c.tenderId, c.totals.map((b) => b.bidId), c.totals.map((b) => b.total)],
          );
        }
        if (c.awardAnnulled) {
          await tx.query(`UPDATE ${table} SET status = 'submitted' WHERE tender_id = $1 AND status IN ('won', 'lost')`, [c.tenderId]);
        }
        if (c.winningBidIds) {
          await tx.query(
            `UPDATE ${table} SET status = CASE WHEN bid_id = ANY($2::uuid[]) THEN 'won' ELSE 'lost' END WHERE tender_id = $1 AND status = 'submitted'`,
            [c.tenderId, c.winningBidIds],
          );
        }
      }
    }
  }

  /** A page of the bids `companyId` submitted: its own only, never another bidder's. */
  async page(companyId: string, q: TenderBidListQuery): Promise<Page<TenderBidListItem>> {
    const params: unknown[] = [companyId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = [`supplier_id = $1`];
    if (q.status) where.push(`status = ${p(q.status)}`);
    if (q.tenderId) where.push(`tender_id = ${p(q.tenderId)}`);
    if (q.after) where.push(`submitted_position < ${p(q.after)}`);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT bid_id, tender_id, buyer_id, supplier_id, status, tender_status, content_hash, total, submitted_position, submitted_at, updated_at
         FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY submitted_position DESC LIMIT ${p(q.limit + 1)}`,
      params,
    );
    return pageOf(
      rows,
      q.limit,
      (r) => Number(r.submitted_position),
      (r): TenderBidListItem => ({
        bidId: r.bid_id,
        tenderId: r.tender_id,
        buyerId: r.buyer_id,
        supplierId: r.supplier_id,
        status: r.status,
        tenderStatus: r.tender_status,
        contentHash: r.content_hash,
        total: r.total,
        submittedAt: new Date(r.submitted_at).toISOString(),
        updatedAt: new Date(r.updated_at).toISOString(),
      }),
    );
  }
}
