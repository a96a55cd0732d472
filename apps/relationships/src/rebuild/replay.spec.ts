import { randomUUID } from 'node:crypto';
import { upToLiveConsumer } from './rebuild';
import { IsInt, Max, Min } from 'class-validator';
import type { Kafka } from 'kafkajs';
import { EventCatalog, EventEnvelope } from '@dealledger/events';
import { sealed } from '@dealledger/testing';
import { PartitionRange, replayShard, shardPartitions } from './replay';

const range = (topic: string, partition: number, count: number): PartitionRange => ({ topic, partition, end: count, count });

describe('shardPartitions', () => {
  it('gives every partition to exactly one shard and balances the message counts', () => {
    const ranges = [range('a', 0, 900), range('a', 1, 500), range('a', 2, 400), range('b', 0, 300), range('b', 1, 200), range('c', 0, 100)];
    const shards = shardPartitions(ranges, 2);
    expect(shards).toHaveLength(2);
    const all = shards
      .flat()
      .map((r) => `${r.topic}:${r.partition}`)
      .sort();
    expect(all).toEqual(ranges.map((r) => `${r.topic}:${r.partition}`).sort());
    const loads = shards.map((s) => s.reduce((n, r) => n + r.count, 0));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(100);
  });

  it('drops empty shards when there are fewer partitions than shards', () => {
    expect(shardPartitions([range('a', 0, 10)], 4)).toEqual([[range('a', 0, 10)]]);
    expect(shardPartitions([], 2)).toEqual([]);
  });
});

/**
 * A stand-in for a kafkajs consumer: `run` starts delivering `batches` one after another, as
 * kafkajs does; a batch whose handler throws is dropped (kafkajs would retry it, then crash and
 * restart the consumer, for as long as the handler keeps failing).
 */
function fakeKafka(script: { batches?: Batch[]; run?: () => Promise<void>; crashAfterRun?: Error }) {
  const listeners = new Map<string, (e: unknown) => void>();
  const state = { disconnected: false, paused: [] as string[], config: undefined as unknown };
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: (name: string, listener: (e: unknown) => void) => {
      listeners.set(name, listener);
      return () => listeners.delete(name);
    },
    connect: async () => undefined,
    subscribe: async () => undefined,
    pause: (tps: { topic: string; partitions: number[] }[]) => state.paused.push(...tps.map((tp) => `${tp.topic}:${tp.partitions}`)),
    disconnect: async () => {
      state.disconnected = true;
    },
    run: async ({ eachBatch }: { eachBatch: (p: { batch: Batch }) => Promise<void> }) => {
      await script.run?.();
      setImmediate(async () => {
        for (const batch of script.batches ?? []) await eachBatch({ batch }).catch(() => undefined);
        if (script.crashAfterRun) listeners.get('consumer.crash')?.({ payload: { error: script.crashAfterRun, groupId: 'g', restart: false } });
      });
    },
  };
  const kafka = {
    consumer: (config: unknown) => {
      state.config = config;
      return consumer;
    },
  } as unknown as Kafka;
  return { kafka, state };
}

interface Batch {
  topic: string;
  partition: number;
  messages: { offset: string; value: Buffer | null }[];
}

class RatedV1 {
  @IsInt() @Min(1) @Max(5) stars: number;
}
class RatedV2 {
  @IsInt() @Min(1) @Max(10) score: number;
}
const catalog = new EventCatalog()
  .register(
    { type: 'Rated', schemaVersion: 1, context: 'service-desk', schema: RatedV1, description: 'v1' },
    { type: 'Rated', schemaVersion: 2, context: 'service-desk', schema: RatedV2, description: 'v2' },
  )
  .registerUpcaster({ type: 'Rated', fromVersion: 1, upcast: ({ stars }) => ({ score: Number(stars) * 2 }) });

const rated = (schemaVersion: number, data: Record<string, unknown>): EventEnvelope =>
  sealed({
    id: randomUUID(),
    type: 'Rated',
    schemaVersion,
    context: 'service-desk',
    streamId: `ticket-${randomUUID()}`,
    streamType: 'ticket',
    streamVersion: 1,
    position: 1,
    occurredAt: '2026-01-05T09:00:00.000Z',
    recordedAt: '2026-01-05T09:00:00.000Z',
    parties: [randomUUID(), randomUUID()],
    actor: null,
    correlationId: randomUUID(),
    causationId: null,
    data,
  });
const message = (offset: number, value: unknown) => ({
  offset: String(offset),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});
const shard = (end: number) => [{ topic: 't', partition: 0, end, count: end }];

