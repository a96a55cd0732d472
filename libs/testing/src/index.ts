import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { DataSource, MigrationInterface } from 'typeorm';
import { EVENT_STORE_MIGRATIONS, openDatabase } from '@dealledger/event-store';
import { EventEnvelope, eventsTopic } from '@dealledger/events';
import { toKafkaMessage } from '@dealledger/messaging';

/** Sends envelopes to their contexts' topics under `prefix`, in one batch, as the relays would publish them. */
export async function sendToTopics(producer: Producer, prefix: string, events: EventEnvelope[]): Promise<void> {
  await producer.sendBatch({
    topicMessages: [...new Set(events.map((e) => e.context))].map((context) => ({
      topic: eventsTopic(context, prefix),
      messages: events.filter((e) => e.context === context).map(toKafkaMessage),
    })),
  });
}

/** A name no other test run uses: schemas, topic prefixes, consumer groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export async function openTestDatabase(schema: string, migrations: (new () => MigrationInterface)[] = EVENT_STORE_MIGRATIONS): Promise<DataSource> {
  return openDatabase({ schema, migrations, poolSize: 40 });
}

export async function dropSchema(dataSource: DataSource, schema: string): Promise<void> {
  await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await dataSource.destroy();
}

/** One node of an EXPLAIN (FORMAT JSON) plan. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Scan Direction'?: string;
  Filter?: string;
}

/**
 * The generic plan of the first statement matching `pattern` that `run` sends through
 * `dataSource.query` (a list page built from its filters, say), with the parameters it was sent,
 * priced as on a large table (`asIfLarge`, see genericPlan).
 */
export async function genericPlanOf(dataSource: DataSource, pattern: RegExp, run: () => Promise<unknown>): Promise<{ plan: string; nodes: PlanNode[] }> {
  const sent: [string, unknown[]][] = [];
  const original = dataSource.query;
  dataSource.query = (async (sql: string, params?: unknown[], ...rest: unknown[]) => {
    sent.push([sql, params ?? []]);
    return (original as (...a: unknown[]) => Promise<unknown>).call(dataSource, sql, params, ...rest);
  }) as typeof original;
  try {
    await run();
  } finally {
    dataSource.query = original;
  }
  const found = sent.find(([sql]) => pattern.test(sql));
  if (!found) throw new Error(`no statement matching ${pattern} was sent`);
  const literal = (v: unknown) => {
    if (v === null) return 'NULL';
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
    throw new Error(`a parameter genericPlanOf cannot write as a literal: ${JSON.stringify(v)}`);
  };
  const { plan, nodes } = await genericPlan(dataSource, found[0], found[1].map(literal), { asIfLarge: true });
  return { plan, nodes };
}

/**
 * The plan PostgreSQL keeps for a prepared statement once it plans it for any parameters (the
 * generic plan: from the sixth execution on, whenever it looks no dearer than planning each
 * time; the apps prepare every statement they repeat), as EXPLAIN's JSON text and its nodes, and
 * the rows the statement answers under that plan. `args`: the parameters as SQL literals, such as
 * `'{}'::text[]` (trusted test input, pasted in as is); the statement's own casts give their types.
 */
