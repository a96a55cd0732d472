import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { ContractEvent, RequiredSignature } from '@dealledger/events';
import { PostgresEventStore, RecordedEvent, schemaOf } from '@dealledger/event-store';
import { normaliseQuantity } from '@dealledger/domain';
import { DATA_SOURCE, KnownCompanies, LocalReadModel, Page, pageOf, Queryable, rolePageSql } from '@dealledger/platform';
import { contractListChange, ContractListRow, ContractListStatus, ContractPartyRole } from './contract-list';

/**
 * The contracts list: one row per contract, kept from the app's own log by a local projector
 * (not a scan of the event table). Rows are ordered by where the contract was drafted in the
 * log, which never changes: a cursor past a row stays valid while contracts are drafted and
 * change meanwhile, so paging never repeats or skips one. Rebuilt and checked against the log by
 * `POST /admin/read-models/contract_list/rebuild` (see LocalReadModel).
 */
export class ContractList1737400000000 implements MigrationInterface {
  name = 'ContractList1737400000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    // awaiting_signatures: `<companyId>/<role>` per signature owed, so one signing removes its own.
    await q.query(`
      CREATE TABLE ${s}.contract_list (
        contract_id         uuid PRIMARY KEY,
        buyer_id            uuid NOT NULL,
        supplier_id         uuid NOT NULL,
        intermediary_id     uuid,
        status              text NOT NULL,
        origin              text NOT NULL,
        origin_id           uuid NOT NULL,
        start_date          timestamptz NOT NULL,
        end_date            timestamptz NOT NULL,
        currency            text NOT NULL,
        contract_value      numeric NOT NULL,
        committed_volume    bigint NOT NULL,
        called_off_volume   bigint NOT NULL,
        awaiting_signatures text[] NOT NULL,
        terms_version       integer NOT NULL,
        drafted_at          bigint NOT NULL,
        updated_at          timestamptz NOT NULL,
        document            tsvector NOT NULL
      )`);
    await q.query(`CREATE INDEX contract_list_buyer_idx ON ${s}.contract_list (buyer_id, drafted_at DESC)`);
    await q.query(`CREATE INDEX contract_list_supplier_idx ON ${s}.contract_list (supplier_id, drafted_at DESC)`);
    await q.query(`CREATE INDEX contract_list_intermediary_idx ON ${s}.contract_list (intermediary_id, drafted_at DESC) WHERE intermediary_id IS NOT NULL`);
    await q.query(`CREATE INDEX contract_list_document_idx ON ${s}.contract_list USING gin (document)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".contract_list`);
  }
}

