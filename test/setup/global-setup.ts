import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';

/**
 * Brings up the real servers the integration tests talk to:
 * - KAFKA_BROKERS and DATABASE_URL set: use those;
 * - else, where a Docker engine answers: Kafka (KRaft) and PostgreSQL in testcontainers;
 * - else: the project's own local Kafka (deploy/kafka.sh) and the local PostgreSQL.
 */
export default async function globalSetup(): Promise<void> {
  const g = globalThis as { __containers?: { stop(): Promise<unknown> }[] };
  g.__containers = [];
  const explicit = process.env.KAFKA_BROKERS && process.env.DATABASE_URL;
  if (!explicit && process.env.TESTCONTAINERS !== 'off' && (await dockerAnswers())) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const pg = await new PostgreSqlContainer('postgres:16-alpine').start();
    const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
    g.__containers.push(pg, kafka);
    process.env.DATABASE_URL = pg.getConnectionUri();
    process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
    console.log(`\n[tests] using testcontainers: ${process.env.DATABASE_URL} ${process.env.KAFKA_BROKERS}`);
  } else {
    if (!process.env.KAFKA_BROKERS) {
      execFileSync('bash', [resolve(__dirname, '../../deploy/kafka.sh'), 'start'], { stdio: 'inherit' });
      process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`;
    }
    process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';
    // Apps under test use random topic prefixes that have no ACLs: they sign in as the operator.
    // The grants themselves are tested in libs/messaging/src/access.int-spec.ts and by chaos.
    process.env.KAFKA_USERNAME ??= 'operator';
    console.log(`\n[tests] using local servers: ${process.env.DATABASE_URL} ${process.env.KAFKA_BROKERS}`);
  }
  // Apps under test log warnings and errors only (a test that reads log lines asks for more).
  process.env.LOG_LEVEL ??= 'warn';
  await waitForPostgres(process.env.DATABASE_URL!);
}

async function dockerAnswers(): Promise<boolean> {
  const socket = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
  if (!process.env.DOCKER_HOST && !existsSync(socket)) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([getContainerRuntimeClient(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000))]);
    return true;
  } catch {
    return false;
  }
}

async function waitForPostgres(url: string): Promise<void> {
  const deadline = Date.now() + 30000;
  for (;;) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`PostgreSQL at ${url} does not answer: ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