export async function genericPlan(
  dataSource: DataSource,
  sql: string,
  args: string[],
  /**
   * `asIfLarge`: whether an index can serve the statement, whatever the table holds in the test:
   * once autovacuum has analysed a table of a few rows, a scan and a sort are its cheapest plan,
   * and they stay possible here, only priced as they are on a large table (`enable_seqscan` and
   * `enable_sort` off), so a statement no index serves still shows them.
   */
  options: { asIfLarge?: boolean } = {},
): Promise<{ plan: string; nodes: PlanNode[]; rows: any[] }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const name = `generic_plan_${randomBytes(6).toString('hex')}`;
  try {
    // In a transaction, so the setting cannot outlive it on the pooled connection.
    await runner.startTransaction();
    try {
      await runner.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
      if (options.asIfLarge) for (const off of ['enable_seqscan', 'enable_sort']) await runner.query(`SET LOCAL ${off} = off`);
      await runner.query(`PREPARE ${name} AS ${sql}`);
      const [{ 'QUERY PLAN': explained }] = await runner.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${args.join(', ')})`);
      const nodes: PlanNode[] = [];
      const walk = (n: PlanNode & { Plans?: PlanNode[] }) => (nodes.push(n), (n.Plans ?? []).forEach(walk));
      walk(explained[0].Plan);
      const rows = await runner.query(`EXECUTE ${name}(${args.join(', ')})`);
      return { plan: JSON.stringify(explained), nodes, rows };
    } finally {
      await runner.rollbackTransaction();
      // Only this one: the connection's own named statements (see prepareRepeatedStatements) stay.
      await runner.query(`DEALLOCATE ${name}`).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}

export interface Collected {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads `topic` from the beginning with a fresh consumer group until `until` says enough
 * (or the timeout passes: then it throws with what it saw).
 */
export async function collectFromTopic(kafka: Kafka, topic: string, until: (seen: Collected[]) => boolean, timeoutMs = 30000): Promise<Collected[]> {
  await waitForTopic(kafka, topic, timeoutMs);
  const consumer = kafka.consumer({ groupId: uniqueName('collector'), allowAutoTopicCreation: false });
  const seen: Collected[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms on ${topic} having seen ${seen.length} messages`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ topic: t, partition, message }) => {
            seen.push({ topic: t, partition, message });
            if (until(seen)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/**
 * Everything on a topic now: as many messages as its partitions' offsets span, so a copy
 * published after the first ones is not missed by stopping early.
 */
export async function readWholeTopic(kafka: Kafka, topic: string, timeoutMs = 10000): Promise<Collected[]> {
  const admin = kafka.admin();
  await admin.connect();
  let total: number;
  try {
    total = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
  return collectFromTopic(kafka, topic, (seen) => seen.length >= total, timeoutMs);
}

/** Topics are created by the relay that first publishes to them: wait until it has. */
export async function waitForTopic(kafka: Kafka, topic: string, timeoutMs = 30000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic} did not appear within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Starts a Nest app in this process on a free loopback port, configured as in production. */
export async function startTestApp(
  module: unknown,
  about: { context: string; title: string; description: string },
  overrides: [token: unknown, value: unknown][] = [],
): Promise<{ app: import('@nestjs/common').INestApplication; url: string }> {
  const { Test } = await import('@nestjs/testing');
  const { configureApp } = await import('@dealledger/platform');
  let builder = Test.createTestingModule({ imports: [module as never] });
  for (const [token, value] of overrides) builder = builder.overrideProvider(token as never).useValue(value);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: ['warn', 'error'] });
  configureApp(app, about);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}` };
}

export interface ContextEnvironment {
  kafka: Kafka;
  /** Sends to the topics the context consumes. */
  producer: Producer;
  /** A plain connection, to look into the context's tables. */
  db: DataSource;
  /** Disconnects, drops the schema and clears the variables; close the app first. */
  close(): Promise<void>;
}

/**
 * What an integration test of one context needs around its app: `DB_SCHEMA` and `TOPIC_PREFIX`
 * set to fresh names (so the app started next uses them), the topics it consumes, a producer
 * for them, and a connection to its database.
 */
export async function contextEnvironment(options: { schema: string; prefix: string; clientId: string; consumes: string[] }): Promise<ContextEnvironment> {
  const { connectProducer, createKafka, ensureTopics } = await import('@dealledger/messaging');
  const { eventsTopic } = await import('@dealledger/events');
  process.env.DB_SCHEMA = options.schema;
  process.env.TOPIC_PREFIX = options.prefix;
  const kafka = createKafka(options.clientId);
  await ensureTopics(
    kafka,
    options.consumes.map((context) => ({ topic: eventsTopic(context, options.prefix) })),
  );
  const producer = await connectProducer(kafka);
  const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
  await db.initialize();
  return {
    kafka,
    producer,
    db,
    async close() {
      await producer.disconnect();
      await db.query(`DROP SCHEMA IF EXISTS "${options.schema}" CASCADE`);
      await db.destroy();
      delete process.env.DB_SCHEMA;
      delete process.env.TOPIC_PREFIX;
    },
  };
}

/** A signed token as the directory would issue it (development key), for tests of other apps. */
export function tokenFor(principal: { companyId: string; personId: string | null; roles: string[] }): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadSigningKeys, signToken } = require('@dealledger/auth') as typeof import('@dealledger/auth');
  // A key id no directory issued: these tokens stand for people the test made up.
  return signToken(principal, loadSigningKeys({}).privateKey!, new Date(), 3600, { keyId: randomUUID(), rolesVersion: 0 });
}

/** fetch with JSON in and out; `body` null when empty. */
export async function http(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : null) as any };
}
export * from './sample-events';
export * from './store-race';
export * from './decider-spec';
export * from './store-and-kafka';
export * from './paging';