/** Quantities are exact decimals (events version 2): the volume columns hold fractions too. */
export class ContractListDecimalVolumes1764500000000 implements MigrationInterface {
  name = 'ContractListDecimalVolumes1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${schemaOf(q)}".contract_list ALTER COLUMN committed_volume TYPE numeric, ALTER COLUMN called_off_volume TYPE numeric`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "${schemaOf(q)}".contract_list ALTER COLUMN committed_volume TYPE bigint USING ceil(committed_volume),
                                                 ALTER COLUMN called_off_volume TYPE bigint USING ceil(called_off_volume)`,
    );
  }
}

export interface ContractListQuery {
  /** A counterparty: another company that is a party to the contract. */
  party?: string;
  /** The caller's part in the contract; any when absent. */
  role?: ContractPartyRole;
  status?: ContractListStatus;
  /** Ending before this time. */
  endsBefore?: string;
  origin?: ContractListRow['origin'];
  /** Full-text search: skus, descriptions, the terms' text fields, the counterparties' names. */
  q?: string;
  limit: number;
  /** The position of the previous page's last row (its decoded cursor). */
  after?: number;
}

export interface ContractListItem {
  contractId: string;
  parties: { companyId: string; role: ContractPartyRole }[];
  status: ContractListStatus;
  origin: { kind: ContractListRow['origin']; id: string };
  startDate: string;
  endDate: string;
  currency: string;
  contractValue: string;
  /** Exact decimals, as strings ("2.5"). */
  committedVolume: string;
  calledOffVolume: string;
  awaitingSignatures: RequiredSignature[];
  termsVersion: number;
  updatedAt: string;
}

export type ContractListPage = Page<ContractListItem>;

const signatureKey = (s: RequiredSignature) => `${s.companyId}/${s.role}`;
const signatureOf = (key: string): RequiredSignature => {
  const at = key.indexOf('/');
  return { companyId: key.slice(0, at), role: key.slice(at + 1) };
};

@Injectable()
export class ContractListProjection extends LocalReadModel {
  constructor(
    @Inject(DATA_SOURCE) dataSource: DataSource,
    store: PostgresEventStore,
    private readonly companies: KnownCompanies,
  ) {
    super(dataSource, store, 'contract_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const e of events) {
      const change = contractListChange({ type: e.type, data: e.data } as ContractEvent);
      if (!change) continue;
      if ('created' in change) {
        const r = change.created;
        await tx.query(
          `INSERT INTO ${table} (contract_id, buyer_id, supplier_id, intermediary_id, status, origin, origin_id, start_date, end_date, currency, contract_value,
                                 committed_volume, called_off_volume, awaiting_signatures, terms_version, drafted_at, updated_at, document)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, to_tsvector('simple', $18)) ON CONFLICT (contract_id) DO NOTHING`,
          [
            r.contractId,
            r.buyerId,
            r.supplierId,
            r.intermediaryId,
            r.status,
            r.origin,
            r.originId,
            r.startDate,
            r.endDate,
            r.currency,
            r.contractValue,
            r.committedVolume,
            r.calledOffVolume,
            r.awaitingSignatures.map(signatureKey),
            r.termsVersion,
            e.position,
            e.recordedAt,
            r.text,
          ],
        );
      } else if ('terms' in change) {
        const t = change.terms;
        await tx.query(
          `UPDATE ${table} SET intermediary_id = $2, start_date = $3, end_date = $4, currency = $5, contract_value = $6, committed_volume = $7,
                  document = to_tsvector('simple', $8), status = $9, terms_version = $10, awaiting_signatures = $11, updated_at = $12 WHERE contract_id = $1`,
          [
            t.contractId,
            t.intermediaryId,
            t.startDate,
            t.endDate,
            t.currency,
            t.contractValue,
            t.committedVolume,
            t.text,
            t.status,
            t.termsVersion,
            t.awaitingSignatures.map(signatureKey),
            e.recordedAt,
          ],
        );
      } else if ('signed' in change) {
        const s = change.signed;
        await tx.query(
          `UPDATE ${table} SET awaiting_signatures = array_remove(awaiting_signatures, $2::text), status = $3, updated_at = $4
            WHERE contract_id = $1 AND terms_version = $5 AND status IN ('draft', 'awaiting_signatures')`,
          [s.contractId, signatureKey(s), s.status, e.recordedAt, s.termsVersion],
        );
      } else if ('calledOff' in change) {
        const c = change.calledOff;
        await tx.query(`UPDATE ${table} SET called_off_volume = called_off_volume + $2, updated_at = $3 WHERE contract_id = $1`, [
          c.contractId,
          c.quantity,
          e.recordedAt,
        ]);
      } else {
        const c = change.changed;
        await tx.query(
          `UPDATE ${table} SET status = coalesce($2, status), end_date = coalesce($3, end_date), terms_version = coalesce($4, terms_version), updated_at = $5
            WHERE contract_id = $1`,
          [c.contractId, c.status ?? null, c.endDate ?? null, c.termsVersion ?? null, e.recordedAt],
        );
      }
    }
  }

  /** A page of the contracts `companyId` is a party to (buyer, supplier, or the intermediary the current terms name), drafts included, as for GET /contracts/:id. */
  async page(companyId: string, q: ContractListQuery): Promise<ContractListPage> {
    const params: unknown[] = [companyId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const as: Record<ContractPartyRole, string> = { buyer: 'buyer_id = $1', supplier: 'supplier_id = $1', intermediary: 'intermediary_id = $1' };
    // Every role: a row in which the caller has two roles once, in the first of them.
    const roles = q.role ? [as[q.role]] : [as.buyer, `${as.supplier} AND buyer_id <> $1`, `${as.intermediary} AND buyer_id <> $1 AND supplier_id <> $1`];
    const where: string[] = [];
    if (q.party) {
      const party = p(q.party);
      where.push(`${party}::uuid <> $1::uuid AND (buyer_id = ${party} OR supplier_id = ${party} OR intermediary_id = ${party})`);
    }
    if (q.status) where.push(`status = ${p(q.status)}`);
    if (q.endsBefore) where.push(`end_date < ${p(q.endsBefore)}`);
    if (q.origin) where.push(`origin = ${p(q.origin)}`);
    if (q.q) {
      // As textSearch, with up to two counterparties (the parties other than the caller).
      const counterparties = `array_remove(ARRAY[buyer_id, supplier_id, intermediary_id], $1::uuid)::text[]`;
      where.push(`(document @@ websearch_to_tsquery('simple', ${p(q.q)}) OR ${counterparties} && ${p(this.companies.named(q.q))}::text[])`);
    }
    if (q.after) where.push(`drafted_at < ${p(q.after)}`);
    const rows: Record<string, any>[] = await this.dataSource.query(
      rolePageSql({
        columns: `contract_id, buyer_id, supplier_id, intermediary_id, status, origin, origin_id, start_date, end_date, currency, contract_value::text AS contract_value,
              committed_volume::text AS committed_volume, called_off_volume::text AS called_off_volume, awaiting_signatures, terms_version, drafted_at, updated_at`,
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
      (r): ContractListItem => ({
        contractId: r.contract_id,
        parties: [
          { companyId: r.buyer_id, role: 'buyer' },
          { companyId: r.supplier_id, role: 'supplier' },
          ...(r.intermediary_id ? [{ companyId: r.intermediary_id as string, role: 'intermediary' as const }] : []),
        ],
        status: r.status,
        origin: { kind: r.origin, id: r.origin_id },
        startDate: new Date(r.start_date).toISOString(),
        endDate: new Date(r.end_date).toISOString(),
        currency: r.currency,
        contractValue: r.contract_value,
        committedVolume: normaliseQuantity(r.committed_volume),
        calledOffVolume: normaliseQuantity(r.called_off_volume),
        awaitingSignatures: (r.awaiting_signatures as string[]).map(signatureOf),
        termsVersion: r.terms_version,
        updatedAt: new Date(r.updated_at).toISOString(),
      }),
    );
  }
}
