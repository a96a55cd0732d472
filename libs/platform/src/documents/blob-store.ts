import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Where document contents live, by sha256. Content addressing makes every store simple: a
 * blob is written once and never changes, so a second upload of the same bytes is a no-op and
 * any store that can put and get by key will do (PostgreSQL here; a directory on a volume; an
 * S3-compatible bucket would implement the same two methods).
 */
export interface BlobStore {
  /** `tx`: the transaction recording the document, for a store inside the same database. */
  put(sha256: string, bytes: Buffer, tx?: EntityManager): Promise<void>;
  get(sha256: string): Promise<Buffer | null>;
}

/** In the app's own schema, beside its events: backed up and restored with them. */
export class PostgresBlobStore implements BlobStore {
  constructor(
    private readonly db: DataSource,
    private readonly schema: string,
  ) {}

  async put(sha256: string, bytes: Buffer, tx?: EntityManager): Promise<void> {
    await (tx ?? this.db).query(`INSERT INTO "${this.schema}".document_blobs (sha256, content) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING`, [
      sha256,
      bytes,
    ]);
  }

  async get(sha256: string): Promise<Buffer | null> {
    const rows = await this.db.query(`SELECT content FROM "${this.schema}".document_blobs WHERE sha256 = $1`, [sha256]);
    return rows[0]?.content ?? null;
  }
}

/** Files under a directory (a mounted volume), two levels by hash; written to a temporary name, then renamed, so a reader never sees half a file. */
export class DirectoryBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private path(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(sha256: string, bytes: Buffer): Promise<void> {
    const target = this.path(sha256);
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    const temporary = `${target}.${randomUUID()}.part`;
    await writeFile(temporary, bytes, { flag: 'wx' });
    await rename(temporary, target);
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      return await readFile(this.path(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

/** DOCUMENT_DIR: a directory store there; otherwise the app's PostgreSQL schema. */
export function blobStoreFor(db: DataSource, schema: string, env: NodeJS.ProcessEnv = process.env): BlobStore {
  const dir = env.DOCUMENT_DIR?.trim();
  return dir ? new DirectoryBlobStore(join(dir, schema)) : new PostgresBlobStore(db, schema);
}
