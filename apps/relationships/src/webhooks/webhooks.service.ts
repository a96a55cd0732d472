import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { conflict, invalid, notFound } from '@dealledger/domain';
import { PostgresEventStore } from '@dealledger/event-store';
import { eventCatalog } from '@dealledger/events';
import { DATA_SOURCE } from '@dealledger/platform';
import type { Principal } from '@dealledger/auth';
import { FeedQueries } from '../feed/feed.queries';
import { allowedUrls, checkEndpointUrl } from './webhook-policy';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'replaced'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const endpointNotFound = (id: string) => notFound('webhook.not_found', `no webhook endpoint ${id} of your company`);

/** A company's webhook endpoints: registered, listed, replayed and deleted by its own people only. */
@Injectable()
export class WebhooksService {
  private readonly s: string;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    store: PostgresEventStore,
    private readonly feed: FeedQueries,
  ) {
    this.s = `"${store.schema}"`;
  }

  async register(p: Principal, body: { url: string; eventTypes?: string[]; after?: string }) {
    const url = checkEndpointUrl(body.url, allowedUrls(process.env.WEBHOOK_ALLOWED_URLS));
    const max = Number(process.env.WEBHOOK_MAX_ENDPOINTS ?? 10);
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM ${this.s}.webhook_endpoints WHERE company_id = $1 AND status = 'active'`, [
      p.companyId,
    ]);
    if (n >= max) throw conflict('webhook.too_many', `a company has at most ${max} webhook endpoints: delete one first`);
    const eventTypes = body.eventTypes?.length ? [...new Set(body.eventTypes)] : ['*'];
    const unknown = eventTypes.filter((t) => t !== '*' && !eventCatalog.has(t));
    if (unknown.length) throw invalid('webhook.unknown_event_type', `not event types of the ledger: ${unknown.join(', ')}`, { unknown });
    // From now on unless told otherwise: an endpoint added today is not sent a company's whole past.
    const cursor = body.after === undefined ? await this.feed.end(p.companyId) : await this.feed.checkedAfter(p.companyId, body.after);
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    await this.db.query(
      `INSERT INTO ${this.s}.webhook_endpoints (id, company_id, url, event_types, secret, status, cursor, created_by) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7)`,
      [id, p.companyId, url, eventTypes, secret, cursor, p.personId ?? p.companyId],
    );
    // The secret is shown once, here: it signs every delivery.
    return { ...(await this.get(p, id)), secret };
  }

  async list(p: Principal) {
    const rows = await this.db.query(`SELECT id FROM ${this.s}.webhook_endpoints WHERE company_id = $1 AND status = 'active' ORDER BY created_at, id`, [
      p.companyId,
    ]);
    return { endpoints: await Promise.all(rows.map((r: { id: string }) => this.get(p, r.id))) };
  }

  /** The endpoint with its delivery status: counts per status, the oldest pending, the last failure. */
  async get(p: Principal, id: string) {
    const e = await this.owned(p, id);
    // Kept per status as deliveries are written (WebhookDeliveryPages1764700000000), not counted here.
    const counts: { status: DeliveryStatus; n: number }[] = await this.db.query(
      `SELECT status, n::float8 AS n FROM ${this.s}.webhook_delivery_counts WHERE endpoint_id = $1`,
      [id],
    );
    const [pending] = await this.db.query(
      `SELECT ${DELIVERY_COLUMNS} FROM ${this.s}.webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending' ORDER BY webhook_deliveries.seq LIMIT 1`,
      [id],
    );
    return {
      id: e.id,
      url: e.url,
      eventTypes: e.event_types,
      cursor: e.cursor,
      createdAt: new Date(e.created_at).toISOString(),
      deliveries: Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, counts.find((c) => c.status === s)?.n ?? 0])),
      pending: pending ? deliveryOf(pending) : null,
    };
  }

  async deliveries(p: Principal, id: string, q: { status?: DeliveryStatus; limit: number }) {
    await this.owned(p, id);
    const rows = await this.db.query(deliveriesSql(this.s, Boolean(q.status)), q.status ? [id, q.status, q.limit] : [id, q.limit]);
    return { deliveries: rows.map(deliveryOf) };
  }

  /** The endpoint, when it is the caller's company's and not deleted. */
  private async owned(p: Principal, id: string) {
    const [e] = await this.db.query(
      `SELECT id, url, event_types, cursor::text AS cursor, created_at FROM ${this.s}.webhook_endpoints WHERE id = $1 AND company_id = $2 AND status = 'active'`,
      [id, p.companyId],
    );
    if (!e) throw endpointNotFound(id);
    return e;
  }

  /**
   * Sends again everything after `after`: what is pending is replaced, and deliveries go on from
   * there in feed order. Dead-lettered deliveries are retried this way.
   */
  async replay(p: Principal, id: string, after: string) {
    const cursor = await this.feed.checkedAfter(p.companyId, after);
    await this.db.transaction(async (tx) => {
      const [e] = await tx.query(`SELECT id FROM ${this.s}.webhook_endpoints WHERE id = $1 AND company_id = $2 AND status = 'active' FOR UPDATE`, [
        id,
        p.companyId,
      ]);
      if (!e) throw endpointNotFound(id);
      await tx.query(`UPDATE ${this.s}.webhook_deliveries SET status = 'replaced' WHERE endpoint_id = $1 AND status = 'pending'`, [id]);
      await tx.query(`UPDATE ${this.s}.webhook_endpoints SET cursor = $2 WHERE id = $1`, [id, cursor]);
    });
    return this.get(p, id);
  }

  async remove(p: Principal, id: string): Promise<void> {
    const rows = await this.db.query(
      `UPDATE ${this.s}.webhook_endpoints SET status = 'deleted' WHERE id = $1 AND company_id = $2 AND status = 'active' RETURNING id`,
      [id, p.companyId],
    );
    // PostgreSQL answers an UPDATE … RETURNING as [rows, count] through TypeORM.
    const updated = Array.isArray(rows[0]) ? rows[0] : rows;
    if (updated.length === 0) throw endpointNotFound(id);
  }
}

const DELIVERY_COLUMNS = `id, seq::text AS seq, event_id, event_type, status, attempts, next_attempt_at, last_attempt_at, last_status, last_error, delivered_at`;

/**
 * An endpoint's newest deliveries, read in the order of an index (webhook-rows.ts): a page costs
 * the same with ten deliveries behind it or millions. Two statements, as one with an optional
 * status would be planned once for both and could use neither index.
 */
export const deliveriesSql = (s: string, status: boolean) =>
  `SELECT ${DELIVERY_COLUMNS} FROM ${s}.webhook_deliveries WHERE endpoint_id = $1${status ? ' AND status = $2' : ''}
    ORDER BY webhook_deliveries.created_at DESC, webhook_deliveries.seq DESC LIMIT ${status ? '$3' : '$2'}`;

function deliveryOf(r: Record<string, any>) {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: r.id,
    cursor: r.seq,
    eventId: r.event_id,
    eventType: r.event_type,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    lastAttemptAt: iso(r.last_attempt_at),
    lastStatus: r.last_status,
    lastError: r.last_error,
    deliveredAt: iso(r.delivered_at),
  };
}
