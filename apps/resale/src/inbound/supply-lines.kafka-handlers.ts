import type { EntityManager } from 'typeorm';
import type { CallOffPlacedV2, ContractExecutedV2, ContractExpiredV1, ContractTerminatedV1, EventEnvelope } from '@dealledger/events';

/** ContractExecuted -> the supply line (parties, items) an intermediary may record lots under. */
export class LearnSupplyLineWhenContractExecuted {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<ContractExecutedV2>, tx: EntityManager): Promise<void> {
    const d = e.data;
    await tx.query(
      `INSERT INTO "${this.schema}".supply_contracts (contract_id, buyer_id, supplier_id, intermediary_id, currency, items, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'executed')
       ON CONFLICT (contract_id) DO UPDATE SET items = EXCLUDED.items, status = 'executed', updated_at = now()`,
      [
        d.contractId,
        d.buyerId,
        d.supplierId,
        d.intermediaryId,
        d.terms.currency,
        JSON.stringify(d.terms.items.map((i) => ({ sku: i.sku, description: i.description }))),
      ],
    );
  }
}

/** CallOffPlaced -> a call-off a lot may name as its source. */
export class LearnCallOffWhenCallOffPlaced {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<CallOffPlacedV2>, tx: EntityManager): Promise<void> {
    const d = e.data;
    await tx.query(
      `INSERT INTO "${this.schema}".supply_call_offs (call_off_id, contract_id, lines, placed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (call_off_id) DO NOTHING`,
      [d.callOffId, d.contractId, JSON.stringify(d.lines), d.placedAt],
    );
  }
}

/** ContractTerminated / ContractExpired -> no new lots under it. */
export class EndSupplyLineWhenContractEnded {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<ContractTerminatedV1 | ContractExpiredV1>, tx: EntityManager): Promise<void> {
    const status = e.type === 'ContractTerminated' ? 'terminated' : 'expired';
    await tx.query(`UPDATE "${this.schema}".supply_contracts SET status = $2, updated_at = now() WHERE contract_id = $1`, [e.data.contractId, status]);
  }
}
