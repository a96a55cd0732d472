import type { EntityManager } from 'typeorm';
import type { ContractExecutedV1, ContractExpiredV1, ContractRenewedV1, ContractTerminatedV1, EventEnvelope } from '@dealledger/events';

/** ContractExecuted -> the parties, items and SLA terms tickets are opened under. */
export class RegisterSlaTermsWhenContractExecuted {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<ContractExecutedV1>, tx: EntityManager): Promise<void> {
    const d = e.data;
    await tx.query(
      `INSERT INTO "${this.schema}".service_contracts (contract_id, buyer_id, supplier_id, skus, sla, status) VALUES ($1, $2, $3, $4, $5, 'executed')
       ON CONFLICT (contract_id) DO UPDATE SET skus = EXCLUDED.skus, sla = EXCLUDED.sla, status = 'executed', updated_at = now()`,
      [d.contractId, d.buyerId, d.supplierId, JSON.stringify(d.terms.items.map((i) => i.sku)), JSON.stringify(d.terms.sla)],
    );
  }
}

/** ContractTerminated / ContractExpired -> no new tickets; ContractRenewed -> in force again. */
export class UpdateServiceContractWhenContractChanges {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<ContractTerminatedV1 | ContractExpiredV1 | ContractRenewedV1>, tx: EntityManager): Promise<void> {
    const status = e.type === 'ContractTerminated' ? 'terminated' : e.type === 'ContractExpired' ? 'expired' : 'executed';
    await tx.query(`UPDATE "${this.schema}".service_contracts SET status = $2, updated_at = now() WHERE contract_id = $1`, [e.data.contractId, status]);
  }
}
