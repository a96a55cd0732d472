import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { TenderEvent } from '@dealledger/events';
import { PostgresEventStore, RecordedEvent, schemaOf } from '@dealledger/event-store';
import { DATA_SOURCE, KnownCompanies, LocalReadModel, Page, pageOf, Queryable, rolePageSql } from '@dealledger/platform';
import { awardSeenBy, tenderListChange, TenderListStatus } from './tender-list';

/**
 * The tenders list and the bids list: one row per tender and one per submitted bid, kept from
 * the app's own log by local projectors (not scans of the event table). Rows are ordered by
 * where the tender was opened / the bid submitted in the log, which never changes, so a cursor
 * stays valid while rows are added and change. Each has a `document` for full-text search
 * (tenders only) and the indexes its visibility rule needs.
 */
export class TenderList1737300000000 implements MigrationInterface {
  name = 'TenderList1737300000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.tender_list (
        tender_id           uuid PRIMARY KEY,
        buyer_id            uuid NOT NULL,
        title               text NOT NULL,
        status              text NOT NULL,
        public_procurement  boolean NOT NULL,
        currency            text NOT NULL,
        submission_deadline timestamptz NOT NULL,
        item_ids            text[] NOT NULL,
        invited             uuid[] NOT NULL,
        awarded_to          uuid,
        opened_position     bigint NOT NULL,
        opened_at           timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        document            tsvector NOT NULL
      )`);
    await q.query(`CREATE INDEX tender_list_buyer_idx ON ${s}.tender_list (buyer_id, opened_position DESC)`);
    // A supplier's tenders: those whose invited array holds it (`invited @> ARRAY[id]`).
    await q.query(`CREATE INDEX tender_list_invited_idx ON ${s}.tender_list USING gin (invited)`);
    await q.query(`CREATE INDEX tender_list_document_idx ON ${s}.tender_list USING gin (document)`);
    await q.query(`
      CREATE TABLE ${s}.tender_bid_list (
        bid_id              uuid PRIMARY KEY,
        tender_id           uuid NOT NULL,
        buyer_id            uuid NOT NULL,
        supplier_id         uuid NOT NULL,
        status              text NOT NULL,
        tender_status       text NOT NULL,
        content_hash        text NOT NULL,
        total               text,
        submitted_position  bigint NOT NULL,
        submitted_at        timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX tender_bid_list_supplier_idx ON ${s}.tender_bid_list (supplier_id, submitted_position DESC)`);
    // Close, award and cancel change every bid of their tender.
    await q.query(`CREATE INDEX tender_bid_list_tender_idx ON ${s}.tender_bid_list (tender_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`DROP TABLE ${s}.tender_bid_list`);
    await q.query(`DROP TABLE ${s}.tender_list`);
  }
}

/** Open procedures: the tender list keeps each tender's procedure, so that the notices are one indexed query. */
export class TenderNotices1738200000000 implements MigrationInterface {
  name = 'TenderNotices1738200000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`ALTER TABLE ${s}.tender_list ADD COLUMN procedure text NOT NULL DEFAULT 'invited'`);
    await q.query(`CREATE INDEX tender_list_notices_idx ON ${s}.tender_list (opened_position DESC) WHERE procedure = 'open'`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`DROP INDEX ${s}.tender_list_notices_idx`);
    await q.query(`ALTER TABLE ${s}.tender_list DROP COLUMN procedure`);
  }
}

/**
 * The notices read only the open procedures still open for bids: an index of every open
 * procedure kept the closed ones too, and a page with fewer open notices than it asks for read
 * through all of them.
 */
