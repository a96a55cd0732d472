import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';

/** Consumers' inbox: an event id recorded here was handled, in the same transaction as its effects. */
export class Inbox1732700000001 implements MigrationInterface {
  name = 'Inbox1732700000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`
      CREATE TABLE ${s}.inbox (
        consumer      text NOT NULL,
        event_id      text NOT NULL,
        outcome       text NOT NULL,
        processed_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${schemaOf(queryRunner)}".inbox`);
  }
}
