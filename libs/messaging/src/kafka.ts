import { Kafka, logLevel, Partitioners, Producer } from 'kafkajs';

export function kafkaBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
}

export function createKafka(clientId: string, brokers: string[] = kafkaBrokers()): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
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
