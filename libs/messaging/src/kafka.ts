import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, Producer, SASLOptions } from 'kafkajs';
import { kafkaLogCreator, loggingConfigured } from '@dealledger/telemetry';

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
