import { fold, quantityFrom } from '@dealledger/domain';
import type { LotEvent } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import type { DataSource } from 'typeorm';
import type { KnownContract, KnownInvoicePrice, KnownReceipt, KnownResale } from './lot.commands';
import { lotDecider, LotState } from './lot.decider';

export const lotStreamId = (lotId: string) => `lot-${lotId}`;

export async function loadLot(store: PostgresEventStore, lotId: string): Promise<LotState> {
  const recorded = await store.readStream(lotStreamId(lotId));
  return fold(
    lotDecider,
    recorded.map((r) => ({ type: r.type, data: r.data }) as LotEvent),
  );
}

export async function findContract(db: DataSource, schema: string, contractId: string): Promise<KnownContract | null> {
  const rows = await db.query(`SELECT * FROM "${schema}".supply_contracts WHERE contract_id = $1`, [contractId]);
  if (!rows[0]) return null;
  const callOffs = await db.query(`SELECT call_off_id, lines FROM "${schema}".supply_call_offs WHERE contract_id = $1`, [contractId]);
  const r = rows[0];
  return {
    contractId,
    buyerId: r.buyer_id,
    supplierId: r.supplier_id,
    status: r.status,
    currency: r.currency,
    skus: r.items,
    callOffs: callOffs.map((c: { call_off_id: string; lines: { sku: string; quantity: number | string; unitPrice: string }[] }) => ({
      callOffId: c.call_off_id,
      // Lines learnt from CallOffPlaced v1 hold integers: read as the decimals v2 has.
      lines: c.lines.map((l) => ({ ...l, quantity: quantityFrom(l.quantity) ?? String(l.quantity) })),
    })),
  };
}

/** A delivery's receipt as learnt from GoodsReceived (null: not received, or not yet learnt). */
export async function findReceipt(db: DataSource, schema: string, deliveryId: string): Promise<KnownReceipt | null> {
  const rows: { sku: string; call_off_id: string; contract_id: string; buyer_id: string; accepted: string }[] = await db.query(
    `SELECT sku, call_off_id, contract_id, buyer_id, accepted FROM "${schema}".supply_receipts WHERE delivery_id = $1 ORDER BY sku`,
    [deliveryId],
  );
  if (!rows[0]) return null;
  const r = rows[0];
  return {
    deliveryId,
    callOffId: r.call_off_id,
    contractId: r.contract_id,
    buyerId: r.buyer_id,
    lines: rows.map((l) => ({ sku: l.sku, accepted: l.accepted })),
  };
}

/** The matched invoice lines of a call-off that are not withdrawn. */
export async function findInvoicePrices(db: DataSource, schema: string, callOffId: string): Promise<KnownInvoicePrice[]> {
  const rows: { invoice_id: string; sku: string; unit_price: string }[] = await db.query(
    `SELECT invoice_id, sku, unit_price FROM "${schema}".supply_invoice_prices WHERE call_off_id = $1`,
    [callOffId],
  );
  return rows.map((r) => ({ invoiceId: r.invoice_id, sku: r.sku, unitPrice: r.unit_price }));
}

export async function findResale(store: PostgresEventStore, upstreamLotId: string, resaleId: string): Promise<KnownResale | null> {
  const lot = await loadLot(store, upstreamLotId);
  if (lot.status !== 'recorded') return null;
  const r = lot.resales.find((x) => x.resaleId === resaleId);
  if (!r) return null;
  return {
    resaleId,
    upstreamLotId,
    sellerId: lot.ownerId,
    buyerId: r.buyerId,
    originSupplierId: lot.originSupplierId,
    sku: lot.sku,
    description: lot.description,
    quantity: r.quantity,
    unitPrice: r.unitPrice,
    currency: r.currency,
  };
}
