import type { Consumer } from 'kafkajs';

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
 */
export class PeriodicCommits {
  private readonly pending = new Map<string, Commit>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly consumer: Pick<Consumer, 'commitOffsets'>,
    private readonly intervalMs: number,
    private readonly warn: (message: string) => void,
  ) {}

  /** The message at `offset` is done: the group may move past it. */
  processed(topic: string, partition: number, offset: string): void {
    if (this.closed) return;
    this.pending.set(`${topic}\0${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    this.schedule();
  }

  /** A new generation: the offsets of partitions this member no longer holds are not its to commit. */
  assigned(assignment: Record<string, number[]>): void {
    for (const [key, c] of this.pending) if (!assignment[c.topic]?.includes(c.partition)) this.pending.delete(key);
  }

  /** Commits what is pending now (a rebalance is starting, or the member is stopping). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.pending.values()];
    this.pending.clear();
    if (batch.length === 0) return this.committing;
    this.committing = this.committing.then(async () => {
      try {
        // kafkajs retries it, and skips it when the member is no longer running (the messages
        // are then delivered again from the last commit).
        await this.consumer.commitOffsets(batch);
      } catch (err) {
        this.warn(`committing offsets failed, will be tried again: ${(err as Error).message}`);
        // Put back what no newer offset has replaced; `assigned` drops what is no longer ours.
        for (const c of batch) {
          const key = `${c.topic}\0${c.partition}`;
          if (!this.pending.has(key)) this.pending.set(key, c);
        }
        this.schedule();
      }
    });
    return this.committing;
  }

  /** Flushes and stops for good: nothing is committed by this member afterwards. */
  async close(): Promise<void> {
    const last = this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await last;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.intervalMs);
    this.timer.unref();
  }
}
