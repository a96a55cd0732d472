import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, Message, Partitioners, Producer, SASLOptions } from 'kafkajs';
// By its path, as event-check.ts: the rebuild's worker threads load this file, and need only the logger.
import { kafkaLogCreator, loggingConfigured } from '../../telemetry/src/logging';

export function kafkaBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** Where `deploy/kafka.sh` keeps this installation's Kafka passwords, one file per principal. */
export function kafkaCredentialsDir(): string {
  return process.env.KAFKA_CREDENTIALS_DIR ?? join(process.env.KAFKA_DATA_DIR ?? join(process.cwd(), '.data', 'kafka'), 'credentials');
}

/** The principal a process signs in as unless told otherwise: KAFKA_USERNAME, else `fallback`. */
export function kafkaPrincipal(fallback: string): string {
  return process.env.KAFKA_USERNAME || fallback;
}

/**
 * How `principal` signs in: with KAFKA_PASSWORD when it is KAFKA_USERNAME (any cluster), else
 * with the password `deploy/kafka.sh` made for it. Neither: no SASL (a cluster that needs none).
 */
export function kafkaSasl(principal: string): SASLOptions | undefined {
  const username = principal;
  let password = principal === process.env.KAFKA_USERNAME ? process.env.KAFKA_PASSWORD : undefined;
  if (!password) {
    try {
      password = readFileSync(join(kafkaCredentialsDir(), username), 'utf8').trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return undefined;
    }
  }
  const mechanism = (process.env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512').toLowerCase();
  if (mechanism !== 'scram-sha-512' && mechanism !== 'scram-sha-256' && mechanism !== 'plain') {
    throw new Error(`KAFKA_SASL_MECHANISM must be scram-sha-512, scram-sha-256 or plain, not ${mechanism}`);
  }
  return { mechanism, username, password } as SASLOptions;
}

/**
 * A client signed in as `principal`: an app as its context (the ACLs give it its own topic and
 * what it consumes), tools and tests as `operator` unless KAFKA_USERNAME says otherwise.
 */
export function createKafka(clientId: string, brokers: string[] = kafkaBrokers(), principal = kafkaPrincipal('operator')): Kafka {
  return new Kafka({
    clientId,
    brokers,
    sasl: kafkaSasl(principal),
    // KAFKA_LOG_LEVEL: nothing, error, warn (default), info, debug.
    // In an app, kafkajs's lines go to the app's structured log; tools and tests keep its own.
    ...(loggingConfigured() ? { logCreator: kafkaLogCreator() } : {}),
    logLevel:
      { nothing: logLevel.NOTHING, error: logLevel.ERROR, info: logLevel.INFO, debug: logLevel.DEBUG }[process.env.KAFKA_LOG_LEVEL ?? ''] ?? logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/**
 * Idempotent producer (the broker drops a retried duplicate within a session) that waits for
 * all in-sync replicas; one request in flight keeps per-partition order across retries.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // Idempotence needs unbounded retries; a send waits for the broker rather than give up.
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 10000 },
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = createProducer(kafka);
  await producer.connect();
  return producer;
}

/** How many partitions a topic has (what keyed messages are spread over). */
export async function partitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0].partitions.length;
  } finally {
    await admin.disconnect();
  }
}

const defaultPartitioner = Partitioners.DefaultPartitioner();

/**
 * Sends keyed messages as one request per partition, each to the partition the producer's
 * default partitioner picks for its key (murmur2 of the key, as Java clients do), all at once;
 * resolves when every partition acknowledged. Why not one send: kafkajs (2.2.4) drops messages
 * when a send spans several brokers and a partition's leader moves during it to a broker that
 * already answered: its retry sends again only to brokers without an answer, so that
 * partition's messages are never written, and the send resolves as if they were (seen on the
 * three-broker cluster: `npm run chaos:cluster`). With one partition per send, the retry goes
 * to the partition's new leader.
 */
export async function sendPerPartition(producer: Producer, topic: string, partitions: number, messages: Message[]): Promise<void> {
  const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [], isr: [], partitionErrorCode: 0 }));
  const byPartition = new Map<number, Message[]>();
  for (const message of messages) {
    if (message.key === null || message.key === undefined) throw new Error('sendPerPartition sends keyed messages only');
    const partition = defaultPartitioner({ topic, partitionMetadata: metadata, message });
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), { ...message, partition }]);
  }
  // Every send settles before the answer: none is left retrying behind a failure, and the
  // caller's retry never overlaps with it.
  const results = await Promise.allSettled(
    [...byPartition.entries()].map(async ([partition, batch]) => {
      const written = await producer.send({ topic, acks: -1, messages: batch });
      // kafkajs skips a partition its metadata does not have and still resolves: never take that for written.
      if (!written.some((r) => r.partition === partition && r.errorCode === 0))
        throw new Error(`${topic} partition ${partition}: the producer did not write it (does the topic have ${partitions} partitions?)`);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
