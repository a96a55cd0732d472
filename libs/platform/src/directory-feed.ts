import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { TokenRevocations } from '@dealledger/auth';
import { eventCatalog, eventsTopic } from '@dealledger/events';
import { checkMessage, ensureTopics } from '@dealledger/messaging';

const REVOKING = new Set(['ApiKeyRevoked', 'PersonRemoved', 'PersonRolesChanged']);
const COMPANIES = new Set(['CompanyRegistered', 'CompanyVerified', 'PersonAdded', 'PersonRemoved']);

/** The companies registered in the directory (and which an operator verified), as every app learns them. */
export class KnownCompanies {
  private readonly registered = new Map<string, string[]>();
  private readonly verified = new Set<string>();
  private readonly names = new Map<string, string>();
  /** Each current person's company (ids only: names stay with the directory). */
  private readonly people = new Map<string, string>();

  apply(type: string, data: Record<string, unknown>): void {
    if (type === 'CompanyRegistered') {
      this.registered.set(String(data.companyId), (data.roles as string[]) ?? []);
      this.names.set(String(data.companyId), String(data.name ?? ''));
    } else if (type === 'CompanyVerified') this.verified.add(String(data.companyId));
    else if (type === 'PersonAdded') this.people.set(String(data.personId), String(data.companyId));
    else if (type === 'PersonRemoved') this.people.delete(String(data.personId));
  }

  /** A person the directory holds for this company, not removed. */
  isPersonOf(personId: string, companyId: string): boolean {
    return this.people.get(personId) === companyId;
  }

  /** Whether the directory holds this person (for any company). */
  knowsPerson(personId: string): boolean {
    return this.people.has(personId);
  }

  /** A public body whose registration an operator verified: only it runs a public procurement. */
  isVerifiedPublicBody(companyId: string): boolean {
    return this.verified.has(companyId) && (this.registered.get(companyId) ?? []).includes('public_body');
  }

  isRegistered(companyId: string): boolean {
    return this.registered.has(companyId);
  }

  isVerified(companyId: string): boolean {
    return this.verified.has(companyId);
  }

  nameOf(companyId: string): string | undefined {
    return this.names.get(companyId);
  }

  /**
   * The companies whose name contains every word of `text` (case- and accent-insensitive): how a
   * list's full-text search finds rows by counterparty name, which its own log does not hold.
   */
  named(text: string): string[] {
    const fold = (t: string) => t.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    const words = fold(text)
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    if (words.length === 0) return [];
    return [...this.names].filter(([, name]) => words.every((w) => fold(name).includes(w))).map(([id]) => id);
  }
}

/**
 * Every app reads the directory's topic from the beginning (in a consumer group of its own
 * process, so every replica sees every event) and keeps in memory which keys, people and roles
 * versions no longer hold, and which companies exist. It is caught up once it has read as far as the topic reached when
 * it started; until then requests wait (AuthGuard) and readiness says so.
 */
@Injectable()
export class DirectoryFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DirectoryFeed');
  private consumer: Consumer | null = null;
  private stopped = false;
  lastError: string | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly context: string,
    readonly revocations: TokenRevocations,
    readonly companies: KnownCompanies,
  ) {}

  private starting: Promise<void> | null = null;

  onApplicationBootstrap(): void {
    this.starting = this.startWithRetry();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    // An attempt in flight (Kafka away: retries with backoff) ends before the app is gone, at most 3 s.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.starting, new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async startWithRetry(): Promise<void> {
    for (let delay = 200; !this.stopped; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.start();
        this.lastError = null;
        return;
      } catch (err) {
        this.lastError = (err as Error).message;
        this.logger.warn(`cannot read the directory's topic yet, retrying: ${this.lastError}`);
        await this.consumer?.disconnect().catch(() => undefined);
        this.consumer = null;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async start(): Promise<void> {
    const topic = eventsTopic('directory');
    // Few retries: startWithRetry retries (and stops at shutdown) rather than kafkajs for long.
    const admin = this.kafka.admin({ retry: { retries: 1 } });
    await admin.connect();
    const targets = new Map<number, number>();
    try {
      if (!(await admin.listTopics()).includes(topic)) await ensureTopics(this.kafka, [{ topic }]);
      if (this.stopped) return;
      // Where the topic ends now: reaching it means every revocation before this start is known.
      for (const p of await admin.fetchTopicOffsets(topic)) if (Number(p.high) > Number(p.low)) targets.set(p.partition, Number(p.high));
    } finally {
      await admin.disconnect();
    }
    if (this.stopped) return;
    if (targets.size === 0) this.revocations.markCaughtUp();
    const prefix = process.env.TOPIC_PREFIX || 'dealledger';
    const consumer = this.kafka.consumer({
      groupId: `${prefix}.${this.context}.tokens.${process.pid}.${randomBytes(4).toString('hex')}`,
      allowAutoTopicCreation: false,
      // A short long-poll: leaving (shutdown) waits for the fetch in flight, 5 s by default.
      maxWaitTimeInMs: 1000,
    });
    this.consumer = consumer;
    // A crash kafkajs does not restart from would leave revocations unlearnt while the app serves:
    // start over (from the beginning, in a new group), and hold requests until caught up again.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopped) return;
      this.lastError = payload.error.message;
      this.logger.warn(`reading the directory's topic stopped, starting over: ${payload.error.message}`);
      this.revocations.markBehind();
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(() => this.startWithRetry());
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const type = message.headers?.['dl-event-type']?.toString();
          if (type !== undefined && !REVOKING.has(type) && !COMPANIES.has(type)) continue;
          // The same checks as every consumer: only the directory's own, intact events count.
          const checked = checkMessage(message.value, eventCatalog, batch.topic);
          if (!('envelope' in checked)) {
            this.logger.warn(`ignoring ${batch.topic}[${batch.partition}]@${message.offset}: ${checked.reason}`);
            continue;
          }
          const { type: t, data } = checked.envelope;
          if (REVOKING.has(t)) this.revocations.apply(t, data as Record<string, unknown>);
          if (COMPANIES.has(t)) this.companies.apply(t, data as Record<string, unknown>);
        }
        const target = targets.get(batch.partition);
        if (target !== undefined && Number(batch.lastOffset()) + 1 >= target) {
          targets.delete(batch.partition);
          if (targets.size === 0) this.revocations.markCaughtUp();
        }
      },
    });
  }

  get status() {
    return { caughtUp: this.revocations.isCaughtUp, lastError: this.lastError };
  }
}
