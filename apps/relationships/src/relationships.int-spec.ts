import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { CONTEXTS, eventsTopic } from '@dealledger/events';
import { connectProducer, createKafka, ensureTopics, toKafkaMessage } from '@dealledger/messaging';
import { eventually, genericPlanOf, http, sampleEvent, sampleHistory, sendToTopics, startTestApp, tokenFor, uniqueName } from '@dealledger/testing';
import { DATA_SOURCE } from '@dealledger/platform';
import {
  createGenerationTables,
  digestOf,
  dropGenerationTables,
  SparseSummaries1764480000000,
  Summaries1737700000000,
  SummaryMembers1764600000000,
  timelineRowEvent,
  writeEvents,
} from './projection/generations';
import { drainDeferred } from './projection/rows';
import { PairEvent, readTally, writeSummaries } from './projection/summaries';
import { joinTally, splitTally } from './history/tally-parts';
import { byTime } from './history/timeline-event';
import { RelationshipsInbound, sourceTopics } from './projection/relationships-inbound';
import { pairRanges, summariseRange } from './rebuild/summarise';
import { RebuildOptions, rebuildOptions, RebuildReport, RelationshipsRebuild } from './rebuild/rebuild';
import { adminKey } from './rebuild/admin.http.controller';
import { RELATIONSHIPS, RelationshipsModule } from './relationships.module';

