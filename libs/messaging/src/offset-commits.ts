import type { Consumer, ConsumerCommitOffsetsEvent } from 'kafkajs';

interface Commit {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Commits a consumer member's processed offsets at most every `intervalMs`, instead of after
 * every fetched batch as kafkajs does: at a few messages a second per partition, that commit
 * was a Kafka request (and a write to the offsets topic) per message for every group.
 * The inbox makes this safe: a member that dies, or loses a partition, before its next commit
 * has the messages since delivered again, and they are skipped as duplicates. An offset is
 * recorded only once its message is handled and committed in PostgreSQL, so nothing is passed
 * over.
 *
 * A commit counts as made only when kafkajs reports it (COMMIT_OFFSETS): `commitOffsets`
 * resolves without committing anything while the member is stopping, or restarted and still
 * joining. What is not committed is sent again at the next interval while the member holds the
 * partition; after it leaves the group and joins again, kafkajs fetches every partition from the
 * group's committed offset, and what was handled but not committed is delivered again and
 * recorded again. Otherwise a partition whose traffic stopped would keep its lag for good.
 */
export class PeriodicCommits {
  /**
   * The offset after the highest message handled per partition in the current assignment: a
   * partition delivered again from an older position (a handler that failed) must not take the
   * group's offset back.
   */
  private readonly done = new Map<string, bigint>();
  /** The highest offset per partition the broker took from this member (kafkajs said so). */
  private readonly committed = new Map<string, bigint>();
  /** The partitions of the current assignment (null until the first). */
  private held: Set<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private inFlight = false;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly consumer: Pick<Consumer, 'commitOffsets' | 'on' | 'events'>,
    private readonly intervalMs: number,
    private readonly warn: (message: string) => void,
  ) {
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }: ConsumerCommitOffsetsEvent) => {
      for (const { topic, partitions } of payload.topics)
        for (const { partition, offset } of partitions) {
          const k = key(topic, partition);
          if (BigInt(offset) > (this.committed.get(k) ?? -1n)) this.committed.set(k, BigInt(offset));
        }
    });
  }

  /** The message at `offset` is done: the group may move past it. */
  processed(topic: string, partition: number, offset: string): void {
    if (this.closed) return;
    const k = key(topic, partition);
    // A batch that finished after its partition went to another member (a rejoin that did not
    // wait for it): that member commits it.
    if (this.held && !this.held.has(k)) return;
    const next = BigInt(offset) + 1n;
    if (next <= (this.done.get(k) ?? -1n) || next <= (this.committed.get(k) ?? -1n)) return;
    this.done.set(k, next);
    this.schedule();
  }

  /**
   * A new generation. kafkajs fetches every assigned partition again from the group's committed
   * offset: what was handled but not committed comes again and is recorded again, so nothing
   * from before is kept (a partition held before may have had another owner in between).
   */
  assigned(assignment: Record<string, number[]>): void {
    this.held = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => key(topic, p))));
    this.done.clear();
    this.committed.clear();
  }

  /**
   * The member left its group (kafkajs crashed or stopped it): its next assignment starts from
   * the group's offsets, and until then a commit could not be made.
   */
  left(): void {
    this.unschedule();
    this.held = new Set();
    this.done.clear();
    this.committed.clear();
  }

  /** Commits what is handled and not yet committed (on the interval, at a rebalance, at a stop). */
  flush(): Promise<void> {
    this.unschedule();
    // Commits go one after another, each taking what is due when its turn comes, so a later
    // commit never carries an older offset than an earlier one.
    this.committing = this.committing.then(async () => {
      // The one before may have armed the timer for what this one sends.
      this.unschedule();
      const batch = this.due();
      if (batch.length === 0) return;
      this.inFlight = true;
      try {
        // kafkajs retries it, and skips it when the member is not running.
        await this.consumer.commitOffsets(batch);
      } catch (err) {
        this.warn(`committing offsets failed: ${(err as Error).message}`);
      } finally {
        this.inFlight = false;
      }
      // Failed, skipped, or more handled meanwhile: at the next interval.
      if (this.due().length > 0) this.schedule();
    });
    return this.committing;
  }

  /** Flushes and stops for good: nothing is committed by this member afterwards. */
  async close(): Promise<void> {
    if (this.closed) return this.committing;
    const last = this.flush();
    this.closed = true;
    await last;
  }

  /** Handled past what the broker has from this member. */
  private due(): Commit[] {
    const due: Commit[] = [];
    for (const [k, next] of this.done) {
      if (next <= (this.committed.get(k) ?? -1n)) continue;
      const [topic, partition] = k.split('\0');
      due.push({ topic, partition: Number(partition), offset: next.toString() });
    }
    return due;
  }

  /** One timer at a time, and none while a commit is under way (it schedules the next itself). */
  private schedule(): void {
    if (this.timer || this.closed || this.inFlight) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.intervalMs);
    this.timer.unref();
  }

  private unschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

const key = (topic: string, partition: number) => `${topic}\0${partition}`;
