import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CONTEXTS, eventsTopic } from '@dealledger/events';
import { connectProducer, createKafka, ensureTopics, toKafkaMessage } from '@dealledger/messaging';
import { eventually, http, sampleHistory, startTestApp, tokenFor, uniqueName } from '@dealledger/testing';
import { DATA_SOURCE } from '@dealledger/platform';
import { RelationshipsInbound, sourceTopics } from './projection/relationships-inbound';
import { rebuildOptions, RelationshipsRebuild } from './rebuild/rebuild';
import { RELATIONSHIPS, RelationshipsModule } from './relationships.module';

const ADMIN = { 'x-admin-key': 'dev-admin-key' };
const admin = async (url: string, method: string, path: string) => {
  const res = await fetch(`${url}${path}`, { method, headers: ADMIN });
  return { status: res.status, body: (await res.json()) as any };
};

describe('relationships read side (real PostgreSQL and Kafka)', () => {
  const prefix = uniqueName('dl');
  const schema = uniqueName('rel');
  let kafka: Kafka;
  let producer: Producer;
  let db: DataSource;
  let app: INestApplication;
  let url: string;
  const supplier = randomUUID();
  const buyer = randomUUID();
  const intermediary = randomUUID();
  const start = new Date('2026-01-05T09:00:00.000Z');
  const history = sampleHistory(supplier, buyer, intermediary, start);
  const send = (events = history) => producer.sendBatch({ topicMessages: groupByTopic(events) });
  const groupByTopic = (events: typeof history) =>
    [...new Set(events.map((e) => e.context))].map((ctx) => ({ topic: eventsTopic(ctx, prefix), messages: events.filter((e) => e.context === ctx).map(toKafkaMessage) }));

  const launch = async (dbSchema: string, groupId: string) => {
    process.env.DB_SCHEMA = dbSchema;
    process.env.RELATIONSHIPS_GROUP_ID = groupId;
    return startTestApp(RelationshipsModule, RELATIONSHIPS);
  };
  const digest = async (base: string) => (await admin(base, 'GET', '/admin/digest')).body;

  beforeAll(async () => {
    process.env.TOPIC_PREFIX = prefix;
    kafka = createKafka('relationships-test');
    await ensureTopics(kafka, CONTEXTS.map((c) => ({ topic: eventsTopic(c, prefix), partitions: 3 })));
    producer = await connectProducer(kafka);
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
    await send();
    ({ app, url } = await launch(schema, `${prefix}.relationships`));
    // 17 events: registrations concern no pair, the resale three pairs, each tender event two: 19 rows.
    await eventually(() => digest(url), (d) => d.rows === 19, 60000);
  });

  afterAll(async () => {
    await app?.close();
    await producer.disconnect();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    for (const k of ['DB_SCHEMA', 'TOPIC_PREFIX', 'RELATIONSHIPS_GROUP_ID']) delete process.env[k];
  });

  const asBuyer = tokenFor({ companyId: buyer, personId: randomUUID(), roles: ['procurement'] });
  const asSupplier = tokenFor({ companyId: supplier, personId: randomUUID(), roles: ['executive'] });

  it('summarizes everything between a supplier and a buyer, including a resale through an intermediary', async () => {
    const r = await http(url, 'GET', `/relationships/${buyer}/${supplier}`, undefined, asBuyer);
    expect(r.status).toBe(200);
    expect(r.body.companies.map((c: any) => c.name).sort()).toEqual(['Autowerk Süd GmbH', 'Pneus Lyonnais SA']);
    expect(r.body.summary).toMatchObject({
      since: '2026-01-06T09:00:00.000Z',
      offers: { made: 1, accepted: 1, rejected: 0 },
      tenders: { invited: 1, won: 1, lost: 0 },
      contracts: { executed: 1, value: { EUR: '57000.00' } },
      callOffs: { count: 1, volume: 600 },
      resales: { count: 1, volume: 300, throughIntermediaries: 1 },
      tickets: { opened: 1, resolved: 1, closed: 1 },
      sla: { met: 1, breached: 1, compliancePercent: 50 },
      satisfaction: { ratings: 1, average: 4 },
    });
  });

  it('lists the timeline in order with one-line summaries; the intermediary sees its side of the resale', async () => {
    const t = await http(url, 'GET', `/relationships/${supplier}/${buyer}/timeline`, undefined, asSupplier);
    expect(t.body.items.map((i: any) => i.type)).toEqual([
      'OfferDrafted', 'OfferSubmitted', 'OfferAccepted', 'ContractExecuted', 'CallOffPlaced', 'TicketOpened', 'SlaBreached', 'TicketAcknowledged',
      'TicketResolved', 'TicketClosed', 'SuppliersInvited', 'TenderClosed', 'TenderAwarded', 'LotResold',
    ]);
    expect(t.body.items[13].summary).toBe('EuroParts BV resold 300 × TYRE (made by Pneus Lyonnais SA) to Autowerk Süd GmbH');
    const asIntermediary = tokenFor({ companyId: intermediary, personId: randomUUID(), roles: [] });
    const viaI = await http(url, 'GET', `/relationships/${intermediary}/${supplier}/timeline`, undefined, asIntermediary);
    expect(viaI.body.items.map((i: any) => i.type)).toEqual(['LotResold']);
  });

  it('answers as of a past time', async () => {
    const asOf = new Date(start.getTime() + 15 * 86400000).toISOString();
    const r = await http(url, 'GET', `/relationships/${buyer}/${supplier}?asOf=${asOf}`, undefined, asBuyer);
    expect(r.body.asOf).toBe(asOf);
    expect(r.body.summary).toMatchObject({ offers: { accepted: 1 }, contracts: { executed: 1 }, tickets: { opened: 0 }, tenders: { won: 0 }, resales: { count: 0 } });
    expect((await http(url, 'GET', `/relationships/${buyer}/${supplier}?asOf=yesterday`, undefined, asBuyer)).status).toBe(400);
  });

  it('shows a relationship only to its own companies, and scorecards by the documented formulas', async () => {
    const stranger = tokenFor({ companyId: randomUUID(), personId: null, roles: [] });
    expect((await http(url, 'GET', `/relationships/${buyer}/${supplier}`, undefined, stranger)).body).toMatchObject({ status: 404, code: 'relationship.not_found' });
    expect((await http(url, 'GET', `/relationships/${buyer}/${supplier}`)).status).toBe(401);

    const card = await http(url, 'GET', `/scorecards/${supplier}?buyer=${buyer}`, undefined, asBuyer);
    expect(card.body.criteria).toMatchObject({
      price: { score: 9.6 },
      quality: { score: 8, basis: { ticketsPerContract: 1 } },
      service: { score: 6.5 }, // mean(50 / 10, 4 * 2)
      reputation: { score: 9, basis: { winRate: 1 } }, // mean(10, 8)
    });
    expect(card.body.formulas.price).toContain('price score');
    expect((await http(url, 'GET', `/scorecards/${supplier}?buyer=${buyer}`, undefined, stranger)).status).toBe(404);
    expect((await http(url, 'GET', `/scorecards/${supplier}`, undefined, stranger)).status).toBe(200);
  });

  it('changes nothing when every event is delivered again', async () => {
    const before = await digest(url);
    await send();
    const inbound = app.get(RelationshipsInbound);
    await eventually(async () => inbound.consumer.counts.duplicate, (n) => n >= history.length, 60000);
    expect(await digest(url)).toEqual(before);
  });

  it('has a digest that changes when any row changes, and not with row order', async () => {
    const before = await digest(url);
    const table = `"${schema}".timeline_g${before.generation}`;
    const [row] = await db.query(`SELECT company_a, company_b, event_id, data FROM ${table} ORDER BY event_id LIMIT 1`);
    const key = [row.company_a, row.company_b, row.event_id];
    const where = `company_a = $1 AND company_b = $2 AND event_id = $3`;
    try {
      await db.query(`UPDATE ${table} SET data = data || '{"tampered": 1}' WHERE ${where}`, key);
      expect((await digest(url)).digest).not.toBe(before.digest);
      await db.query(`UPDATE ${table} SET data = $4, type = type || 'x' WHERE ${where}`, [...key, row.data]);
      expect((await digest(url)).digest).not.toBe(before.digest);
    } finally {
      await db.query(`UPDATE ${table} SET data = $4, type = left(type, -1) WHERE ${where}`, [...key, row.data]);
    }
    // Updated rows move within the table: the same content in another physical order.
    expect(await digest(url)).toEqual(before);
  });

  it('rebuilds from offset 0 into fresh tables with the same digest as the live state, then serves from them', async () => {
    const before = await digest(url);
    const report = await admin(url, 'POST', '/admin/rebuild');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ previousGeneration: before.generation, generation: before.generation + 1, equal: true, digest: before.digest, rows: 19 });
    expect(report.body.events).toBeGreaterThanOrEqual(history.length);
    expect(await digest(url)).toEqual({ ...before, generation: before.generation + 1 });
    expect((await http(url, 'GET', `/relationships/${buyer}/${supplier}`, undefined, asBuyer)).body.summary.offers.accepted).toBe(1);
    expect((await admin(url, 'POST', '/admin/rebuild')).body.equal).toBe(true);
    expect((await fetch(`${url}/admin/rebuild`, { method: 'POST' })).status).toBe(401);
  });

  it('rebuilds in worker threads, each replaying its own shard of the partitions, to the same digest', async () => {
    const before = await digest(url);
    const rebuild = new RelationshipsRebuild(app.get(DATA_SOURCE), kafka, schema, sourceTopics, `${prefix}.relationships`, rebuildOptions({ workers: 2 }));
    const report = await rebuild.run();
    expect(report).toMatchObject({ previousGeneration: before.generation, generation: before.generation + 1, equal: true, digest: before.digest, rows: 19 });
    expect(report.events).toBeGreaterThanOrEqual(history.length);
    expect(await digest(url)).toEqual({ ...before, generation: before.generation + 1 });
  });

  it('builds the same state with two instances sharing one consumer group as with one', async () => {
    const shared = uniqueName('rel2');
    const group = `${prefix}.scaled`;
    const a = await launch(shared, group);
    const b = await launch(shared, group);
    const kadmin = kafka.admin();
    await kadmin.connect();
    // Both members in the group before the new events arrive, so both get some of them.
    await eventually(async () => (await kadmin.describeGroups([group])).groups[0], (g) => g.state === 'Stable' && g.members.length === 2, 60000, 250);
    await kadmin.disconnect();
    // More streams so that every partition carries something.
    const more = Array.from({ length: 6 }, () => sampleHistory(randomUUID(), randomUUID(), randomUUID(), start)).flat();
    await send(more);
    try {
      const expectedRows = 19 + 6 * 19;
      await eventually(() => digest(url), (d) => d.rows === expectedRows, 60000);
      const scaled = await eventually(() => digest(a.url), (d) => d.rows === expectedRows, 60000);
      expect(scaled.digest).toBe((await digest(url)).digest);
      const [ca, cb] = [a.app.get(RelationshipsInbound).consumer.counts, b.app.get(RelationshipsInbound).consumer.counts];
      expect(ca.handled).toBeGreaterThan(0);
      expect(cb.handled).toBeGreaterThan(0);
      expect(ca.handled + cb.handled).toBe(history.length + more.length);
    } finally {
      await a.app.close();
      await b.app.close();
      await db.query(`DROP SCHEMA IF EXISTS "${shared}" CASCADE`);
    }
  });
});