// No ADMIN_KEY in tests: the routes take this installation's development key.
const ADMIN = { 'x-admin-key': adminKey() };
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
  const send = (events = history) => sendToTopics(producer, prefix, events);

  const launch = async (dbSchema: string, groupId: string) => {
    process.env.DB_SCHEMA = dbSchema;
    process.env.RELATIONSHIPS_GROUP_ID = groupId;
    return startTestApp(RelationshipsModule, RELATIONSHIPS);
  };
  const digest = async (base: string) => (await admin(base, 'GET', '/admin/digest')).body;
  const generations = async (): Promise<{ generation: number; status: string }[]> =>
    db.query(`SELECT generation, status FROM "${schema}".generations ORDER BY generation`);
  const tableExists = async (table: string) => (await db.query(`SELECT to_regclass($1) AS t`, [`"${schema}".${table}`]))[0].t !== null;
  const rebuilder = (options: Partial<RebuildOptions> = {}) =>
    new RelationshipsRebuild(app.get(DATA_SOURCE), kafka, schema, sourceTopics, `${prefix}.relationships`, rebuildOptions(options));
  const within = <T>(promise: Promise<T>, ms: number) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

  beforeAll(async () => {
    process.env.TOPIC_PREFIX = prefix;
    kafka = createKafka('relationships-test');
    await ensureTopics(
      kafka,
      CONTEXTS.map((c) => ({ topic: eventsTopic(c, prefix), partitions: 3 })),
    );
    producer = await connectProducer(kafka);
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
    await send();
    ({ app, url } = await launch(schema, `${prefix}.relationships`));
    // 17 events: registrations concern no pair, the resale three pairs, each tender event two: 19 rows.
    await eventually(
      () => digest(url),
      (d) => d.rows === 19,
      60000,
    );
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
      callOffs: { count: 1, volume: '600' },
      resales: { count: 1, volume: '300', throughIntermediaries: 1 },
      tickets: { opened: 1, resolved: 1, closed: 1 },
      sla: { met: 1, breached: 1, compliancePercent: 50 },
      satisfaction: { ratings: 1, average: 4 },
    });
  });

  it('lists the timeline in order with one-line summaries; the intermediary sees its side of the resale', async () => {
    const t = await http(url, 'GET', `/relationships/${supplier}/${buyer}/timeline`, undefined, asSupplier);
    expect(t.body.items.map((i: any) => i.type)).toEqual([
      'OfferDrafted',
      'OfferSubmitted',
      'OfferAccepted',
      'ContractExecuted',
      'CallOffPlaced',
      'TicketOpened',
      'SlaBreached',
      'TicketAcknowledged',
      'TicketResolved',
      'TicketClosed',
      'SuppliersInvited',
      'TenderClosed',
      'TenderAwarded',
      'LotResold',
    ]);
    // The maker learns that its tyres reached the buyer through EuroParts, not how many (nor at what price).
    expect(t.body.items[13].summary).toBe('EuroParts BV resold TYRE (made by Pneus Lyonnais SA) to Autowerk Süd GmbH');
    const asBuyerSees = await http(url, 'GET', `/relationships/${supplier}/${buyer}/timeline`, undefined, asBuyer);
    expect(asBuyerSees.body.items[13].summary).toBe('EuroParts BV resold 300 × TYRE (made by Pneus Lyonnais SA) to Autowerk Süd GmbH');
    const asIntermediary = tokenFor({ companyId: intermediary, personId: randomUUID(), roles: [] });
    const viaI = await http(url, 'GET', `/relationships/${intermediary}/${supplier}/timeline`, undefined, asIntermediary);
    expect(viaI.body.items.map((i: any) => i.type)).toEqual(['LotResold']);
  });

  it('shows a seller its own touches with a company in their place in the timeline, and nobody else any, nor in any figure', async () => {
    const day = (n: number) => new Date(start.getTime() + n * 86400000);
    const rival = randomUUID();
    const account = (sellerId: string, target: Record<string, unknown>) => {
      const accountId = randomUUID();
      const data = {
        accountId,
        sellerId,
        target: { companyId: null, name: null, registrationNumber: null, country: null, naceCode: null, ...target },
        tier: 'strategic',
        ownerId: randomUUID(),
        targetedBy: randomUUID(),
      };
      return { accountId, event: sampleEvent('AccountTargeted', data, [sellerId], day(0), 'accounts') };
    };
    const touch = (sellerId: string, accountId: string, at: Date, summary: string) =>
      sampleEvent(
        'TouchRecorded',
        {
          accountId,
          sellerId,
          touchId: randomUUID(),
          channel: 'demonstration',
          at: at.toISOString(),
          campaignId: null,
          sellerPeople: [randomUUID()],
          stakeholderIds: [],
          summary,
          recordedBy: randomUUID(),
        },
        [sellerId],
        day(40),
        'accounts',
      );
    const mine = account(supplier, { kind: 'company', companyId: buyer });
    const theirs = account(rival, { kind: 'company', companyId: buyer });
    const demo = touch(supplier, mine.accountId, day(1.5), 'Tyre test on the buyer’s track');
    const before = {
      supplier: (await http(url, 'GET', `/relationships/${supplier}/${buyer}`, undefined, asSupplier)).body.summary,
      buyer: (await http(url, 'GET', `/relationships/${supplier}/${buyer}/timeline`, undefined, asBuyer)).body.items,
      counterparties: (await http(url, 'GET', '/relationships/counterparties', undefined, asBuyer)).body.items,
      digest: await digest(url),
    };
    // Delivered twice; a rival's touch with the same buyer; the accounts app's other events pass by.
    await send([mine.event, theirs.event, demo, demo, touch(rival, theirs.accountId, day(3), 'Rival visit')]);
    const timeline = async () => (await http(url, 'GET', `/relationships/${supplier}/${buyer}/timeline`, undefined, asSupplier)).body.items;
    const items = await eventually(timeline, (xs: any[]) => xs.some((i) => i.type === 'TouchRecorded'), 60000);
    const touches = items.filter((i: any) => i.context === 'accounts');
    expect(touches).toEqual([
      expect.objectContaining({
        type: 'TouchRecorded',
        eventId: demo.id,
        occurredAt: day(1.5).toISOString(),
        parties: [supplier],
        summary: 'Pneus Lyonnais SA reached the account by a demonstration (1 of its people, 0 of theirs): Tyre test on the buyer’s track',
      }),
    ]);
    // In its place: after the offer sent on day 1, before the acceptance on day 2.
    expect(items.map((i: any) => i.type).slice(0, 4)).toEqual(['OfferDrafted', 'OfferSubmitted', 'TouchRecorded', 'OfferAccepted']);
    // As of before it happened, or after it happened but before it was recorded (day 40), it is not there yet.
    const asOf = async (n: number) =>
      (await http(url, 'GET', `/relationships/${supplier}/${buyer}/timeline?asOf=${day(n).toISOString()}`, undefined, asSupplier)).body.items.map(
        (i: any) => i.type,
      );
    expect(await asOf(1.25)).not.toContain('TouchRecorded');
    expect(await asOf(3)).not.toContain('TouchRecorded');
    expect(await asOf(41)).toContain('TouchRecorded');
    // The buyer sees no touch, and neither party's figures, list nor the digest moved.
    expect((await http(url, 'GET', `/relationships/${supplier}/${buyer}/timeline`, undefined, asBuyer)).body.items).toEqual(before.buyer);
    expect((await http(url, 'GET', `/relationships/${supplier}/${buyer}`, undefined, asSupplier)).body.summary).toEqual(before.supplier);
    expect((await http(url, 'GET', '/relationships/counterparties', undefined, asBuyer)).body.items).toEqual(before.counterparties);
    expect(await digest(url)).toEqual(before.digest);
    // The rival, which has no deal with the buyer, sees its own touch and nothing of the supplier's.
    const asRival = tokenFor({ companyId: rival, personId: randomUUID(), roles: [] });
    const rivals = (await http(url, 'GET', `/relationships/${rival}/${buyer}/timeline`, undefined, asRival)).body.items;
    expect(rivals.map((i: any) => i.summary)).toEqual([expect.stringMatching(/Rival visit$/)]);
    // Nor does a touch with the supplier itself make the rival a counterparty that may read the supplier's scorecard.
    const atSupplier = account(rival, { kind: 'company', companyId: supplier });
    await send([atSupplier.event, touch(rival, atSupplier.accountId, day(4), 'Cold call')]);
    await eventually(
      async () => (await http(url, 'GET', `/relationships/${rival}/${supplier}/timeline`, undefined, asRival)).body.items,
      (xs: any[]) => xs.length === 1,
      60000,
    );
    expect((await http(url, 'GET', `/scorecards/${supplier}`, undefined, asRival)).body).toMatchObject({ status: 404, code: 'scorecard.not_found' });
    expect((await http(url, 'GET', `/relationships/${rival}/${supplier}/timeline`, undefined, asSupplier)).body.items).toEqual([]);
  });

  it('answers as of a past time', async () => {
    const asOf = new Date(start.getTime() + 15 * 86400000).toISOString();
    const r = await http(url, 'GET', `/relationships/${buyer}/${supplier}?asOf=${asOf}`, undefined, asBuyer);
    expect(r.body.asOf).toBe(asOf);
    expect(r.body.summary).toMatchObject({
      offers: { accepted: 1 },
      contracts: { executed: 1 },
      tickets: { opened: 0 },
      tenders: { won: 0 },
      resales: { count: 0 },
    });
    expect((await http(url, 'GET', `/relationships/${buyer}/${supplier}?asOf=yesterday`, undefined, asBuyer)).status).toBe(400);
  });

  it('serves the summary kept per event, equal to the fold of the timeline, for each side and the intermediary', async () => {
    const asIntermediary = tokenFor({ companyId: intermediary, personId: randomUUID(), roles: ['sales'] });
    for (const [x, y, token] of [
      [buyer, supplier, asBuyer],
      [supplier, buyer, asSupplier],
      [intermediary, supplier, asIntermediary],
      [buyer, intermediary, asBuyer],
    ] as const) {
      const kept = await http(url, 'GET', `/relationships/${x}/${y}`, undefined, token);
      const folded = await http(url, 'GET', `/relationships/${x}/${y}?asOf=2100-01-01T00:00:00Z`, undefined, token);
      expect(kept.status).toBe(200);
      expect(kept.body.summary.events).toBeGreaterThan(0);
      expect(kept.body.summary).toEqual(folded.body.summary);
    }
  });

  it("lists a company's counterparties with their figures, sorted and paged, and only its own", async () => {
    const list = (token: string, query = '') => http(url, 'GET', `/relationships/counterparties${query}`, undefined, token);
    const mine = await list(asSupplier);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i: any) => i.companyId).sort()).toEqual([buyer, intermediary].sort());
    const withBuyer = mine.body.items.find((i: any) => i.companyId === buyer);
    expect(withBuyer.name).toBe('Autowerk Süd GmbH');
    expect(withBuyer.summary).toEqual((await http(url, 'GET', `/relationships/${supplier}/${buyer}`, undefined, asSupplier)).body.summary);
    const times = mine.body.items.map((i: any) => i.summary.lastActivity);
    expect(times).toEqual([...times].sort().reverse());

    const byValue = await list(asSupplier, '?sort=value&currency=EUR&limit=1');
    expect(byValue.body.items.map((i: any) => i.companyId)).toEqual([buyer]);
    expect(byValue.body.next).toMatch(/^\/relationships\/counterparties\?sort=value&currency=EUR&limit=1&after=/);
    const second = await list(asSupplier, byValue.body.next.slice('/relationships/counterparties'.length));
    expect(second.body).toMatchObject({ items: [{ companyId: intermediary }], next: null });

    // A company sees its own counterparties only; one with no deals has none.
    expect((await list(tokenFor({ companyId: randomUUID(), personId: randomUUID(), roles: ['sales'] }))).body).toEqual({ items: [], next: null });
    for (const bad of ['?sort=value', '?sort=price', '?limit=0', '?after=bogus!', `?after=${Buffer.from('{"k":1}').toString('base64url')}`]) {
      const r = await list(asSupplier, bad);
      expect(r.status).toBe(400);
      expect(r.type).toContain('application/problem+json');
    }
  });

  it("reads a page of a company's most recently active counterparties from an index in its order, not all of its summaries", async () => {
    const list = (query: string) => async () =>
      expect((await http(url, 'GET', `/relationships/counterparties${query}`, undefined, asSupplier)).status).toBe(200);
    const first = await http(url, 'GET', '/relationships/counterparties?limit=1', undefined, asSupplier);
    for (const query of ['?limit=1', first.body.next.slice('/relationships/counterparties'.length)]) {
      const { nodes } = await genericPlanOf(app.get(DATA_SOURCE), /AS counterparty, summary/, list(query));
      expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
      expect(nodes.find((n) => n['Node Type'] === 'Index Scan')?.['Index Name']).toMatch(/^summaries_g\d+_counterparties_idx$/);
    }
  });

  it('shows a relationship only to its own companies, and scorecards by the documented formulas', async () => {
    const stranger = tokenFor({ companyId: randomUUID(), personId: null, roles: [] });
    expect((await http(url, 'GET', `/relationships/${buyer}/${supplier}`, undefined, stranger)).body).toMatchObject({
      status: 404,
      code: 'relationship.not_found',
    });
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
    // Scorecard detail is for the supplier and those who dealt with it, not for a rival or a stranger.
    expect((await http(url, 'GET', `/scorecards/${supplier}`, undefined, stranger)).body).toMatchObject({ status: 404, code: 'scorecard.not_found' });
    expect((await http(url, 'GET', `/scorecards/${supplier}`, undefined, asBuyer)).status).toBe(200);
    expect((await http(url, 'GET', `/scorecards/${supplier}`, undefined, asSupplier)).status).toBe(200);
    expect((await http(url, 'GET', `/scorecards/${randomUUID()}`, undefined, stranger)).body).toMatchObject({ status: 404, code: 'scorecard.not_found' });
  });

  it('changes nothing when every event is delivered again', async () => {
    const before = await digest(url);
    await send();
    const inbound = app.get(RelationshipsInbound);
    await eventually(
      async () => inbound.consumer.counts.duplicate,
      (n) => n >= history.length,
      60000,
    );
    expect(await digest(url)).toEqual(before);
  });

  it('has a digest over every column that comes from events, which changes when any of them does, and not with row order', async () => {
    const before = await digest(url);
    const gen = before.generation;
    const timeline = `"${schema}".timeline_g${gen}`;
    const companies = `"${schema}".companies_g${gen}`;
    // Each change is made in a transaction that is rolled back, the digest read inside it.
    const digestWith = async (change: string) => {
      const runner = db.createQueryRunner();
      await runner.startTransaction();
      try {
        await runner.query(change);
        return (await digestOf(runner, schema, gen)).digest;
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    };
    const oneRow = (table: string, order: string) => `ctid = (SELECT ctid FROM ${table} ORDER BY ${order} LIMIT 1)`;
    const changes: [string, string, string][] = [
      ...['company_a', 'company_b', 'event_id', 'context', 'type', 'stream_id', 'occurred_at', 'recorded_at'].map((c): [string, string, string] => [
        timeline,
        c,
        `${c} || 'x'`,
      ]),
      [timeline, 'position', 'position + 1'],
      [timeline, 'parties', `parties || '["x"]'`],
      [timeline, 'data', `data || '{"x": 1}'`],
      [companies, 'company_id', `company_id || 'x'`],
      [companies, 'name', `name || 'x'`],
      [companies, 'data', `data || '{"x": 1}'`],
    ];
    for (const [table, column, value] of changes) {
      const order = table === timeline ? 'event_id, company_a, company_b' : 'company_id';
      const changed = await digestWith(`UPDATE ${table} SET ${column} = ${value} WHERE ${oneRow(table, order)}`);
      expect({ column, changed: changed !== before.digest }).toEqual({ column, changed: true });
    }
    expect(await digestWith(`UPDATE ${timeline} SET projected_at = projected_at + interval '1 day'`)).toBe(before.digest);

    // The same scalars, bracketed differently: jsonb_hash_extended hashes both alike.
    const withData = (json: string) => digestWith(`UPDATE ${timeline} SET data = '${json}' WHERE ${oneRow(timeline, 'event_id, company_a, company_b')}`);
    expect(await withData('{"lines":[{"sku":"s1"}],"total":"9"}')).not.toBe(await withData('{"lines":[{"sku":"s1","total":"9"}]}'));

    // Updated rows move within the table: the same content in another physical order.
    await db.query(`UPDATE ${timeline} SET position = position WHERE ${oneRow(timeline, 'event_id, company_a, company_b')}`);
    await db.query(`UPDATE ${companies} SET name = name WHERE ${oneRow(companies, 'company_id')}`);
    expect(await digest(url)).toEqual(before);
  });

  it('rebuilds from offset 0 into fresh tables with the same digest as the live state, then serves from them', async () => {
    const before = await digest(url);
    const report = await admin(url, 'POST', '/admin/rebuild');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      previousGeneration: before.generation,
      generation: before.generation + 1,
      equal: true,
      swapped: true,
      forced: false,
      digest: before.digest,
      rows: 19,
      skipped: 0,
    });
    expect(report.body.events).toBeGreaterThanOrEqual(history.length);
    expect(await digest(url)).toEqual({ ...before, generation: before.generation + 1 });
    expect((await http(url, 'GET', `/relationships/${buyer}/${supplier}`, undefined, asBuyer)).body.summary.offers.accepted).toBe(1);
    expect((await admin(url, 'POST', '/admin/rebuild')).body).toMatchObject({ equal: true, swapped: true });
    expect((await fetch(`${url}/admin/rebuild`, { method: 'POST' })).status).toBe(401);
  });

  it('keeps the replaced tables for the queries that picked them just before the swap, and drops them at a later rebuild', async () => {
    const picked = (await digest(url)).generation; // what a query reads the active generation to be
    const report = await rebuilder().run();
    expect(report).toMatchObject({ previousGeneration: picked, swapped: true });
    // The query goes on with the name it picked: the tables are still there, with every row.
    expect(await db.query(`SELECT count(*)::int AS n FROM "${schema}".timeline_g${picked}`)).toEqual([{ n: 19 }]);
    expect(await generations()).toContainEqual({ generation: picked, status: 'retired' });
    // Within the grace period even the next rebuild leaves them; after it, it drops them.
    await rebuilder().run();
    expect(await tableExists(`timeline_g${picked}`)).toBe(true);
    const later = await rebuilder({ retiredGraceMs: 0 }).run();
    expect(await generations()).toEqual([
      { generation: later.previousGeneration, status: 'retired' },
      { generation: later.generation, status: 'active' },
    ]);
    expect(await tableExists(`timeline_g${picked}`)).toBe(false);
    expect(await tableExists(`companies_g${picked}`)).toBe(false);
  });

  it('refuses to swap in a generation whose digest differs from the live one, keeps it for inspection, and swaps it when forced', async () => {
    const live = await digest(url);
    const table = `"${schema}".timeline_g${live.generation}`;
    // The live tables drift: a row that no event made.
    await db.query(
      `INSERT INTO ${table} (company_a, company_b, event_id, context, type, stream_id, position, occurred_at, recorded_at, parties, data)
       SELECT company_a, company_b, 'made-up', context, type, stream_id, position, occurred_at, recorded_at, parties, data FROM ${table} LIMIT 1`,
    );
    const drifted = await digest(url);

    const refused = await fetch(`${url}/admin/rebuild`, { method: 'POST', headers: ADMIN });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as any;
    expect(problem).toMatchObject({
      status: 409,
      code: 'rebuild.digest_mismatch',
      details: { report: { previousGeneration: live.generation, equal: false, swapped: false, digest: live.digest, previousDigest: drifted.digest } },
    });
    expect(problem.detail).toContain(live.digest);
    expect(problem.detail).toContain(drifted.digest);
    const rejected: number = problem.details.report.generation;
    // The live generation stays; the rejected one is kept as it was built, and no longer written to.
    expect(await digest(url)).toEqual(drifted);
    expect(await generations()).toContainEqual({ generation: rejected, status: 'rejected' });
    expect((await digestOf(db, schema, rejected)).digest).toBe(live.digest);
    expect((await fetch(`${url}/admin/rebuild?force=maybe`, { method: 'POST', headers: ADMIN })).status).toBe(400);

    const forced = await admin(url, 'POST', '/admin/rebuild?force=true');
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({
      previousGeneration: live.generation,
      equal: false,
      swapped: true,
      forced: true,
      digest: live.digest,
      previousDigest: drifted.digest,
    });
    expect(forced.body.generation).toBeGreaterThan(rejected);
    expect(await digest(url)).toEqual({ ...live, generation: forced.body.generation });
    // That rebuild dropped the rejected generation first.
    expect((await generations()).map((g) => g.generation)).not.toContain(rejected);
    expect(await tableExists(`timeline_g${rejected}`)).toBe(false);
  });

  it('swaps nothing when its lock session died or another rebuild changed the generations meanwhile, and drops what it built', async () => {
    const lockHolder = async () =>
      (
        await db.query(
          `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND (classid::bigint << 32 | objid::bigint) = (SELECT hashtextextended($1, 0))`,
          [`${schema}:rebuild`],
        )
      )[0]?.pid as number | undefined;
    // Just before the swap, as a rebuild is when its session is cut or another rebuild overtakes it.
    const interrupted = (meanwhile: () => Promise<unknown>) => {
      const r = rebuilder({ workers: 0 });
      const digests = (r as any).digests.bind(r);
      (r as any).digests = async (...args: unknown[]) => {
        const result = await digests(...args);
        await meanwhile();
        return result;
      };
      return r;
    };
    const before = await digest(url);

    // 1. The lock session dies (an operator's pg_terminate_backend, a network cut): the lock is free for another rebuild.
    await expect(interrupted(async () => db.query(`SELECT pg_terminate_backend($1)`, [await lockHolder()])).run()).rejects.toThrow(
      /terminat|connection|released/i,
    );
    expect(await digest(url)).toEqual(before);
    // Its generation was dropped through a fresh session: the live consumer no longer writes to it.
    expect((await generations()).filter((g) => g.generation > before.generation)).toEqual([]);

    // 2. Another rebuild retired the generation this one began from.
    const failed = interrupted(() =>
      db.query(`UPDATE "${schema}".generations SET status = 'retired', retired_at = now() WHERE generation = $1`, [before.generation]),
    );
    await expect(failed.run()).rejects.toMatchObject({ code: 'rebuild.superseded' });
    const gens = await generations();
    expect(gens.filter((g) => g.status === 'active')).toEqual([]);
    // The second failed rebuild dropped its own generation too.
    expect(gens.filter((g) => g.generation > before.generation)).toEqual([]);
    // Put the live one back; a second active generation is refused by the database itself.
    await db.query(`UPDATE "${schema}".generations SET status = 'active', retired_at = NULL WHERE generation = $1`, [before.generation]);
    await expect(db.query(`INSERT INTO "${schema}".generations (generation, status) VALUES (999999, 'active')`)).rejects.toThrow(/generations_one_active/);
    const report = await rebuilder({ workers: 0 }).run();
    expect(report).toMatchObject({ previousGeneration: before.generation, equal: true, swapped: true, digest: before.digest });
  });

  it('leaves out what the live consumer dead-letters, as the live consumer does, so the digests agree', async () => {
    const inbound = app.get(RelationshipsInbound);
    const deadLettered = inbound.consumer.counts['dead-lettered'];
    // A valid envelope whose data fails its schema (a negative revision), and a value that is not JSON.
    const invalid = sampleEvent('OfferSubmitted', { offerId: randomUUID(), supplierId: supplier, buyerId: buyer, revision: -1 }, [supplier, buyer], start);
    await producer.send({ topic: eventsTopic('offers', prefix), messages: [toKafkaMessage(invalid), { key: 'junk', value: 'not json' }] });
    await eventually(
      async () => inbound.consumer.counts['dead-lettered'],
      (n) => n >= deadLettered + 2,
      60000,
    );
    const before = await digest(url);
    expect(before.rows).toBe(19);
    const report = await rebuilder({ workers: 0 }).run();
    expect(report).toMatchObject({ previousGeneration: before.generation, equal: true, swapped: true, skipped: 2, digest: before.digest, rows: 19 });
  });

  it('rebuilds in worker threads, each replaying its own shard of the partitions, to the same digest', async () => {
    const before = await digest(url);
    const report = await rebuilder({ workers: 2 }).run();
    // The worker threads check messages against the catalog too: the topics hold two the live consumer dead-lettered.
    expect(report).toMatchObject({
      previousGeneration: before.generation,
      generation: before.generation + 1,
      equal: true,
      swapped: true,
      digest: before.digest,
      rows: 19,
      skipped: 2,
    });
    expect(report.events).toBeGreaterThanOrEqual(history.length);
    expect(await digest(url)).toEqual({ ...before, generation: before.generation + 1 });
    // The summaries came from two threads as well, a range of pairs each.
    expect(await pairRanges(db, schema, report.generation, 2)).toHaveLength(2);
  });

  it("summarises a generation range by range to the live consumer's summaries, leaving out the rows it set aside", async () => {
    const [{ generation: live }] = await db.query(`SELECT generation FROM "${schema}".generations WHERE status = 'active'`);
    const gen = 900;
    await createGenerationTables(db, schema, gen);
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await db.query(`INSERT INTO "${schema}".timeline_g${gen} SELECT * FROM "${schema}".timeline_g${live}`);
      // The live consumer set one pair's rows aside: their summaries are the drain's to write.
      const [aside] = await db.query(`SELECT company_a, company_b FROM "${schema}".timeline_g${gen} ORDER BY company_a DESC, company_b DESC LIMIT 1`);
      await db.query(
        `INSERT INTO "${schema}".deferred_g${gen} (events, inserted)
         SELECT '[]', jsonb_agg(jsonb_build_object('company_a', company_a, 'company_b', company_b, 'event_id', event_id))
           FROM "${schema}".timeline_g${gen} WHERE company_a = $1 AND company_b = $2`,
        [aside.company_a, aside.company_b],
      );
      // A range for each first company of a pair: none empty.
      const firsts: string[] = (await db.query(`SELECT DISTINCT company_a FROM "${schema}".timeline_g${gen} ORDER BY 1`)).map((r: any) => r.company_a);
      expect(firsts.length).toBeGreaterThan(1);
      let written = 0;
      for (const [i, from] of firsts.entries())
        written += await summariseRange(client, schema, gen, { from: i === 0 ? null : from, to: firsts[i + 1] ?? null });
      const rows = (g: number) =>
        db.query(
          `SELECT company_a, company_b, viewer, tally::text, summary::jsonb::text, last_activity, events FROM "${schema}".summaries_g${g} ORDER BY 1, 2, 3`,
        );
      const expected = (await rows(live)).filter((r: any) => r.company_a !== aside.company_a || r.company_b !== aside.company_b);
      expect(expected.length).toBeGreaterThan(0);
      expect(await rows(gen)).toEqual(expected);
      expect(written).toBe(expected.length);
    } finally {
      await client.end();
      await dropGenerationTables(db, schema, gen);
    }
  });

  it('makes a summary row still holding its members (from a version before) whole again on its next event, and keeps them apart from then on', async () => {
    const [{ generation: live }] = await db.query(`SELECT generation FROM "${schema}".generations WHERE status = 'active'`);
    const [{ gen }] = await db.query(`SELECT max(generation) + 1 AS gen FROM "${schema}".generations`);
    await createGenerationTables(db, schema, gen);
    try {
      const timeline = await db.query(`SELECT * FROM "${schema}".timeline_g${live}`);
      const pairEvents = timeline
        .map((r: any) => ({ a: r.company_a, b: r.company_b, event: timelineRowEvent(r) }))
        .sort((x: PairEvent, y: PairEvent) => byTime(x.event, y.event));
      const ours = (a: string, b: string) => a !== b && [a, b].every((x) => x === buyer || x === supplier);
      // The supplier and buyer's last event held back.
      const last = pairEvents.map((p: PairEvent) => ours(p.a, p.b)).lastIndexOf(true);
      await writeSummaries(
        db,
        schema,
        gen,
        pairEvents.filter((_: PairEvent, i: number) => i !== last),
      );
      // Every row as a version before kept it: its members in the row, without the counts kept now.
      const rows = (g: number) =>
        db.query(`SELECT company_a, company_b, viewer, tally, summary::jsonb::text AS summary FROM "${schema}".summaries_g${g} ORDER BY 1, 2, 3`);
      const membersOf = async (g: number, r: any) =>
        (
          await db.query(`SELECT members FROM "${schema}".summary_members_g${g} WHERE company_a = $1 AND company_b = $2 AND viewer = $3`, [
            r.company_a,
            r.company_b,
            r.viewer,
          ])
        ).map((m: any) => m.members);
      for (const r of await rows(gen)) {
        const whole = joinTally(readTally(r.tally), await membersOf(gen, r));
        const { slaOutcomes: _s, ...old } = whole;
        await db.query(`UPDATE "${schema}".summaries_g${gen} SET tally = $4::jsonb WHERE company_a = $1 AND company_b = $2 AND viewer = $3`, [
          r.company_a,
          r.company_b,
          r.viewer,
          JSON.stringify({ ...old, offers: { ...old.offers, made: 0 } }),
        ]);
      }
      await db.query(`DELETE FROM "${schema}".summary_members_g${gen}`);
      // The held-back event: its pair's rows are made whole, counted again and split.
      await writeSummaries(db, schema, gen, [pairEvents[last]]);
      const healed = (await rows(gen)).filter((r: any) => ours(r.company_a, r.company_b));
      const expected = (await rows(live)).filter((r: any) => ours(r.company_a, r.company_b));
      expect(healed.length).toBe(2);
      for (const [i, r] of healed.entries()) {
        expect(splitTally(readTally(r.tally)).members.size).toBe(0);
        expect(r.summary).toEqual(expected[i].summary);
        expect(joinTally(readTally(r.tally), await membersOf(gen, r))).toEqual(joinTally(readTally(expected[i].tally), await membersOf(live, expected[i])));
      }
      expect(JSON.parse(healed[0].summary).offers.made).toBeGreaterThan(0);
    } finally {
      await dropGenerationTables(db, schema, gen);
    }
  });

  it('reads summary rows kept whole before as it reads those kept in parts; the migrations make them sparse and in parts again, and a rebuild finds the digests equal', async () => {
    const [{ generation: live }] = await db.query(`SELECT generation FROM "${schema}".generations WHERE status = 'active'`);
    const t = `"${schema}".summaries_g${live}`;
    const stored = () => db.query(`SELECT company_a, company_b, viewer, tally::text, summary::text FROM ${t} ORDER BY 1, 2, 3`);
    const members = () => db.query(`SELECT company_a, company_b, viewer, entity, members::text FROM "${schema}".summary_members_g${live} ORDER BY 1, 2, 3, 4`);
    const reads = async () => [
      (await http(url, 'GET', `/relationships/${buyer}/${supplier}`, undefined, asBuyer)).body,
      (await http(url, 'GET', `/relationships/counterparties?sort=value&currency=EUR`, undefined, asSupplier)).body,
      (await http(url, 'GET', `/relationships/counterparties?sort=sla`, undefined, asBuyer)).body,
    ];
    const inParts = await stored();
    const apart = await members();
    const asRead = await reads();
    expect(asRead[1].items.length).toBeGreaterThan(0);
    // The live consumer kept the sets' members apart: no row names an offer, ticket or invoice.
    expect(apart.length).toBeGreaterThan(0);
    for (const m of apart) expect(inParts.map((r: any) => r.tally).join('')).not.toContain(m.entity);
    const migrate = async (steps: (runner: QueryRunner) => Promise<void>) => {
      const runner = app.get<DataSource>(DATA_SOURCE).createQueryRunner();
      try {
        await steps(runner);
      } finally {
        await runner.release();
      }
      expect(await stored()).toEqual(inParts);
      expect(await members()).toEqual(apart);
      expect(await reads()).toEqual(asRead);
    };
    await migrate(async (runner) => {
      // Whole, as the code before kept them: every field of the tally, zeros and empty sets too, and the members in the row.
      await new SummaryMembers1764600000000().down(runner);
      await new SparseSummaries1764480000000().down(runner);
      const whole = await stored();
      expect(whole.every((r: any) => 'offers' in JSON.parse(r.tally) && 'fulfilment' in JSON.parse(r.summary))).toBe(true);
      for (const m of apart) expect(whole.map((r: any) => r.tally).join('')).toContain(m.entity);
      expect(whole.reduce((n: number, r: any) => n + r.tally.length, 0)).toBeGreaterThan(1.5 * inParts.reduce((n: number, r: any) => n + r.tally.length, 0));
      expect(await tableExists(`summary_members_g${live}`)).toBe(false);
      expect(await reads()).toEqual(asRead);
      await new SparseSummaries1764480000000().up(runner);
      await new SummaryMembers1764600000000().up(runner);
    });
    // From before summaries were kept at all: the first summaries migration folds the timeline
    // (with today's writer, which keeps members apart), and the later ones must keep its counts.
    await migrate(async (runner) => {
      await db.query(`DELETE FROM ${t}`);
      await db.query(`DELETE FROM "${schema}".summary_members_g${live}`);
      await new Summaries1737700000000().up(runner);
      await new SparseSummaries1764480000000().up(runner);
      await new SummaryMembers1764600000000().up(runner);
    });
    expect(await within(rebuilder().run(), 30000)).toMatchObject({ equal: true, swapped: true });
    expect(await reads()).toEqual(asRead);
  });

  it('fails a rebuild at once when its replay fails, in this thread or a worker, keeps the live generation, and runs the next one', async () => {
    for (const workers of [0, 2]) {
      const live = await digest(url);
      const [{ next }] = await db.query(`SELECT max(generation) + 1 AS next FROM "${schema}".generations`);
      // The new generation's table made to refuse every row: each write of the replay fails.
      await db.query(`CREATE TABLE "${schema}".timeline_g${next} (LIKE "${schema}".timeline_g${live.generation} INCLUDING ALL)`);
      await db.query(`ALTER TABLE "${schema}".timeline_g${next} ADD CONSTRAINT refuse_rows CHECK (false)`);
      await expect(within(rebuilder({ workers }).run(), 15000)).rejects.toThrow('refuse_rows');
      expect(await digest(url)).toEqual(live);
      expect((await generations()).map((g) => g.generation)).not.toContain(next);
      expect(await tableExists(`timeline_g${next}`)).toBe(false);
    }
    // The lock was released: a rebuild runs again.
    expect(await within(rebuilder().run(), 15000)).toMatchObject({ equal: true, swapped: true });
  });

  it('builds the same state with two instances sharing one consumer group as with one', async () => {
    const shared = uniqueName('rel2');
    const group = `${prefix}.scaled`;
    const a = await launch(shared, group);
    const b = await launch(shared, group);
    const kadmin = kafka.admin();
    await kadmin.connect();
    // Both members in the group before the new events arrive, so both get some of them.
    await eventually(
      async () => (await kadmin.describeGroups([group])).groups[0],
      (g) => g.state === 'Stable' && g.members.length === 2,
      60000,
      250,
    );
    await kadmin.disconnect();
    // More streams so that every partition carries something.
    const more = Array.from({ length: 6 }, () => sampleHistory(randomUUID(), randomUUID(), randomUUID(), start)).flat();
    await send(more);
    try {
      const expectedRows = 19 + 6 * 19;
      await eventually(
        () => digest(url),
        (d) => d.rows === expectedRows,
        60000,
      );
      const scaled = await eventually(
        () => digest(a.url),
        (d) => d.rows === expectedRows,
        60000,
      );
      expect(scaled.digest).toBe((await digest(url)).digest);
      const handled = () => [a, b].map((x) => x.app.get(RelationshipsInbound).consumer.counts.handled);
      // Every deal event once between them (the sellers' touches have a consumer of their own).
      const all = history.length + more.length;
      await eventually(
        async () => handled(),
        ([x, y]) => x + y >= all,
        60000,
      );
      const [ha, hb] = handled();
      expect(ha).toBeGreaterThan(0);
      expect(hb).toBeGreaterThan(0);
      expect(ha + hb).toBe(all);
    } finally {
      await a.app.close();
      await b.app.close();
      await db.query(`DROP SCHEMA IF EXISTS "${shared}" CASCADE`);
    }
  });

  it('compares the generations only once the live consumer has caught up with what the replay read', async () => {
    const inbound = app.get(RelationshipsInbound);
    const before = await digest(url);
    await inbound.consumer.stop();
    let running: Promise<RebuildReport>;
    try {
      await send(sampleHistory(randomUUID(), randomUUID(), randomUUID(), start));
      running = rebuilder({ workers: 0 }).run();
      running.catch(() => undefined);
      // Time enough for the replay to finish: until the live consumer runs again, the live tables lack the new events.
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      inbound.consumer.startInBackground();
    }
    expect(await running).toMatchObject({ previousGeneration: before.generation, equal: true, swapped: true, rows: before.rows + 19 });
  });

  it("applies a stream's later events the live consumer wrote during a rebuild only after the replay wrote its earlier ones", async () => {
    const x = uniqueName('rel_defer');
    await db.query(`CREATE SCHEMA "${x}"`);
    try {
      await db.query(`CREATE TABLE "${x}".generations (generation int PRIMARY KEY, status text NOT NULL, deferring boolean NOT NULL DEFAULT false)`);
      for (const gen of [1, 2, 3]) await createGenerationTables(db, x, gen);
      await db.query(`INSERT INTO "${x}".generations VALUES (1, 'active', false), (2, 'building', true), (3, 'building', false)`);
      const deal = sampleHistory(randomUUID(), randomUUID(), randomUUID(), start);
      // The replay is behind: the offer's submission reaches the new generation after the live consumer wrote its acceptance.
      const cut = deal.findIndex((e) => e.type === 'OfferAccepted');
      const [replayed, live] = [deal.slice(0, cut), deal.slice(cut)];
      await writeEvents(db, x, 1, deal);
      await writeEvents(db, x, 2, live, { defer: true });
      await writeEvents(db, x, 2, replayed);
      expect(await db.transaction((tx) => drainDeferred(tx, x, 2))).toBe(live.filter((e) => e.type !== 'CompanyRegistered').length);
      expect((await db.query(`SELECT deferring FROM "${x}".generations WHERE generation = 2`))[0].deferring).toBe(false);
      expect(await digestOf(db, x, 2)).toEqual(await digestOf(db, x, 1));
      // Without keeping them aside, the same arrival order leaves the buyer an offer to answer that was accepted long ago.
      await writeEvents(db, x, 3, live);
      await writeEvents(db, x, 3, replayed);
      expect((await digestOf(db, x, 3)).digest).not.toBe((await digestOf(db, x, 1)).digest);
    } finally {
      await db.query(`DROP SCHEMA "${x}" CASCADE`);
    }
  });
});
