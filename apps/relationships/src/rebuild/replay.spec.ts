import { PartitionRange, shardPartitions } from './replay';

const range = (topic: string, partition: number, count: number): PartitionRange => ({ topic, partition, end: count, count });

describe('shardPartitions', () => {
  it('gives every partition to exactly one shard and balances the message counts', () => {
    const ranges = [range('a', 0, 900), range('a', 1, 500), range('a', 2, 400), range('b', 0, 300), range('b', 1, 200), range('c', 0, 100)];
    const shards = shardPartitions(ranges, 2);
    expect(shards).toHaveLength(2);
    const all = shards.flat().map((r) => `${r.topic}:${r.partition}`).sort();
    expect(all).toEqual(ranges.map((r) => `${r.topic}:${r.partition}`).sort());
    const loads = shards.map((s) => s.reduce((n, r) => n + r.count, 0));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(100);
  });

  it('drops empty shards when there are fewer partitions than shards', () => {
    expect(shardPartitions([range('a', 0, 10)], 4)).toEqual([[range('a', 0, 10)]]);
    expect(shardPartitions([], 2)).toEqual([]);
  });
});
