import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';

/** What the resale app learnt from dealledger.contracts.events: contracts in force and their call-offs. */
export class SupplyLines1732900000000 implements MigrationInterface {
  name = 'SupplyLines1732900000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.supply_contracts (
        contract_id     uuid PRIMARY KEY,
        buyer_id        uuid NOT NULL,
        supplier_id     uuid NOT NULL,
        intermediary_id uuid,
        currency        text NOT NULL,
        items           jsonb NOT NULL,
        status          text NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE TABLE ${s}.supply_call_offs (call_off_id uuid PRIMARY KEY, contract_id uuid NOT NULL, lines jsonb NOT NULL, placed_at timestamptz NOT NULL)`,
    );
    await q.query(`CREATE INDEX supply_call_offs_contract_idx ON ${s}.supply_call_offs (contract_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`DROP TABLE ${s}.supply_call_offs`);
    await q.query(`DROP TABLE ${s}.supply_contracts`);
  }
}
