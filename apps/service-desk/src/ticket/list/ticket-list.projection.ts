import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { Severity, SlaKind, TicketEvent } from '@dealledger/events';
import { PostgresEventStore, RecordedEvent, schemaOf } from '@dealledger/event-store';
import { Clock, DATA_SOURCE, KnownCompanies, LocalReadModel, Page, pageOf, Queryable, rolePageSql, textSearch } from '@dealledger/platform';
import { SLA_CLOCK } from '../sla/sla-clock.scheduler';
import { ticketListChange, TicketListStatus, TicketRole } from './ticket-list';

/**
 * The tickets list: one row per ticket, kept from the service desk's log by a local projector
 * (not a scan of the event table), with the deadlines still running and the breaches recorded.
 * Rows are ordered by where the ticket was opened in the log, which never changes: a cursor past
 * a row stays valid while tickets are opened and move on meanwhile. Full-text search over a
 * `document` (sku, description) with its GIN index. Rebuilt and checked against the log by
 * `POST /admin/read-models/ticket_list/rebuild` (see LocalReadModel).
 */
export class TicketList1737600000000 implements MigrationInterface {
  name = 'TicketList1737600000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.ticket_list (
        ticket_id         uuid PRIMARY KEY,
        contract_id       uuid NOT NULL,
        buyer_id          uuid NOT NULL,
        supplier_id       uuid NOT NULL,
        sku               text NOT NULL,
        severity          text NOT NULL,
        status            text NOT NULL,
        description       text NOT NULL,
        opened_at         timestamptz NOT NULL,
        response_due_at   timestamptz,
        resolution_due_at timestamptz,
        escalations       integer NOT NULL,
        breaches          jsonb NOT NULL,
        opened_pos        bigint NOT NULL,
        updated_at        timestamptz NOT NULL,
        document          tsvector NOT NULL
      )`);
    await q.query(`CREATE INDEX ticket_list_buyer_idx ON ${s}.ticket_list (buyer_id, opened_pos DESC)`);
    await q.query(`CREATE INDEX ticket_list_supplier_idx ON ${s}.ticket_list (supplier_id, opened_pos DESC)`);
    await q.query(`CREATE INDEX ticket_list_contract_idx ON ${s}.ticket_list (contract_id, opened_pos DESC)`);
    // "At risk" asks for the next deadline still running.
    await q.query(`CREATE INDEX ticket_list_next_due_idx ON ${s}.ticket_list (least(response_due_at, resolution_due_at))`);
    await q.query(`CREATE INDEX ticket_list_document_idx ON ${s}.ticket_list USING gin (document)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".ticket_list`);
  }
}

export interface TicketListQuery {
  /** `buyer` (tickets the company opened) or `supplier` (tickets it answers); both when absent. */
  role?: TicketRole;
  status?: TicketListStatus;
  severity?: Severity;
  contract?: string;
  /** Hours: a response or resolution deadline still running that falls due within them (or is already past, its breach not yet recorded). */
  slaAtRisk?: number;
  /** true: at least one SLA breach recorded; false: none. */
  breached?: boolean;
  /** Full-text search: sku, description, the counterparty's name. */
  q?: string;
  limit: number;
  /** The position of the previous page's last row (its decoded cursor). */
  after?: number;
}

export interface TicketListItem {
  ticketId: string;
  contractId: string;
  buyerId: string;
  supplierId: string;
  sku: string;
  severity: Severity;
  status: TicketListStatus;
  description: string;
  openedAt: string;
  /** The deadlines still running (null: met, or breached). */
  openDeadlines: { response: string | null; resolution: string | null };
  breached: boolean;
  slaBreaches: { kind: SlaKind; dueAt: string }[];
  escalations: number;
  updatedAt: string;
}
export type TicketListPage = Page<TicketListItem>;

const iso = (t: Date | string | null) => (t === null ? null : new Date(t).toISOString());

