import type { EntityManager } from 'typeorm';
import { unitCode } from '@dealledger/domain';
import type { CallOffPlacedV2, ContractExecutedV3, ContractExpiredV1, ContractRenewedV1, ContractTerminatedV1, EventEnvelope } from '@dealledger/events';

/**
 * ContractExecuted -> the contract deliveries and invoices run under: each item's unit as a
 * Recommendation 20 code (a unit off the list, recorded before units were checked, keeps its
 * own name), the structured payment terms (null when their text has no form the ledger reads) and the severities it has an SLA for.
 */
export class LearnContractWhenExecuted {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<ContractExecutedV3>, tx: EntityManager): Promise<void> {
    const d = e.data;
    const units = Object.fromEntries(d.terms.items.map((i) => [i.sku, unitCode(i.unit) ?? i.unit]));
    await tx.query(
      `INSERT INTO "${this.schema}".order_contracts (contract_id, buyer_id, supplier_id, currency, units, payment, sla_severities, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'executed')
       ON CONFLICT (contract_id) DO UPDATE SET units = EXCLUDED.units, payment = EXCLUDED.payment, sla_severities = EXCLUDED.sla_severities,
         status = 'executed', updated_at = now()`,
      [
        d.contractId,
        d.buyerId,
        d.supplierId,
        d.terms.currency,
        JSON.stringify(units),
        d.terms.payment ? JSON.stringify(d.terms.payment) : null,
        JSON.stringify(d.terms.sla.map((s) => s.severity)),
      ],
    );
  }
}

/** CallOffPlaced -> a call-off the supplier may deliver and invoice against. */
export class LearnCallOffWhenPlaced {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<CallOffPlacedV2>, tx: EntityManager): Promise<void> {
    const d = e.data;
    const lines = d.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice }));
    await tx.query(
      `INSERT INTO "${this.schema}".order_call_offs (call_off_id, contract_id, lines, currency, placed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (call_off_id) DO NOTHING`,
      [d.callOffId, d.contractId, JSON.stringify(lines), d.currency, d.placedAt],
    );
  }
}

/** ContractTerminated / ContractExpired -> no new dispatches; ContractRenewed -> in force again. */
export class UpdateContractWhenItChanges {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<ContractTerminatedV1 | ContractExpiredV1 | ContractRenewedV1>, tx: EntityManager): Promise<void> {
    const status = e.type === 'ContractTerminated' ? 'terminated' : e.type === 'ContractExpired' ? 'expired' : 'executed';
    await tx.query(`UPDATE "${this.schema}".order_contracts SET status = $2, updated_at = now() WHERE contract_id = $1`, [e.data.contractId, status]);
  }
}
