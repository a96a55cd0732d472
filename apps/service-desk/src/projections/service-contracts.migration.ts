import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';

/** What the service desk learnt from dealledger.contracts.events: parties, items and SLA terms. */
export class ServiceContracts1732900000001 implements MigrationInterface {
  name = 'ServiceContracts1732900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "${schemaOf(q)}".service_contracts (
        contract_id uuid PRIMARY KEY,
        buyer_id    uuid NOT NULL,
        supplier_id uuid NOT NULL,
        skus        jsonb NOT NULL,
        sla         jsonb NOT NULL,
        status      text NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".service_contracts`);
  }
}
