import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { collectFromTopic, uniqueName } from '@dealledger/testing';
import { connectProducer, createKafka, partitionCount, sendPerPartition } from './kafka';
import { ensureTopics } from './topics';

describe('sending a partition per request (real Kafka)', () => {
  let kafka: Kafka;
  let producer: Producer;
  const prefix = uniqueName('spp');

  beforeAll(async () => {
    kafka = createKafka('send-per-partition-test');
    producer = await connectProducer(kafka);
  });
  afterAll(() => producer.disconnect());

  it('puts every keyed message where the default partitioner would, in order per key, as one send would', async () => {
    const [mine, theirs] = [`${prefix}.mine`, `${prefix}.theirs`];
    await ensureTopics(kafka, [
      { topic: mine, partitions: 5 },
      { topic: theirs, partitions: 5 },
    ]);
    expect(await partitionCount(kafka, mine)).toBe(5);
    // 40 streams, 5 messages each, interleaved as a relay's batch is.
    const keys = Array.from({ length: 40 }, () => `stream-${randomUUID()}`);
    const messages = [0, 1, 2, 3, 4].flatMap((n) => keys.map((key) => ({ key, value: `${key}#${n}` })));
    await sendPerPartition(producer, mine, 5, messages);
    await producer.send({ topic: theirs, acks: -1, messages });
    const read = async (topic: string) => {
      const seen = await collectFromTopic(kafka, topic, (s) => s.length >= messages.length);
      return new Map(keys.map((key) => [key, seen.filter((s) => s.message.key!.toString() === key)]));
    };
    const [a, b] = [await read(mine), await read(theirs)];
    const used = new Set<number>();
    for (const key of keys) {
      // The same partition as kafkajs's own send, and the key's messages in the order sent.
      expect(a.get(key)!.map((s) => s.partition)).toEqual(b.get(key)!.map((s) => s.partition));
      expect(a.get(key)!.map((s) => s.message.value!.toString())).toEqual([0, 1, 2, 3, 4].map((n) => `${key}#${n}`));
      used.add(a.get(key)![0].partition);
    }
    // Spread over the partitions, not all in one.
    expect(used.size).toBeGreaterThan(1);
  });

  it('refuses a message without a key (it would have no partition of its own)', async () => {
    await expect(sendPerPartition(producer, `${prefix}.mine`, 5, [{ value: 'x' }])).rejects.toThrow(/keyed/);
  });
});
