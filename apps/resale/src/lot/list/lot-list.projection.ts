import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { LotEvent } from '@dealledger/events';
import { PostgresEventStore, RecordedEvent, schemaOf } from '@dealledger/event-store';
import { normaliseQuantity } from '@dealledger/domain';
import { DATA_SOURCE, KnownCompanies, LocalReadModel, Page, pageOf, Queryable, textSearch } from '@dealledger/platform';
import { lotListChange, LotListRow } from './lot-list';

/**
 * The lots list: one row per lot, kept from the resale log by a local projector (not a scan of
 * the event table). Rows are ordered by where the lot was recorded in the log, which never
 * changes: a cursor past a row stays valid while lots are recorded and resold meanwhile. Full-text
 * search over a `document` (sku, description) with its GIN index. Rebuilt and checked against
 * the log by `POST /admin/read-models/lot_list/rebuild` (see LocalReadModel).
 */
export class LotList1737500000000 implements MigrationInterface {
  name = 'LotList1737500000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.lot_list (
        lot_id             uuid PRIMARY KEY,
        owner_id           uuid NOT NULL,
        seller_id          uuid NOT NULL,
        origin_supplier_id uuid NOT NULL,
        sku                text NOT NULL,
        description        text NOT NULL,
        quantity           integer NOT NULL,
        remaining          integer NOT NULL,
        unit_cost          text NOT NULL,
        currency           text NOT NULL,
        source_kind        text NOT NULL,
        contract_id        uuid,
        call_off_id        uuid,
        upstream_lot_id    uuid,
        resale_id          uuid,
        recorded_pos       bigint NOT NULL,
        recorded_at        timestamptz NOT NULL,
        updated_at         timestamptz NOT NULL,
        document           tsvector NOT NULL
      )`);
    await q.query(`CREATE INDEX lot_list_owner_idx ON ${s}.lot_list (owner_id, recorded_pos DESC)`);
    // Stock on hand is the usual question: the lots not sold out, without reading the rest.
    await q.query(`CREATE INDEX lot_list_in_stock_idx ON ${s}.lot_list (owner_id, recorded_pos DESC) WHERE remaining > 0`);
    await q.query(`CREATE INDEX lot_list_document_idx ON ${s}.lot_list USING gin (document)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".lot_list`);
  }
}

/**
 * Quantities are exact decimals (events version 2): the lots' and the resales' quantity columns
 * hold fractions too (the in-stock index's `remaining > 0` reads them as numbers still).
 */
export class LotListDecimalQuantities1764500000001 implements MigrationInterface {
  name = 'LotListDecimalQuantities1764500000001';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`ALTER TABLE ${s}.lot_list ALTER COLUMN quantity TYPE numeric, ALTER COLUMN remaining TYPE numeric`);
    await q.query(`ALTER TABLE ${s}.resale_list ALTER COLUMN quantity TYPE numeric, ALTER COLUMN remaining TYPE numeric`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(
      `ALTER TABLE ${s}.lot_list ALTER COLUMN quantity TYPE integer USING ceil(quantity), ALTER COLUMN remaining TYPE integer USING ceil(remaining)`,
    );
    await q.query(
      `ALTER TABLE ${s}.resale_list ALTER COLUMN quantity TYPE integer USING ceil(quantity), ALTER COLUMN remaining TYPE integer USING ceil(remaining)`,
    );
  }
}

export interface LotListQuery {
  sku?: string;
  /** true: something is left; false: sold out. */
  inStock?: boolean;
  /** The original supplier (the maker at the start of the chain). */
  origin?: string;
  /** Full-text search: sku, description, the seller's or the original supplier's name. */
  q?: string;
  limit: number;
  /** The position of the previous page's last row (its decoded cursor). */
  after?: number;
}

export type LotListItem = Omit<LotListRow, 'text'> & { recordedAt: string; updatedAt: string };
export type LotListPage = Page<LotListItem>;

@Injectable()
export class LotListProjection extends LocalReadModel {
  constructor(
    @Inject(DATA_SOURCE) dataSource: DataSource,
    store: PostgresEventStore,
    private readonly companies: KnownCompanies,
  ) {
    super(dataSource, store, 'lot_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const e of events) {
      const change = lotListChange({ type: e.type, data: e.data } as LotEvent);
      if (!change) continue;
      if ('created' in change) {
        const r = change.created;
        await tx.query(
          `INSERT INTO ${table} (lot_id, owner_id, seller_id, origin_supplier_id, sku, description, quantity, remaining, unit_cost, currency,
                                 source_kind, contract_id, call_off_id, upstream_lot_id, resale_id, recorded_pos, recorded_at, updated_at, document)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, to_tsvector('simple', $18))
           ON CONFLICT (lot_id) DO NOTHING`,
          [
            r.lotId,
            r.ownerId,
            r.sellerId,
            r.originSupplierId,
            r.sku,
            r.description,
            r.quantity,
            r.remaining,
            r.unitCost,
            r.currency,
            r.source.kind,
            r.source.contractId,
            r.source.callOffId,
            r.source.upstreamLotId,
            r.source.resaleId,
            e.position,
            e.recordedAt,
            r.text,
          ],
        );
      } else {
        const c = change.changed;
        await tx.query(`UPDATE ${table} SET remaining = $2, updated_at = $3 WHERE lot_id = $1`, [c.lotId, c.remaining, e.recordedAt]);
      }
    }
  }

  /** A page of the lots `companyId` owns: a lot is its owner's alone (as for GET /lots/:id). */
  async page(companyId: string, q: LotListQuery): Promise<LotListPage> {
    const params: unknown[] = [companyId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = [`owner_id = $1`];
    if (q.sku) where.push(`sku = ${p(q.sku)}`);
    if (q.inStock !== undefined) where.push(q.inStock ? `remaining > 0` : `remaining = 0`);
    if (q.origin) where.push(`origin_supplier_id = ${p(q.origin)}`);
    if (q.q) {
      // Two companies stand behind a lot: the one that sold it to the owner, and the maker.
      const named = this.companies.named(q.q);
      where.push(`(${textSearch(q.q, 'document', 'seller_id', named, p)} OR origin_supplier_id::text = ANY(${p(named)}::text[]))`);
    }
    if (q.after) where.push(`recorded_pos < ${p(q.after)}`);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT lot_id, owner_id, seller_id, origin_supplier_id, sku, description, quantity::text AS quantity, remaining::text AS remaining, unit_cost, currency,
              source_kind, contract_id, call_off_id, upstream_lot_id, resale_id, recorded_pos, recorded_at, updated_at
         FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY recorded_pos DESC LIMIT ${p(q.limit + 1)}`,
      params,
    );
    return pageOf(
      rows,
      q.limit,
      (r) => Number(r.recorded_pos),
      (r) => ({
        lotId: r.lot_id,
        ownerId: r.owner_id,
        sellerId: r.seller_id,
        originSupplierId: r.origin_supplier_id,
        sku: r.sku,
        description: r.description,
        quantity: normaliseQuantity(r.quantity),
        remaining: normaliseQuantity(r.remaining),
        unitCost: r.unit_cost,
        currency: r.currency,
        source: { kind: r.source_kind, contractId: r.contract_id, callOffId: r.call_off_id, upstreamLotId: r.upstream_lot_id, resaleId: r.resale_id },
        recordedAt: new Date(r.recorded_at).toISOString(),
        updatedAt: new Date(r.updated_at).toISOString(),
      }),
    );
  }
}
