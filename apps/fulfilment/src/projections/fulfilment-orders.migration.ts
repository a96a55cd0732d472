import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';

/** What fulfilment learnt from dealledger.contracts.events: contracts (units, structured payment terms or null, SLA severities) and their call-offs. */
export class FulfilmentOrders1738000000000 implements MigrationInterface {
  name = 'FulfilmentOrders1738000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.order_contracts (
        contract_id    uuid PRIMARY KEY,
        buyer_id       uuid NOT NULL,
        supplier_id    uuid NOT NULL,
        currency       text NOT NULL,
        units          jsonb NOT NULL,
        payment        jsonb,
        sla_severities jsonb NOT NULL,
        status         text NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE ${s}.order_call_offs (
        call_off_id uuid PRIMARY KEY,
        contract_id uuid NOT NULL REFERENCES ${s}.order_contracts (contract_id),
        lines       jsonb NOT NULL,
        currency    text NOT NULL,
        placed_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX order_call_offs_contract_idx ON ${s}.order_call_offs (contract_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`DROP TABLE ${s}.order_call_offs`);
    await q.query(`DROP TABLE ${s}.order_contracts`);
  }
}
