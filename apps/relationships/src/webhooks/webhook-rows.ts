import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';

/**
 * Webhook endpoints (a company's, each with its own cursor in the company's feed) and their
 * deliveries. Configuration, not deal history: plain tables beside the feed they read.
 */
export class Webhooks1764460000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.webhook_endpoints (
        id          uuid PRIMARY KEY,
        company_id  text NOT NULL,
        url         text NOT NULL,
        event_types text[] NOT NULL,
        secret      text NOT NULL,
        status      text NOT NULL CHECK (status IN ('active', 'deleted')),
        -- The feed position up to which deliveries were made (or dead-lettered).
        cursor      bigint NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        created_by  text
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_company_idx ON ${s}.webhook_endpoints (company_id)`);
    await q.query(`
      CREATE TABLE ${s}.webhook_deliveries (
        id              uuid PRIMARY KEY,
        endpoint_id     uuid NOT NULL REFERENCES ${s}.webhook_endpoints (id),
        seq             bigint NOT NULL,
        event_id        text NOT NULL,
        event_type      text NOT NULL,
        status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead', 'replaced')),
        attempts        int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        last_status     int,
        last_error      text,
        delivered_at    timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint_idx ON ${s}.webhook_deliveries (endpoint_id, status, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`DROP TABLE ${s}.webhook_deliveries, ${s}.webhook_endpoints`);
  }
}
