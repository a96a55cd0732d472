import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE } from '@dealledger/platform';

interface ListeningClient {
  query(sql: string): Promise<unknown>;
  on(event: 'notification' | 'error', listener: (...args: unknown[]) => void): void;
  removeAllListeners(): void;
  release(err?: Error | boolean): void;
}

/** The channel writeFeed notifies (at its commit) and every replica of the app listens on. */
export const feedChannel = (schema: string) => `${schema}_feed`;

/**
 * Wakes those waiting for new feed rows (long polls, streams, the webhook worker) when a
 * writer commits some, in whichever replica it ran: PostgreSQL LISTEN on one connection of the
 * pool. Waits still end by themselves after a while, so a lost connection only makes them
 * slower until it is back.
 */
@Injectable()
export class FeedSignal implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('FeedSignal');
  private readonly waiting = new Set<() => void>();
  private client: ListeningClient | null = null;
  private stopped = false;
  private readonly channel: string;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    store: PostgresEventStore,
  ) {
    this.channel = feedChannel(store.schema);
  }

  async onModuleInit(): Promise<void> {
    await this.listen().catch((err) => this.retry(err));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wakeAll();
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners();
      await client.query(`UNLISTEN "${this.channel}"`).catch(() => undefined);
      client.release();
    }
  }

  /** Resolves at the next commit of feed rows, after `ms`, or when `signal` aborts. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  private wakeAll(): void {
    for (const done of [...this.waiting]) done();
  }

  private async listen(): Promise<void> {
    const pool = (this.db.driver as unknown as { master: { connect(): Promise<ListeningClient> } }).master;
    const client = await pool.connect();
    client.on('notification', () => this.wakeAll());
    client.on('error', (err) => {
      client.removeAllListeners();
      client.release(true);
      if (this.client === client) this.client = null;
      this.retry(err);
    });
    await client.query(`LISTEN "${this.channel}"`);
    this.client = client;
  }

  private retry(err: unknown): void {
    if (this.stopped) return;
    this.logger.warn(`not listening for new feed rows (waits end by their timeout meanwhile): ${(err as Error)?.message}`);
    setTimeout(() => {
      if (!this.stopped) this.listen().catch((e) => this.retry(e));
    }, 1000).unref();
  }
}