describe('replayShard', () => {
  // Before, a failure left the replay waiting forever: each test must end well within this.
  const promptly = 5000;

  it('writes what the live consumer handled, upcast, and skips what it dead-lettered, cannot parse or has no schema version for', async () => {
    const old = rated(1, { stars: 4 });
    const current = rated(2, { score: 7 });
    const deadLettered = rated(2, { score: 99 });
    // The live consumer handled it, so it passed the checks then: the replay does not validate again.
    const handled = rated(2, { score: 11 });
    const batches = [
      {
        topic: 't',
        partition: 0,
        messages: [
          message(0, old),
          message(1, deadLettered),
          message(2, 'not json'),
          message(3, null),
          message(4, rated(3, { score: 1 })),
          message(5, current),
          message(6, handled),
          message(7, rated(2, { score: 1 })),
        ],
      },
    ];
    const written: EventEnvelope[] = [];
    // The live consumer has decided on offsets 0..6 (committed 7), or only on 0..5 (committed 6).
    const fakes: ReturnType<typeof fakeKafka>[] = [];
    const replay = (committed: number) => {
      fakes.push(fakeKafka({ batches }));
      return replayShard({
        kafka: fakes[fakes.length - 1].kafka,
        groupId: 'g',
        ranges: shard(7),
        catalog,
        deadLettered: new Set([deadLettered.id]),
        decidedBelow: { 't:0': committed },
        write: async (events) => void written.push(...events),
      });
    };
    const result = await replay(7);
    expect(result).toEqual({ written: 3, skipped: 4 });
    expect(written).toEqual([{ ...old, schemaVersion: 2, data: { score: 8 } }, current, handled]);
    // What it has not decided on yet is checked here in full, as it will check it: score 11 fails its schema.
    written.length = 0;
    expect(await replay(6)).toEqual({ written: 2, skipped: 5 });
    expect(written).toEqual([{ ...old, schemaVersion: 2, data: { score: 8 } }, current]);
    for (const { state } of fakes) expect(state).toMatchObject({ paused: ['t:0'], disconnected: true });
  });

  it(
    'fails at once when a batch cannot be written, instead of leaving kafkajs to retry it',
    async () => {
      const { kafka, state } = fakeKafka({ batches: [{ topic: 't', partition: 0, messages: [message(0, rated(2, { score: 3 }))] }] });
      const write = async () => {
        throw new Error('violates check constraint');
      };
      await expect(replayShard({ kafka, groupId: 'g', ranges: shard(1), catalog, deadLettered: new Set(), write })).rejects.toThrow(
        'violates check constraint',
      );
      expect(state.disconnected).toBe(true);
    },
    promptly,
  );

  it(
    'fails when the consumer crashes after it started, and does not let kafkajs restart it',
    async () => {
      const { kafka, state } = fakeKafka({ crashAfterRun: new Error('KafkaJSNumberOfRetriesExceeded') });
      await expect(replayShard({ kafka, groupId: 'g', ranges: shard(1), catalog, deadLettered: new Set(), write: async () => undefined })).rejects.toThrow(
        'KafkaJSNumberOfRetriesExceeded',
      );
      expect(state.disconnected).toBe(true);
      expect(state.config).toMatchObject({ retry: { restartOnFailure: expect.any(Function) } });
      expect(await (state.config as { retry: { restartOnFailure: (e: Error) => Promise<boolean> } }).retry.restartOnFailure(new Error('x'))).toBe(false);
    },
    promptly,
  );

  it(
    'fails when the consumer cannot start',
    async () => {
      const { kafka, state } = fakeKafka({
        run: async () => {
          throw new Error('group coordinator not available');
        },
      });
      await expect(replayShard({ kafka, groupId: 'g', ranges: shard(1), catalog, deadLettered: new Set(), write: async () => undefined })).rejects.toThrow(
        'group coordinator not available',
      );
      expect(state.disconnected).toBe(true);
    },
    promptly,
  );
});

describe('what the replay writes when the live consumer is behind', () => {
  const ranges = [
    { topic: 't', partition: 0, end: 100, count: 100 },
    { topic: 't', partition: 1, end: 50, count: 40 },
    { topic: 't', partition: 2, end: 30, count: 30 },
  ];

  it('stops at what the live consumer has decided on, which writes the rest itself in stream order', () => {
    expect(upToLiveConsumer(ranges, { 't:0': 100, 't:1': 20, 't:2': -1 })).toEqual([
      { topic: 't', partition: 0, end: 100, count: 100 },
      { topic: 't', partition: 1, end: 20, count: 10 },
    ]);
  });

  it('writes everything when no live consumer has any offsets', () => {
    expect(upToLiveConsumer(ranges, { 't:0': -1, 't:1': -1 })).toEqual(ranges);
    expect(upToLiveConsumer(ranges, {})).toEqual(ranges);
  });
});
