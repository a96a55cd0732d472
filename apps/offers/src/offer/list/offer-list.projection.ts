import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { OfferEvent } from '@dealledger/events';
import { LocalProjector, PostgresEventStore, RecordedEvent, schemaOf } from '@dealledger/event-store';
import { DATA_SOURCE } from '@dealledger/platform';
import { offerListChange, OfferListRow, OfferListStatus } from './offer-list';

/**
 * The offers list: one row per offer, kept from the app's own log by a local projector (not a
 * scan of the event table). Rows are ordered by where the offer was drafted in the log, which
 * never changes: a cursor past a row stays valid while offers are drafted and change meanwhile,
 * so paging never repeats or skips one. Rebuilt by dropping the rows and the checkpoint
 * `projection:offer_list`: the projector replays the log from the start.
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

export interface OfferListQuery {
  /** `sent` (as the supplier), `received` (as the buyer), or both when absent. */
  role?: 'sent' | 'received';
  status?: OfferListStatus;
  /** The other party. */
  counterparty?: string;
  sku?: string;
  /** Validity ending before this time. */
  validBefore?: string;
  limit: number;
  /** The opaque cursor of the previous page's last row. */
  after?: string;
}

export interface OfferListPage {
  items: (OfferListRow & { updatedAt: string })[];
  /** Cursor for the next page; null on the last. */
  next: string | null;
}

/** `after` cursors are the base64url of the drafted position: opaque to callers, cheap to check. */
export function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

export function decodeCursor(cursor: string): number | null {
  try {
    const { p } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown };
    return Number.isSafeInteger(p) && (p as number) > 0 ? (p as number) : null;
  } catch {
    return null;
  }
}

@Injectable()
export class OfferListProjection implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly projector: LocalProjector;
  private readonly table: string;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    store: PostgresEventStore,
  ) {
    this.table = `"${store.schema}".offer_list`;
    this.projector = new LocalProjector(dataSource, store, { name: 'projection:offer_list', apply: (events, tx) => this.apply(events, tx) });
  }

  onApplicationBootstrap(): void {
    this.projector.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.projector.stop();
  }

  /** Applies what is committed so far (tests; a reader that must see its own writes). */
  catchUp(): Promise<number> {
    return this.projector.catchUp();
  }

  private async apply(events: RecordedEvent[], tx: EntityManager): Promise<void> {
    for (const e of events) {
      const change = offerListChange({ type: e.type, data: e.data } as OfferEvent);
      if (!change) continue;
      if ('created' in change) {
        const r = change.created;
        await tx.query(
          `INSERT INTO ${this.table} (offer_id, supplier_id, buyer_id, status, skus, valid_until, revision, drafted_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (offer_id) DO NOTHING`,
          [r.offerId, r.supplierId, r.buyerId, r.status, r.skus, r.validUntil, r.revision, e.position, e.recordedAt],
        );
      } else {
        const c = change.changed;
        await tx.query(
          `UPDATE ${this.table} SET status = coalesce($2, status), skus = coalesce($3, skus), valid_until = coalesce($4, valid_until),
                  revision = coalesce($5, revision), updated_at = $6 WHERE offer_id = $1`,
          [c.offerId, c.status ?? null, c.skus ?? null, c.validUntil ?? null, c.revision ?? null, e.recordedAt],
        );
      }
    }
  }

  /** A page of the offers `companyId` may see: all it sent, and those it received once submitted. */
  async page(companyId: string, q: OfferListQuery): Promise<OfferListPage> {
    const params: unknown[] = [companyId];
    const p = (v: unknown) => `$${params.push(v)}`;
    // A draft is the supplier's until it is submitted (as for GET /offers/:id).
    const sent = `supplier_id = $1`;
    const received = `(buyer_id = $1 AND status <> 'draft')`;
    const where = [q.role === 'sent' ? sent : q.role === 'received' ? received : `(${sent} OR ${received})`];
    if (q.status) where.push(`status = ${p(q.status)}`);
    if (q.counterparty) where.push(`(CASE WHEN supplier_id = $1 THEN buyer_id ELSE supplier_id END) = ${p(q.counterparty)}`);
    if (q.sku) where.push(`${p(q.sku)} = ANY(skus)`);
    if (q.validBefore) where.push(`valid_until < ${p(q.validBefore)}`);
    if (q.after) where.push(`drafted_at < ${p(decodeCursor(q.after))}`);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT offer_id, supplier_id, buyer_id, status, skus, valid_until, revision, drafted_at, updated_at FROM ${this.table}
        WHERE ${where.join(' AND ')} ORDER BY drafted_at DESC LIMIT ${p(q.limit + 1)}`,
      params,
    );
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit).map((r) => ({
      offerId: r.offer_id,
      supplierId: r.supplier_id,
      buyerId: r.buyer_id,
      status: r.status,
      skus: r.skus,
      validUntil: new Date(r.valid_until).toISOString(),
      revision: r.revision,
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
    return { items, next: more ? encodeCursor(Number(rows[q.limit - 1].drafted_at)) : null };
  }
}
