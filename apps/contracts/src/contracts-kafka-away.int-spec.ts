import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { http, startTestApp, tokenFor, uniqueName } from '@dealledger/testing';
import { CONTRACTS, ContractsModule } from './contracts.module';

describe('contracts app while Kafka cannot be reached (real PostgreSQL)', () => {
  const schema = uniqueName('contracts_away');
  const brokers = process.env.KAFKA_BROKERS;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    process.env.DB_SCHEMA = schema;
    process.env.KAFKA_BROKERS = '127.0.0.1:1';
    process.env.TOKEN_REVOCATIONS_WAIT_MS = '500';
    // kafkajs keeps retrying the unreachable broker for a while after the app closed; its error
    // lines are expected here, and logged after the file ends they would fail the run.
    process.env.KAFKA_LOG_LEVEL = 'nothing';
    ({ app, url } = await startTestApp(ContractsModule, CONTRACTS));
  });

  afterAll(async () => {
    process.env.KAFKA_BROKERS = brokers;
    delete process.env.DB_SCHEMA;
    delete process.env.TOKEN_REVOCATIONS_WAIT_MS;
    delete process.env.KAFKA_LOG_LEVEL;
    const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
  });

  it('is live and answers from its database, but is not ready: no relay publishing, no consumer in its group', async () => {
    expect((await http(url, 'GET', '/health/live')).status).toBe(200);
    const ready = await http(url, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not ready', database: 'up', relay: { role: 'starting' } });
    expect(ready.body.waiting).toEqual(['relay', expect.stringMatching(/^consumer .*\.contracts$/), 'token revocations']);
  });

  it('accepts no token until it has learned the revocations from the directory topic: 503, to be retried', async () => {
    const token = tokenFor({ companyId: '11111111-1111-4111-8111-111111111111', personId: null, roles: [] });
    const res = await http(url, 'GET', '/contracts?origin=offer:11111111-1111-4111-8111-111111111111', undefined, token);
    expect(res).toMatchObject({ status: 503, body: { code: 'service.unavailable', detail: expect.stringContaining('revoked tokens') } });
  });

  it('reports its relay as active and behind by what waits in the store, and answers a scrape within seconds though Kafka is away', async () => {
    // An event committed while nothing can be published (as a command would leave it).
    const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, schema });
    await db.initialize();
    const store = new PostgresEventStore(db, schema);
    await store.append(`contract-${randomUUID()}`, 0, [
      { id: randomUUID(), type: 'Probe', schemaVersion: 1, data: {}, metadata: { occurredAt: new Date(), parties: [], actor: null, correlationId: 'probe' } },
    ]);
    await db.destroy();
    const t0 = Date.now();
    const res = await fetch(`${url}/metrics`);
    const text = await res.text();
    expect(res.status).toBe(200);
    // The consumer-offset reading cannot reach the broker: it gives up at 2 s, the scrape does not hang.
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(text).toMatch(/dealledger_relay_active\{topic="[^"]*contracts\.events"\} 1\n/);
    expect(text).toMatch(/dealledger_relay_lag_events\{topic="[^"]*contracts\.events"\} 1\n/);
    const seconds = Number(/dealledger_relay_lag_seconds\{topic="[^"]*contracts\.events"\} ([0-9.e-]+)\n/.exec(text)?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(text).not.toMatch(/dealledger_consumer_lag_messages\{/);
  });

  it('starts, and shuts down within seconds although its consumer and relay are still waiting for the broker', async () => {
    // Long enough for the consumer to be connecting and the relay to be waiting on the broker.
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    await app.close();
    expect(Date.now() - t0).toBeLessThan(15000);
  }, 60000);
});
