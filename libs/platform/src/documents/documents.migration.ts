import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';

/**
 * Documents of an app: one row per content (sha256) with its type and size, which company
 * uploaded it (only that company may attach it or fetch it as an upload), and the content
 * itself when the blobs are kept in PostgreSQL (DOCUMENT_DIR unset).
 */
export class Documents1738100000000 implements MigrationInterface {
  name = 'Documents1738100000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(
      `CREATE TABLE ${s}.documents (sha256 text PRIMARY KEY, media_type text NOT NULL, size integer NOT NULL, stored_at timestamptz NOT NULL DEFAULT now())`,
    );
    await q.query(`CREATE TABLE ${s}.document_blobs (sha256 text PRIMARY KEY REFERENCES ${s}.documents (sha256), content bytea NOT NULL)`);
    await q.query(`
      CREATE TABLE ${s}.document_uploads (
        sha256      text NOT NULL REFERENCES ${s}.documents (sha256),
        company_id  uuid NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (sha256, company_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`DROP TABLE ${s}.document_uploads`);
    await q.query(`DROP TABLE ${s}.document_blobs`);
    await q.query(`DROP TABLE ${s}.documents`);
  }
}
