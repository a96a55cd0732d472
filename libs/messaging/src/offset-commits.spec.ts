import { PeriodicCommits } from './offset-commits';

type Commit = { topic: string; partition: number; offset: string };

describe('PeriodicCommits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const setUp = (fail = 0) => {
    const commits: Commit[][] = [];
    let failures = fail;
    const consumer = {
      commitOffsets: async (offsets: Commit[]) => {
        if (failures-- > 0) throw new Error('rebalance in progress');
        commits.push(offsets);
      },
    };
    const warnings: string[] = [];
    return { commits, warnings, periodic: new PeriodicCommits(consumer, 1000, (m) => warnings.push(m)) };
  };
  const tick = async (ms: number) => {
    await jest.advanceTimersByTimeAsync(ms);
  };

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

  it('keeps a failed commit for the next attempt unless a newer offset replaced it', async () => {
    const { commits, warnings, periodic } = setUp(1);
    periodic.processed('a', 0, '1');
    periodic.processed('a', 1, '1');
    await tick(1000);
    expect(commits).toEqual([]);
    expect(warnings[0]).toMatch(/rebalance in progress/);
    periodic.processed('a', 1, '3');
    await tick(1000);
    expect(commits).toHaveLength(1);
    expect([...commits[0]].sort((x, y) => x.partition - y.partition)).toEqual([
      { topic: 'a', partition: 0, offset: '2' },
      { topic: 'a', partition: 1, offset: '4' },
    ]);
  });

  it('does not try again a failed commit of an earlier assignment', async () => {
    // The commit is under way when the group is rebalanced; it fails as stale.
    let fail: (err: Error) => void = () => undefined;
    const sent: Commit[][] = [];
    const consumer = {
      commitOffsets: (offsets: Commit[]) => {
        sent.push(offsets);
        return sent.length === 1 ? new Promise<void>((_, reject) => (fail = reject)) : Promise.resolve();
      },
    };
    const periodic = new PeriodicCommits(consumer, 1000, () => undefined);
    periodic.processed('a', 0, '1');
    const failing = periodic.flush();
    await tick(0);
    expect(sent).toHaveLength(1);
    periodic.assigned({ a: [0] });
    fail(new Error('illegal generation'));
    await failing;
    await tick(5000);
    expect(sent).toHaveLength(1);
  });

  it('drops the offsets of partitions a new assignment no longer holds', async () => {
    const { commits, periodic } = setUp();
    periodic.processed('a', 0, '1');
    periodic.processed('a', 1, '1');
    periodic.processed('b', 0, '1');
    periodic.assigned({ a: [1], b: [] });
    await tick(1000);
    expect(commits).toEqual([[{ topic: 'a', partition: 1, offset: '2' }]]);
  });

  it('commits what is pending when closed, and nothing afterwards', async () => {
    const { commits, periodic } = setUp();
    periodic.processed('a', 0, '41');
    await periodic.close();
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '42' }]]);
    periodic.processed('a', 0, '42');
    await tick(5000);
    expect(commits).toHaveLength(1);
  });

  it('handles offsets past 2^53', async () => {
    const { commits, periodic } = setUp();
    periodic.processed('a', 0, '9007199254740993');
    await periodic.flush();
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '9007199254740994' }]]);
  });

  it('never takes a partition back: messages delivered again from an older commit are not recorded', async () => {
    const { commits, periodic } = setUp();
    periodic.processed('a', 0, '100');
    await tick(1000);
    // Delivered again from offset 50 (a commit that did not reach the broker, say).
    periodic.processed('a', 0, '50');
    periodic.processed('a', 0, '60');
    await tick(1000);
    expect(commits).toEqual([[{ topic: 'a', partition: 0, offset: '101' }]]);
    // Lost and later assigned again: it starts from what its other owners committed.
    periodic.assigned({ a: [] });
    periodic.assigned({ a: [0] });
    periodic.processed('a', 0, '80');
    await tick(1000);
    expect(commits[1]).toEqual([{ topic: 'a', partition: 0, offset: '81' }]);
  });
});
