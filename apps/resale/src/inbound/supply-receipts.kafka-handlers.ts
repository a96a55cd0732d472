import type { EntityManager } from 'typeorm';
import type { EventEnvelope, GoodsReceivedV1, InvoiceIssuedV1, InvoiceWithdrawnV1 } from '@dealledger/events';

/** GoodsReceived -> per line what passed inspection: a lot from that delivery line holds no more. */
export class LearnReceiptWhenGoodsReceived {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<GoodsReceivedV1>, tx: EntityManager): Promise<void> {
    const d = e.data;
    for (const l of d.lines) {
      await tx.query(
        `INSERT INTO "${this.schema}".supply_receipts (delivery_id, sku, call_off_id, contract_id, buyer_id, accepted, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (delivery_id, sku) DO NOTHING`,
        [d.deliveryId, l.sku, d.callOffId, d.contractId, d.buyerId, l.accepted, d.receivedAt],
      );
    }
  }
}

/** InvoiceIssued -> the price of each matched line: what a lot from the call-off cost. A disputed line sets no price. */
export class LearnInvoicePriceWhenInvoiceIssued {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<InvoiceIssuedV1>, tx: EntityManager): Promise<void> {
    const d = e.data;
    for (const l of d.lines.filter((x) => x.match === 'matched')) {
      await tx.query(
        `INSERT INTO "${this.schema}".supply_invoice_prices (invoice_id, sku, call_off_id, unit_price) VALUES ($1, $2, $3, $4)
         ON CONFLICT (invoice_id, sku) DO NOTHING`,
        [d.invoiceId, l.sku, d.callOffId, l.unitPrice],
      );
    }
  }
}

/** InvoiceWithdrawn -> its prices no longer count. */
export class ForgetInvoicePriceWhenInvoiceWithdrawn {
  constructor(private readonly schema: string) {}

  async handle(e: EventEnvelope<InvoiceWithdrawnV1>, tx: EntityManager): Promise<void> {
    await tx.query(`DELETE FROM "${this.schema}".supply_invoice_prices WHERE invoice_id = $1`, [e.data.invoiceId]);
  }
}
