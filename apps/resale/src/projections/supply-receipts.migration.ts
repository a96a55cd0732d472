import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';

/** What the resale app learns from dealledger.fulfilment.events: what each delivery line accepted, and matched invoice prices. */
export class SupplyReceipts1764600000000 implements MigrationInterface {
  name = 'SupplyReceipts1764600000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    // Quantities and prices are kept as the events' exact decimal strings.
    await q.query(`
      CREATE TABLE ${s}.supply_receipts (
        delivery_id uuid NOT NULL,
        sku         text NOT NULL,
        call_off_id uuid NOT NULL,
        contract_id uuid NOT NULL,
        buyer_id    uuid NOT NULL,
        accepted    text NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (delivery_id, sku)
      )`);
    await q.query(`
      CREATE TABLE ${s}.supply_invoice_prices (
        invoice_id  uuid NOT NULL,
        sku         text NOT NULL,
        call_off_id uuid NOT NULL,
        unit_price  text NOT NULL,
        PRIMARY KEY (invoice_id, sku)
      )`);
    await q.query(`CREATE INDEX supply_invoice_prices_call_off_idx ON ${s}.supply_invoice_prices (call_off_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`DROP TABLE ${s}.supply_invoice_prices`);
    await q.query(`DROP TABLE ${s}.supply_receipts`);
  }
}
