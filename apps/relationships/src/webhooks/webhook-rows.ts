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

/**
 * An endpoint's deliveries grow with its history: a page of the newest and the counts per
 * status must not read all of them. The page reads an index in its order (with or without a
 * status); the counts are kept per endpoint and status by triggers, so every writer (the
 * delivery worker, a replay) keeps them exact, under the endpoint's row lock each takes first.
 */
export class WebhookDeliveryPages1764700000000 implements MigrationInterface {
  name = 'WebhookDeliveryPages1764700000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`CREATE INDEX webhook_deliveries_recent_idx ON ${s}.webhook_deliveries (endpoint_id, created_at, seq)`);
    // Also the worker's look for the one pending delivery, which (endpoint_id, status, seq) served.
    await q.query(`CREATE INDEX webhook_deliveries_status_recent_idx ON ${s}.webhook_deliveries (endpoint_id, status, created_at, seq)`);
    await q.query(`
      CREATE TABLE ${s}.webhook_delivery_counts (
        endpoint_id uuid NOT NULL,
        status      text NOT NULL,
        n           bigint NOT NULL,
        PRIMARY KEY (endpoint_id, status)
      )`);
    // Per statement, from its transition tables: a statement that writes many deliveries (a
    // replay) moves each count once, not once per row.
    const change = (rows: string, sign: string) => `SELECT endpoint_id, status, ${sign}1 AS d FROM ${rows}`;
    const apply = (changes: string) => `
          INSERT INTO ${s}.webhook_delivery_counts (endpoint_id, status, n)
          SELECT endpoint_id, status, sum(d) FROM (${changes}) x GROUP BY endpoint_id, status HAVING sum(d) <> 0
          ON CONFLICT (endpoint_id, status) DO UPDATE SET n = webhook_delivery_counts.n + EXCLUDED.n;`;
    await q.query(`
      CREATE FUNCTION ${s}.count_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN${apply(change('new_rows', '+'))}
        ELSIF TG_OP = 'UPDATE' THEN${apply(`${change('new_rows', '+')} UNION ALL ${change('old_rows', '-')}`)}
        ELSIF TG_OP = 'DELETE' THEN${apply(change('old_rows', '-'))}
        ELSE
          DELETE FROM ${s}.webhook_delivery_counts;
        END IF;
        RETURN NULL;
      END
      $fn$`);
    for (const [op, tables] of [
      ['INSERT', 'NEW TABLE AS new_rows'],
      ['UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'],
      ['DELETE', 'OLD TABLE AS old_rows'],
    ])
      await q.query(
        `CREATE TRIGGER webhook_deliveries_counted_${op.toLowerCase()} AFTER ${op} ON ${s}.webhook_deliveries REFERENCING ${tables} FOR EACH STATEMENT EXECUTE FUNCTION ${s}.count_webhook_deliveries()`,
      );
    await q.query(
      `CREATE TRIGGER webhook_deliveries_counted_truncate AFTER TRUNCATE ON ${s}.webhook_deliveries FOR EACH STATEMENT EXECUTE FUNCTION ${s}.count_webhook_deliveries()`,
    );
    // What was delivered before this release (the triggers' lock holds off writers till commit).
    await q.query(`
      INSERT INTO ${s}.webhook_delivery_counts (endpoint_id, status, n)
      SELECT endpoint_id, status, count(*) FROM ${s}.webhook_deliveries GROUP BY endpoint_id, status`);
    // Last: dropping an index locks the table against readers too, until the commit.
    await q.query(`DROP INDEX ${s}.webhook_deliveries_endpoint_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    for (const op of ['insert', 'update', 'delete', 'truncate']) await q.query(`DROP TRIGGER webhook_deliveries_counted_${op} ON ${s}.webhook_deliveries`);
    await q.query(`DROP FUNCTION ${s}.count_webhook_deliveries()`);
    await q.query(`DROP TABLE ${s}.webhook_delivery_counts`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint_idx ON ${s}.webhook_deliveries (endpoint_id, status, seq)`);
    await q.query(`DROP INDEX ${s}.webhook_deliveries_status_recent_idx`);
    await q.query(`DROP INDEX ${s}.webhook_deliveries_recent_idx`);
  }
}
