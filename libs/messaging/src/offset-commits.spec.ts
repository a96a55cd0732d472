import type { Consumer } from 'kafkajs';
import { PeriodicCommits } from './offset-commits';

type Commit = { topic: string; partition: number; offset: string };

describe('PeriodicCommits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /**
   * A member as kafkajs makes it: a commit while it is not running (stopping, or restarted and
   * still joining) resolves without committing; a commit the broker takes is reported
   * (COMMIT_OFFSETS).
   */
  const setUp = (fail = 0) => {
    const commits: Commit[][] = [];
    const sent: Commit[][] = [];
    let failures = fail;
    const listeners: ((e: { payload: { topics: { topic: string; partitions: { partition: number; offset: string }[] }[] } }) => void)[] = [];
    let settle: ((outcome: Error | null) => void) | null = null;
    const member = {
      running: true,
      /** Commits wait for `release()` instead of going through at once. */
      held: false,
      release: (outcome: Error | null = null) => settle?.(outcome),
    };
    const take = (offsets: Commit[]) => {
      commits.push(offsets);
      const topics = [...new Set(offsets.map((o) => o.topic))].map((topic) => ({
        topic,
        partitions: offsets.filter((o) => o.topic === topic).map(({ partition, offset }) => ({ partition, offset })),
      }));
      for (const l of listeners) l({ payload: { topics } });
    };
    const consumer = {
      events: { COMMIT_OFFSETS: 'consumer.commit_offsets' },
      on: (_event: string, listener: (typeof listeners)[number]) => {
        listeners.push(listener);
        return () => undefined;
      },
      commitOffsets: async (offsets: Commit[]) => {
        sent.push(offsets);
        if (!member.running) return; // kafkajs: "consumer not running, exiting"
        if (member.held) {
          const outcome = await new Promise<Error | null>((r) => (settle = r));
          if (outcome) throw outcome;
          return take(offsets);
        }
        if (failures-- > 0) throw new Error('rebalance in progress');
        take(offsets);
      },
    };
    const warnings: string[] = [];
    const periodic = new PeriodicCommits(consumer as unknown as Pick<Consumer, 'commitOffsets' | 'on' | 'events'>, 1000, (m) => warnings.push(m));
    return { commits, sent, warnings, member, periodic };
  };
  const tick = async (ms: number) => {
    await jest.advanceTimersByTimeAsync(ms);
  };
  const byPartition = (c: Commit[]) => [...c].sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);

  it('commits the offset after the latest handled message of each partition, once an interval', async () => {
    const { commits, periodic } = setUp();
    periodic.processed('a', 0, '4');
    periodic.processed('a', 0, '5');
    periodic.processed('a', 1, '9');
    await tick(999);
    expect(commits).toEqual([]);
    await tick(1);
    expect(commits).toEqual([
      [
        { topic: 'a', partition: 0, offset: '6' },
        { topic: 'a', partition: 1, offset: '10' },
      ],
    ]);
    // Nothing new: nothing sent.
    await tick(5000);
    expect(commits).toHaveLength(1);
    periodic.processed('a', 0, '6');
    await tick(1000);
    expect(commits[1]).toEqual([{ topic: 'a', partition: 0, offset: '7' }]);
  });

  it('sends a failed commit again at the next interval, with what is newer by then', async () => {
    const { commits, warnings, periodic } = setUp(1);
    periodic.processed('a', 0, '1');
    periodic.processed('a', 1, '1');
    await tick(1000);
    expect(commits).toEqual([]);
    expect(warnings[0]).toMatch(/rebalance in progress/);
    periodic.processed('a', 1, '3');
    await tick(1000);
    expect(commits).toHaveLength(1);
    expect(byPartition(commits[0])).toEqual([
      { topic: 'a', partition: 0, offset: '2' },
      { topic: 'a', partition: 1, offset: '4' },
    ]);
  });

  it('sends again a commit kafkajs skipped because the member was not running', async () => {
    const { commits, sent, member, periodic } = setUp();
    periodic.processed('a', 0, '27');
    member.running = false;
    await tick(1000);
    expect(sent).toHaveLength(1);
    expect(commits).toEqual([]);
    member.running = true;
    await tick(1000);
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '28' }]]);
    await tick(5000);
    expect(sent).toHaveLength(2);
  });

  it('commits a partition whose traffic stopped after a crash: the messages delivered again are recorded again', async () => {
    // The group has offset 10. Messages 10..37 are handled; the member crashes and leaves the
    // group before its commit (nothing is due until it joins again); joined, it is delivered
    // 10..37 again, and nothing comes after.
    const { commits, sent, periodic } = setUp();
    periodic.assigned({ a: [0] });
    for (let o = 10; o <= 37; o++) periodic.processed('a', 0, String(o));
    periodic.left();
    await periodic.flush();
    expect(sent).toEqual([]);
    periodic.assigned({ a: [0] });
    for (let o = 10; o <= 37; o++) periodic.processed('a', 0, String(o));
    await tick(1000);
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '38' }]]);
  });

  it('records again after a new assignment what the broker had from this member before it', async () => {
    // 38 was committed; in between another owner (or a late commit) took the group back to 30.
    const { commits, periodic } = setUp();
    periodic.assigned({ a: [0] });
    periodic.processed('a', 0, '37');
    await tick(1000);
    periodic.assigned({ a: [0] });
    for (let o = 30; o <= 37; o++) periodic.processed('a', 0, String(o));
    await tick(1000);
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '38' }], [{ topic: 'a', partition: 0, offset: '38' }]]);
  });

  it('does not commit a batch that finished after its partition went to another member', async () => {
    const { commits, periodic } = setUp();
    periodic.assigned({ a: [0, 1] });
    periodic.processed('a', 0, '5');
    periodic.assigned({ a: [1] });
    periodic.processed('a', 0, '6');
    periodic.processed('a', 1, '2');
    await tick(1000);
    expect(commits).toEqual([[{ topic: 'a', partition: 1, offset: '3' }]]);
  });

  it('commits nothing between leaving the group and the next assignment', async () => {
    const { sent, periodic } = setUp();
    periodic.assigned({ a: [0] });
    periodic.processed('a', 0, '5');
    periodic.left();
    expect(jest.getTimerCount()).toBe(0);
    periodic.processed('a', 0, '6');
    expect(jest.getTimerCount()).toBe(0);
    await tick(5000);
    expect(sent).toEqual([]);
  });

  it('keeps one commit under way at a time, and sends what came meanwhile once, after it', async () => {
    const { sent, commits, member, periodic } = setUp();
    member.held = true;
    periodic.processed('a', 0, '1');
    await tick(1000);
    expect(sent).toHaveLength(1);
    for (let o = 2; o <= 6; o++) {
      periodic.processed('a', 0, String(o));
      await tick(1000);
    }
    expect(sent).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    member.held = false;
    member.release();
    await tick(0);
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '2' }]]);
    await tick(1000);
    expect(commits[1]).toEqual([{ topic: 'a', partition: 0, offset: '7' }]);
    await tick(5000);
    expect(sent).toHaveLength(2);
  });

  it('sends a flush asked for during a commit right after it, once', async () => {
    const { sent, commits, member, periodic } = setUp();
    member.held = true;
    periodic.processed('a', 0, '1');
    const first = periodic.flush();
    await tick(0);
    periodic.processed('a', 0, '2');
    const second = periodic.flush();
    const third = periodic.flush();
    member.held = false;
    member.release();
    await Promise.all([first, second, third]);
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '2' }], [{ topic: 'a', partition: 0, offset: '3' }]]);
    expect(jest.getTimerCount()).toBe(0);
    await tick(5000);
    expect(sent).toHaveLength(2);
  });

  it('does not send again a failed commit of an earlier assignment; the partition comes again from the group', async () => {
    const { sent, commits, member, periodic } = setUp();
    member.held = true;
    periodic.processed('a', 0, '1');
    const failing = periodic.flush();
    await tick(0);
    expect(sent).toHaveLength(1);
    periodic.assigned({ a: [0] });
    member.release(new Error('illegal generation'));
    await failing;
    member.held = false;
    await tick(5000);
    expect(sent).toHaveLength(1);
    // Delivered again from the group's offset (0) under the new assignment.
    periodic.processed('a', 0, '0');
    periodic.processed('a', 0, '1');
    await tick(1000);
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '2' }]]);
  });

  it('forgets what it handled in an earlier assignment', async () => {
    const { commits, periodic } = setUp();
    periodic.processed('a', 0, '1');
    periodic.processed('b', 0, '1');
    periodic.assigned({ a: [0], b: [0] });
    await tick(5000);
    expect(commits).toEqual([]);
  });

  it('commits what is pending when closed, and nothing afterwards', async () => {
    const { commits, periodic } = setUp();
    periodic.processed('a', 0, '41');
    await periodic.close();
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '42' }]]);
    periodic.processed('a', 0, '42');
    await tick(5000);
    expect(commits).toHaveLength(1);
    // Closed while skipped: not sent again either.
    const other = setUp();
    other.member.running = false;
    other.periodic.processed('a', 0, '1');
    await other.periodic.close();
    other.member.running = true;
    await tick(5000);
    expect(other.sent).toHaveLength(1);
  });

  it('handles offsets past 2^53', async () => {
    const { commits, periodic } = setUp();
    periodic.processed('a', 0, '9007199254740993');
    await periodic.flush();
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '9007199254740994' }]]);
  });

  it('never takes a partition back: messages delivered again from an older position are not recorded', async () => {
    const { commits, periodic } = setUp();
    periodic.processed('a', 0, '100');
    await tick(1000);
    // Delivered again from offset 50 (kafkajs fetches again after a handler failed, say).
    periodic.processed('a', 0, '50');
    periodic.processed('a', 0, '60');
    await tick(1000);
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '101' }]]);
  });

  it('never takes a partition back past a commit that lands after a new assignment', async () => {
    const { commits, member, periodic } = setUp();
    member.held = true;
    periodic.processed('a', 0, '100');
    const landing = periodic.flush();
    await tick(0);
    periodic.assigned({ a: [0] });
    // The new member was delivered from an older offset before the commit reached the broker.
    periodic.processed('a', 0, '50');
    member.release();
    await landing;
    member.held = false;
    periodic.processed('a', 0, '60');
    await tick(1000);
    // The broker has 101 before 51's turn comes (commits go one after another): 51 and 61 are not sent.
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '101' }]]);
  });
});