export class TenderNoticesOpen1738300000000 implements MigrationInterface {
  name = 'TenderNoticesOpen1738300000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`CREATE INDEX tender_list_open_notices_idx ON ${s}.tender_list (opened_position DESC) WHERE procedure = 'open' AND status = 'open'`);
    await q.query(`DROP INDEX ${s}.tender_list_notices_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`CREATE INDEX tender_list_notices_idx ON ${s}.tender_list (opened_position DESC) WHERE procedure = 'open'`);
    await q.query(`DROP INDEX ${s}.tender_list_open_notices_idx`);
  }
}

/** A page of the notices, newest first, read in the order of `tender_list_open_notices_idx`. */
export const noticesSql = (table: string, after: boolean) =>
  `SELECT tender_id, buyer_id, title, status, public_procurement, currency, submission_deadline, item_ids, opened_position, opened_at
     FROM ${table} WHERE procedure = 'open' AND status = 'open' AND submission_deadline > $1${after ? ' AND opened_position < $2' : ''}
    ORDER BY opened_position DESC LIMIT ${after ? '$3' : '$2'}`;

/** A published notice: what any registered company sees of an open procedure in the list. */
export interface NoticeItem {
  tenderId: string;
  buyerId: string;
  title: string;
  status: TenderListStatus;
  publicProcurement: boolean;
  currency: string;
  submissionDeadline: string;
  itemIds: string[];
  openedAt: string;
}

export interface TenderListQuery {
  /** `opened` (as the buyer), `invited` (as a supplier), or both when absent. */
  role?: 'opened' | 'invited';
  status?: TenderListStatus;
  /** Submission deadline before this time. */
  deadlineBefore?: string;
  /** Full-text search: title, item ids, descriptions, specifications, counterparty names. */
  q?: string;
  limit: number;
  /** The position of the previous page's last row (its decoded cursor). */
  after?: number;
}

export interface TenderListItem {
  tenderId: string;
  buyerId: string;
  /** How the caller is a party: it opened the tender, or was invited to it. */
  role: 'opened' | 'invited';
  title: string;
  status: TenderListStatus;
  publicProcurement: boolean;
  currency: string;
  submissionDeadline: string;
  itemIds: string[];
  /** The winner, when the caller may know it (as GET /tenders/:id shows the award). */
  awardedTo: string | null;
  openedAt: string;
  /** When the status last changed. */
  updatedAt: string;
}

@Injectable()
export class TenderListProjection extends LocalReadModel {
  constructor(
    @Inject(DATA_SOURCE) dataSource: DataSource,
    store: PostgresEventStore,
    private readonly companies: KnownCompanies,
  ) {
    super(dataSource, store, 'tender_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const e of events) {
      const change = tenderListChange({ type: e.type, data: e.data } as TenderEvent);
      if (!change) continue;
      if ('created' in change) {
        const r = change.created;
        await tx.query(
          `INSERT INTO ${table} (tender_id, buyer_id, title, status, public_procurement, currency, submission_deadline, item_ids, invited, awarded_to,
                                 opened_position, opened_at, updated_at, document, procedure)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid[], $10, $11, $12, $12, to_tsvector('simple', $13), $14) ON CONFLICT (tender_id) DO NOTHING`,
          [
            r.tenderId,
            r.buyerId,
            r.title,
            r.status,
            r.publicProcurement,
            r.currency,
            r.submissionDeadline,
            r.itemIds,
            r.invited,
            r.awardedTo,
            e.position,
            e.recordedAt,
            r.text,
            r.procedure,
          ],
        );
      } else if ('invited' in change) {
        // Not `updated_at`: an invited supplier must not see its row move when a rival is invited.
        const c = change.invited;
        await tx.query(`UPDATE ${table} SET invited = invited || ARRAY(SELECT s FROM unnest($2::uuid[]) s WHERE NOT s = ANY(invited)) WHERE tender_id = $1`, [
          c.tenderId,
          c.supplierIds,
        ]);
      } else {
        const c = change.changed;
        await tx.query(
          `UPDATE ${table} SET status = $2, awarded_to = CASE WHEN $5 THEN NULL ELSE coalesce($3, awarded_to) END, updated_at = $4 WHERE tender_id = $1`,
          [c.tenderId, c.status, c.awardedTo ?? null, e.recordedAt, c.awardAnnulled === true],
        );
      }
    }
  }

  /**
   * The notices still open for bids, newest first: open procedures before their deadline, which
   * every registered company may see and bid on. Bids, invitations and awards are not here.
   */
  async notices(q: { limit: number; after?: number }, now: Date): Promise<Page<NoticeItem>> {
    const rows: Record<string, any>[] = await this.dataSource.query(
      noticesSql(this.table, Boolean(q.after)),
      q.after ? [now.toISOString(), q.after, q.limit + 1] : [now.toISOString(), q.limit + 1],
    );
    return pageOf(
      rows,
      q.limit,
      (r) => Number(r.opened_position),
      (r): NoticeItem => ({
        tenderId: r.tender_id,
        buyerId: r.buyer_id,
        title: r.title,
        status: r.status,
        publicProcurement: r.public_procurement,
        currency: r.currency,
        submissionDeadline: new Date(r.submission_deadline).toISOString(),
        itemIds: r.item_ids,
        openedAt: new Date(r.opened_at).toISOString(),
      }),
    );
  }

  /**
   * A page of the tenders `companyId` may see, as GET /tenders/:id decides: those it opened, and
   * those it was invited to (a public procurement too: only its invited suppliers see it).
   */
  async page(companyId: string, q: TenderListQuery): Promise<Page<TenderListItem>> {
    const params: unknown[] = [companyId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const opened = `buyer_id = $1`;
    const invited = `invited @> ARRAY[$1::uuid]`;
    const roles = q.role === 'opened' ? [opened] : q.role === 'invited' ? [invited] : [opened, `${invited} AND buyer_id <> $1`];
    const where: string[] = [];
    if (q.status) where.push(`status = ${p(q.status)}`);
    if (q.deadlineBefore) where.push(`submission_deadline < ${p(q.deadlineBefore)}`);
    if (q.q) {
      // Counterparties by name: for the buyer every supplier it invited; for a supplier only the
      // buyer (the other invited suppliers are not its to know, nor to find tenders by).
      const named = p(this.companies.named(q.q));
      where.push(
        `(document @@ websearch_to_tsquery('simple', ${p(q.q)})
          OR CASE WHEN buyer_id = $1 THEN invited::text[] && ${named}::text[] ELSE buyer_id::text = ANY(${named}::text[]) END)`,
      );
    }
    if (q.after) where.push(`opened_position < ${p(q.after)}`);
    const rows: Record<string, any>[] = await this.dataSource.query(
      rolePageSql({
        columns:
          'tender_id, buyer_id, title, status, public_procurement, currency, submission_deadline, item_ids, awarded_to, opened_position, opened_at, updated_at',
        table: this.table,
        roles,
        where,
        order: 'opened_position',
        limit: p(q.limit + 1),
      }),
      params,
    );
    // As PostgreSQL writes uuids, to compare with the rows' ids.
    const me = companyId.toLowerCase();
    return pageOf(
      rows,
      q.limit,
      (r) => Number(r.opened_position),
      (r): TenderListItem => ({
        tenderId: r.tender_id,
        buyerId: r.buyer_id,
        role: r.buyer_id === me ? 'opened' : 'invited',
        title: r.title,
        status: r.status,
        publicProcurement: r.public_procurement,
        currency: r.currency,
        submissionDeadline: new Date(r.submission_deadline).toISOString(),
        itemIds: r.item_ids,
        awardedTo: awardSeenBy({ buyerId: r.buyer_id, publicProcurement: r.public_procurement, awardedTo: r.awarded_to }, me),
        openedAt: new Date(r.opened_at).toISOString(),
        updatedAt: new Date(r.updated_at).toISOString(),
      }),
    );
  }
}