@Injectable()
export class TicketListProjection extends LocalReadModel {
  constructor(
    @Inject(DATA_SOURCE) dataSource: DataSource,
    store: PostgresEventStore,
    private readonly companies: KnownCompanies,
    // The time "at risk" is measured against, the same the SLA clock breaches by; never written into rows.
    @Inject(SLA_CLOCK) private readonly clock: Clock,
  ) {
    super(dataSource, store, 'ticket_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const e of events) {
      const change = ticketListChange({ type: e.type, data: e.data } as TicketEvent);
      if (!change) continue;
      if ('created' in change) {
        const r = change.created;
        await tx.query(
          `INSERT INTO ${table} (ticket_id, contract_id, buyer_id, supplier_id, sku, severity, status, description, opened_at,
                                 response_due_at, resolution_due_at, escalations, breaches, opened_pos, updated_at, document)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '[]'::jsonb, $13, $14, to_tsvector('simple', $15))
           ON CONFLICT (ticket_id) DO NOTHING`,
          [
            r.ticketId,
            r.contractId,
            r.buyerId,
            r.supplierId,
            r.sku,
            r.severity,
            r.status,
            r.description,
            r.openedAt,
            r.responseDueAt,
            r.resolutionDueAt,
            r.escalations,
            e.position,
            e.recordedAt,
            r.text,
          ],
        );
      } else {
        const c = change.changed;
        // A deadline is set only when the change names it: null there means it stopped running.
        await tx.query(
          `UPDATE ${table} SET status = coalesce($2, status),
                  response_due_at = CASE WHEN $3::boolean THEN $4::timestamptz ELSE response_due_at END,
                  resolution_due_at = CASE WHEN $5::boolean THEN $6::timestamptz ELSE resolution_due_at END,
                  escalations = coalesce($7, escalations),
                  breaches = CASE WHEN $8::jsonb IS NULL THEN breaches ELSE breaches || $8::jsonb END,
                  updated_at = $9
            WHERE ticket_id = $1`,
          [
            c.ticketId,
            c.status ?? null,
            c.responseDueAt !== undefined,
            c.responseDueAt ?? null,
            c.resolutionDueAt !== undefined,
            c.resolutionDueAt ?? null,
            c.escalations ?? null,
            c.breach ? JSON.stringify([c.breach]) : null,
            e.recordedAt,
          ],
        );
      }
    }
  }

  /** A page of the tickets `companyId` is a party to, as the buyer or the supplier (as for GET /tickets/:id). */
  async page(companyId: string, q: TicketListQuery): Promise<TicketListPage> {
    const params: unknown[] = [companyId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const asBuyer = `buyer_id = $1`;
    const asSupplier = `supplier_id = $1`;
    const roles = q.role === 'buyer' ? [asBuyer] : q.role === 'supplier' ? [asSupplier] : [asBuyer, `${asSupplier} AND buyer_id <> $1`];
    const where: string[] = [];
    if (q.status) where.push(`status = ${p(q.status)}`);
    if (q.severity) where.push(`severity = ${p(q.severity)}`);
    if (q.contract) where.push(`contract_id = ${p(q.contract)}`);
    if (q.slaAtRisk !== undefined) {
      const dueBy = new Date(this.clock().getTime() + q.slaAtRisk * 3600_000);
      // least() passes over a null: a ticket with no deadline running is never at risk.
      where.push(`least(response_due_at, resolution_due_at) <= ${p(dueBy.toISOString())}::timestamptz`);
    }
    if (q.breached !== undefined) where.push(q.breached ? `breaches <> '[]'::jsonb` : `breaches = '[]'::jsonb`);
    if (q.q) where.push(textSearch(q.q, 'document', 'CASE WHEN buyer_id = $1 THEN supplier_id ELSE buyer_id END', this.companies.named(q.q), p));
    if (q.after) where.push(`opened_pos < ${p(q.after)}`);
    const rows: Record<string, any>[] = await this.dataSource.query(
      rolePageSql({
        columns: `ticket_id, contract_id, buyer_id, supplier_id, sku, severity, status, description, opened_at, response_due_at, resolution_due_at,
              escalations, breaches, opened_pos, updated_at`,
        table: this.table,
        roles,
        where,
        order: 'opened_pos',
        limit: p(q.limit + 1),
      }),
      params,
    );
    return pageOf(
      rows,
      q.limit,
      (r) => Number(r.opened_pos),
      (r) => ({
        ticketId: r.ticket_id,
        contractId: r.contract_id,
        buyerId: r.buyer_id,
        supplierId: r.supplier_id,
        sku: r.sku,
        severity: r.severity,
        status: r.status,
        description: r.description,
        openedAt: iso(r.opened_at)!,
        openDeadlines: { response: iso(r.response_due_at), resolution: iso(r.resolution_due_at) },
        breached: r.breaches.length > 0,
        slaBreaches: r.breaches,
        escalations: r.escalations,
        updatedAt: iso(r.updated_at)!,
      }),
    );
  }
}
