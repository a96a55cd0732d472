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
  /**
   * The highest offset recorded per partition: a partition delivered again from an older commit
   * (a failed commit, a new assignment) must not take the group's offset back.
   */
  private readonly highest = new Map<string, bigint>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Bumped by each new assignment: a failed commit of an earlier one is not tried again. */
  private generation = 0;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly consumer: Pick<Consumer, 'commitOffsets'>,
    private readonly intervalMs: number,
    private readonly warn: (message: string) => void,
  ) {}

  /** The message at `offset` is done: the group may move past it. */
  processed(topic: string, partition: number, offset: string): void {
    if (this.closed) return;
    const k = key(topic, partition);
    const next = BigInt(offset) + 1n;
    if (next <= (this.highest.get(k) ?? -1n)) return;
    this.highest.set(k, next);
    this.pending.set(k, { topic, partition, offset: next.toString() });
    this.schedule();
  }

  /** A new generation: the offsets of partitions this member no longer holds are not its to commit. */
  assigned(assignment: Record<string, number[]>): void {
    this.generation += 1;
    const held = (k: string, c: { topic: string; partition: number }) => assignment[c.topic]?.includes(c.partition);
    for (const [k, c] of this.pending) if (!held(k, c)) this.pending.delete(k);
    // A partition that comes back later starts from whatever its other owners committed.
    for (const k of this.highest.keys()) {
      const [topic, partition] = k.split('\0');
      if (!held(k, { topic, partition: Number(partition) })) this.highest.delete(k);
    }
  }

  /** Commits what is pending (a rebalance is starting, or the member is stopping). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Commits go one after another, each taking what is pending when its turn comes, so a
    // later commit never carries an older offset than an earlier one.
    this.committing = this.committing.then(async () => {
      const batch = [...this.pending.values()];
      this.pending.clear();
      if (batch.length === 0) return;
      const generation = this.generation;
      try {
        // kafkajs retries it, and skips it when the member is no longer running (the messages
        // are then delivered again from the last commit).
        await this.consumer.commitOffsets(batch);
      } catch (err) {
        this.warn(`committing offsets failed: ${(err as Error).message}`);
        // Tried again with the next commit, unless the member stopped, the partitions were
        // assigned anew meanwhile, or a newer offset replaced it.
        if (this.closed || generation !== this.generation) return;
        for (const c of batch) if (!this.pending.has(key(c.topic, c.partition))) this.pending.set(key(c.topic, c.partition), c);
        this.schedule();
      }
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

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.intervalMs);
    this.timer.unref();
  }
}

const key = (topic: string, partition: number) => `${topic}\0${partition}`;
