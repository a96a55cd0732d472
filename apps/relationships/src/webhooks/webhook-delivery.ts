import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE } from '@dealledger/platform';
import { webhookAttempts } from '@dealledger/telemetry';
import { FeedSignal } from '../feed/feed-signal';
import { nextRetryDelay, retryPolicy, RetryPolicy, signDelivery, SIGNATURE_HEADER } from './webhook-policy';

interface Endpoint {
  id: string;
  company_id: string;
  url: string;
  event_types: string[];
  secret: string;
  cursor: string;
}

/**
 * Delivers each active endpoint's feed entries, one at a time and in feed order (a few
 * endpoints at once, WEBHOOK_CONCURRENCY): the next goes
 * out once the one before was taken (2xx) or dead-lettered after the last attempt, so a receiver
 * sees a stream's events in order. At least once: a receiver deduplicates on the event id.
 *
 * Each endpoint is worked under its row lock (FOR UPDATE SKIP LOCKED), so several replicas of the
 * app share the endpoints and never send the same delivery at once.
 */
@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDelivery');
  private readonly s: string;
  private readonly policy: RetryPolicy = retryPolicy();
  private readonly pollMs = Number(process.env.WEBHOOK_POLL_MS ?? 500);
  private readonly timeoutMs = Number(process.env.WEBHOOK_TIMEOUT_MS ?? 10000);
  private readonly concurrency = Math.max(1, Number(process.env.WEBHOOK_CONCURRENCY ?? 4));
  private running = false;
  private loop?: Promise<void>;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    store: PostgresEventStore,
    private readonly signal: FeedSignal,
  ) {
    this.s = `"${store.schema}"`;
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.tick();
      } catch (err) {
        if (this.running) this.logger.warn(`webhook deliveries paused a moment: ${(err as Error).message}`);
      }
      // New feed rows wake it; retries that come due, the poll.
      if (!worked) await this.signal.wait(this.pollMs);
    }
  }

  /** One step for every endpoint that has something due; true when anything was sent. */
  async tick(): Promise<boolean> {
    const due: { id: string }[] = await this.db.query(
      `SELECT e.id FROM ${this.s}.webhook_endpoints e
        WHERE e.status = 'active'
          AND (EXISTS (SELECT 1 FROM ${this.s}.webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= now())
               OR NOT EXISTS (SELECT 1 FROM ${this.s}.webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending')
                  AND EXISTS (SELECT 1 FROM ${this.s}.feed f WHERE f.company_id = e.company_id AND f.seq > e.cursor
                                 AND ('*' = ANY (e.event_types) OR f.type = ANY (e.event_types))))`,
    );
    // A few endpoints at once, each in its own transaction (a pooled connection) while its
    // receiver answers: one slow receiver holds back only its own endpoint.
    let worked = false;
    let next = 0;
    const worker = async () => {
      while (this.running && next < due.length) if (await this.step(due[next++].id)) worked = true;
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, due.length) }, worker));
    return worked;
  }

  /** The endpoint's next delivery: the pending one when due, else one for its next feed entry. */
  private async step(endpointId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [endpoint]: Endpoint[] = await tx.query(
        `SELECT id, company_id, url, event_types, secret, cursor::text AS cursor FROM ${this.s}.webhook_endpoints
          WHERE id = $1 AND status = 'active' FOR UPDATE SKIP LOCKED`,
        [endpointId],
      );
      if (!endpoint) return false;
      let [delivery] = await tx.query(
        `SELECT id, seq::text AS seq, attempts, next_attempt_at <= now() AS due FROM ${this.s}.webhook_deliveries
          WHERE endpoint_id = $1 AND status = 'pending' ORDER BY webhook_deliveries.seq LIMIT 1`,
        [endpointId],
      );
      if (delivery && !delivery.due) return false;
      if (!delivery) delivery = await this.next(tx, endpoint);
      if (!delivery) return false;
      await this.send(tx, endpoint, delivery);
      return true;
    });
  }

  private async next(tx: EntityManager, endpoint: Endpoint) {
    const [entry] = await tx.query(
      `SELECT seq::text AS seq, event_id, type FROM ${this.s}.feed
        WHERE company_id = $1 AND feed.seq > $2 AND ('*' = ANY ($3::text[]) OR type = ANY ($3::text[])) ORDER BY feed.seq LIMIT 1`,
      [endpoint.company_id, endpoint.cursor, endpoint.event_types],
    );
    if (!entry) return null;
    const id = randomUUID();
    await tx.query(`INSERT INTO ${this.s}.webhook_deliveries (id, endpoint_id, seq, event_id, event_type, status) VALUES ($1, $2, $3, $4, $5, 'pending')`, [
      id,
      endpoint.id,
      entry.seq,
      entry.event_id,
      entry.type,
    ]);
    await tx.query(`UPDATE ${this.s}.webhook_endpoints SET cursor = $2 WHERE id = $1`, [endpoint.id, entry.seq]);
    return { id, seq: entry.seq, attempts: 0 };
  }

  private async send(tx: EntityManager, endpoint: Endpoint, delivery: { id: string; seq: string; attempts: number }): Promise<void> {
    const [entry] = await tx.query(`SELECT redacted, as_recorded, envelope FROM ${this.s}.feed WHERE seq = $1`, [delivery.seq]);
    const body = JSON.stringify({
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      cursor: delivery.seq,
      redacted: entry.redacted,
      asRecorded: entry.as_recorded,
      event: entry.envelope,
    });
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'DealLedger-Webhooks/1',
          [SIGNATURE_HEADER]: signDelivery(endpoint.secret, body, new Date()),
          'DealLedger-Delivery-Id': delivery.id,
          'DealLedger-Event-Id': entry.envelope.id,
          'DealLedger-Event-Type': entry.envelope.type,
        },
        body,
        // A redirect could lead anywhere, past the installation's allowed list: it counts as a failure.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (status < 200 || status > 299) error = `answered ${status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : `could not deliver: ${(err as Error).message}`;
    }
    const attempts = delivery.attempts + 1;
    if (!error) {
      webhookAttempts.inc({ outcome: 'delivered' });
      await tx.query(
        `UPDATE ${this.s}.webhook_deliveries SET status = 'delivered', attempts = $2, last_attempt_at = now(), last_status = $3, last_error = NULL, delivered_at = now() WHERE id = $1`,
        [delivery.id, attempts, status],
      );
      return;
    }
    const wait = nextRetryDelay(attempts, this.policy);
    webhookAttempts.inc({ outcome: wait === null ? 'dead' : 'failed' });
    await tx.query(
      `UPDATE ${this.s}.webhook_deliveries SET status = $2, attempts = $3, last_attempt_at = now(), last_status = $4, last_error = $5,
              next_attempt_at = now() + make_interval(secs => $6::float8 / 1000) WHERE id = $1`,
      [delivery.id, wait === null ? 'dead' : 'pending', attempts, status, error, wait ?? 0],
    );
    if (wait === null) this.logger.warn(`webhook delivery ${delivery.id} to endpoint ${endpoint.id} dead-lettered after ${attempts} attempts: ${error}`);
  }
}
