import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';

/**
 * People's data keys, wrapped with PERSONAL_DATA_KEY: the only place their names and e-mails can
 * be opened from. A row is deleted to erase them (the log itself never changes). The directory's
 * people and an account map's contacts (keyed by their stakeholder id) alike.
 */
export class PersonKeys1738000000000 implements MigrationInterface {
  name = 'PersonKeys1738000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "${schemaOf(q)}".person_keys (
        person_id    uuid PRIMARY KEY,
        wrapped_key  bytea NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".person_keys`);
  }
}
