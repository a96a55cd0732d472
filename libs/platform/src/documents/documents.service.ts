import { createHash } from 'node:crypto';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { contentMatches, DOCUMENT_MEDIA_TYPES, notFound } from '@dealledger/domain';
import type { DocumentRef } from '@dealledger/events';
import { PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE } from '../tokens';
import { BlobStore, blobStoreFor } from './blob-store';

/** DOCUMENT_MAX_BYTES, 10 MiB unless set: larger uploads get 413 before they are read. */
export function documentMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env.DOCUMENT_MAX_BYTES);
  // A setting that is not a positive whole number would lift the limit: the default instead.
  return Number.isSafeInteger(set) && set > 0 ? set : 10 * 1024 * 1024;
}

const refusal = (status: number, code: string, message: string) => new HttpException({ code, message }, status);
export const DocumentErrors = {
  notFound: (sha256: string) => notFound('document.not_found', `no document ${sha256} that you uploaded or may see here`),
  tooLarge: (max: number) => refusal(413, 'document.too_large', `a document may be at most ${max} bytes (DOCUMENT_MAX_BYTES)`),
  typeNotAccepted: (type: string) =>
    refusal(415, 'document.type_not_accepted', `documents are ${DOCUMENT_MEDIA_TYPES.join(', ')}; not ${type || 'a body without Content-Type'}`),
  contentMismatch: (type: string) => refusal(415, 'document.content_mismatch', `the content is not ${type}`),
  empty: () => refusal(400, 'document.empty', 'the document is empty'),
};

/**
 * Reads a request body up to `max` bytes; one byte more is a 413. The rest is read and dropped
 * (not kept), so that the client gets its problem rather than a reset, up to four times the
 * limit more; a client that sends beyond even that is cut off.
 */
export function readBody(req: Request, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) return Promise.reject(DocumentErrors.tooLarge(max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused) {
        if (size > 5 * max) req.destroy();
        return;
      }
      if (size > max) {
        refused = true;
        chunks.length = 0;
        reject(DocumentErrors.tooLarge(max));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!refused) reject(err);
    });
  });
}

/**
 * An app's documents: uploaded by a company, attached to a deal by their hash (only what the
 * company uploaded itself), fetched by the deal's parties through the deal's own route.
 */
@Injectable()
export class Documents {
  private readonly blobs: BlobStore;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    store: PostgresEventStore,
  ) {
    this.blobs = blobStoreFor(db, store.schema);
    this.schema = store.schema;
  }

  private readonly schema: string;

  async upload(companyId: string, mediaType: string, bytes: Buffer): Promise<{ sha256: string; size: number; mediaType: string }> {
    if (!(DOCUMENT_MEDIA_TYPES as readonly string[]).includes(mediaType)) throw DocumentErrors.typeNotAccepted(mediaType);
    if (bytes.length === 0) throw DocumentErrors.empty();
    if (!contentMatches(mediaType, bytes)) throw DocumentErrors.contentMismatch(mediaType);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const s = `"${this.schema}"`;
    await this.db.transaction(async (tx) => {
      // The first type recorded for a content stays its type (the same bytes cannot be two formats).
      await tx.query(`INSERT INTO ${s}.documents (sha256, media_type, size) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING`, [
        sha256,
        mediaType,
        bytes.length,
      ]);
      await this.blobs.put(sha256, bytes, tx);
      await tx.query(`INSERT INTO ${s}.document_uploads (sha256, company_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [sha256, companyId]);
    });
    return { sha256, size: bytes.length, mediaType };
  }

  /** Documents named in a command, as events record them; each must be one the company uploaded. */
  async resolve(refs: readonly { sha256: string; name: string }[], companyId: string): Promise<DocumentRef[]> {
    if (refs.length === 0) return [];
    const rows: { sha256: string; media_type: string; size: number }[] = await this.db.query(
      `SELECT d.sha256, d.media_type, d.size FROM "${this.schema}".documents d JOIN "${this.schema}".document_uploads u USING (sha256)
        WHERE u.company_id = $1 AND d.sha256 = ANY($2::text[])`,
      [companyId, refs.map((r) => r.sha256)],
    );
    return refs.map((r) => {
      const row = rows.find((x) => x.sha256 === r.sha256);
      if (!row) throw DocumentErrors.notFound(r.sha256);
      return { name: r.name, sha256: r.sha256, size: row.size, mediaType: row.media_type };
    });
  }

  async uploadedBy(sha256: string, companyId: string): Promise<DocumentRef | null> {
    const rows = await this.db.query(
      `SELECT d.size, d.media_type FROM "${this.schema}".documents d JOIN "${this.schema}".document_uploads u USING (sha256) WHERE d.sha256 = $1 AND u.company_id = $2`,
      [sha256, companyId],
    );
    return rows[0] ? { name: sha256, sha256, size: rows[0].size, mediaType: rows[0].media_type } : null;
  }

  /** Sends a document the caller may see (the route has checked that) as a download. */
  async send(res: Response, ref: DocumentRef): Promise<void> {
    const bytes = await this.blobs.get(ref.sha256);
    if (!bytes) throw DocumentErrors.notFound(ref.sha256);
    // A document is data, never a page of ours: no sniffing, no inline rendering, no scripts.
    res.setHeader('content-type', ref.mediaType);
    res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(ref.name)}`);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('content-security-policy', "default-src 'none'; sandbox");
    res.setHeader('etag', `"${ref.sha256}"`);
    res.setHeader('cache-control', 'private, max-age=31536000, immutable');
    res.status(200).end(bytes);
  }
}
