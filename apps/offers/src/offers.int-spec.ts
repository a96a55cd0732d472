import { createHash, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventEnvelope, eventsTopic, Headers } from '@dealledger/events';
import { connectProducer, createKafka, headerString, toKafkaMessage } from '@dealledger/messaging';
import { PostgresEventStore } from '@dealledger/event-store';
import { KnownCompanies } from '@dealledger/platform';
import { collectFromTopic, eventually, http, sealed, startTestApp, tokenFor, uniqueName } from '@dealledger/testing';
import { ExpireOffersScheduler, EXPIRY_CLOCK } from './offer/expiry/expire-offers.scheduler';
import { OFFERS, OffersModule } from './offers.module';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const supplier = randomUUID();
const supplier2 = randomUUID();
const supplier3 = randomUUID();
const buyer = randomUUID();
const stranger = randomUUID();
const person = (companyId: string, roles: string[]) => tokenFor({ companyId, personId: randomUUID(), roles });

// Quantities are decimal strings; whole JSON numbers, as clients sent before, are still taken (the revision below sends one).
const tiers = [
  { minQuantity: '100', unitPrice: '52.00' },
  { minQuantity: '1000', unitPrice: '47.50' },
  { minQuantity: '10000', unitPrice: '41.70' },
];
const offerBody = (validUntil = new Date(Date.now() + 86400000).toISOString()) => ({
  buyerId: buyer,
  items: [{ sku: 'TYRE-205-55-R16', kind: 'component', description: 'Summer tyre 205/55 R16', unit: 'piece', currency: 'EUR', tiers }],
  validUntil,
  paymentTerms: '60 days net',
  deliveryTerms: 'DAP Ingolstadt',
});

describe('offers app over HTTP, with its events on Kafka (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('offers');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let kafka: Kafka;
  let db: DataSource;
  let clock = () => new Date();

  const supplierRep = person(supplier, ['executive']);
  const buyerProcurement = person(buyer, ['procurement']);
  const buyerEngineer = person(buyer, ['technical']);
  const buyerOfficial = person(buyer, ['government']);

  beforeAll(async () => {
    process.env.DB_SCHEMA = schema;
    process.env.TOPIC_PREFIX = prefix;
    // Small, so that the size limit is tested without sending megabytes.
    process.env.DOCUMENT_MAX_BYTES = String(64 * 1024);
    ({ app, url } = await startTestApp(OffersModule, OFFERS, [[EXPIRY_CLOCK, () => clock()]]));
    kafka = createKafka('offers-test');
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
  });

  afterAll(async () => {
    await app.close();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    delete process.env.DB_SCHEMA;
    delete process.env.TOPIC_PREFIX;
    delete process.env.DOCUMENT_MAX_BYTES;
  });

  const envelopesOf = async (type: string, count = 1) => {
    const seen = await collectFromTopic(
      kafka,
      eventsTopic('offers', prefix),
      (s) => s.filter((m) => headerString(m.message.headers, Headers.eventType) === type).length >= count,
    );
    return seen
      .filter((m) => headerString(m.message.headers, Headers.eventType) === type)
      .map((m) => JSON.parse(m.message.value!.toString()) as EventEnvelope<any>);
  };

  /** The tender's events of a type, once `count` of them are on the topic. */
  const envelopesOfTender = async (type: string, tenderId: string, count: number) => {
    const mine = (m: { message: { headers?: any; value: Buffer | null } }) =>
      headerString(m.message.headers, Headers.eventType) === type && JSON.parse(m.message.value!.toString()).data.tenderId === tenderId;
    const seen = await collectFromTopic(kafka, eventsTopic('offers', prefix), (s) => s.filter(mine).length >= count);
    return seen.filter(mine).map((m) => JSON.parse(m.message.value!.toString()) as EventEnvelope<any>);
  };

  it('negotiates an offer over revisions and publishes OfferAccepted with what contracts need', async () => {
    const drafted = await http(url, 'POST', '/offers', offerBody(), supplierRep);
    expect(drafted.status).toBe(201);
    const id = drafted.body.offerId;
    expect((await http(url, 'POST', `/offers/${id}/submit`, {}, supplierRep)).body.status).toBe('submitted');
    const countered = await http(
      url,
      'POST',
      `/offers/${id}/counter`,
      { proposals: [{ sku: 'TYRE-205-55-R16', unitPrice: '40.00', quantity: 15000 }], note: 'target 40.00' },
      buyerEngineer,
    );
    expect(countered.body.status).toBe('countered');
    const revisedTiers = [tiers[0], tiers[1], { minQuantity: '10000', unitPrice: '40.90' }];
    const { buyerId: _, ...terms } = offerBody();
    const revised = await http(
      url,
      'POST',
      `/offers/${id}/revise`,
      { ...terms, items: [{ ...offerBody().items[0], tiers: [tiers[0], tiers[1], { minQuantity: 10000, unitPrice: '40.90' }] }], note: 'tier 3 at 40.90' },
      supplierRep,
    );
    expect(revised.body).toMatchObject({ status: 'submitted', revision: 1, history: [{ revision: 0 }], terms: { items: [{ tiers: revisedTiers }] } });
    expect(countered.body.counters[0].proposals).toEqual([{ sku: 'TYRE-205-55-R16', unitPrice: '40.00', quantity: '15000' }]);

    const quote = await http(url, 'GET', `/offers/${id}/quote?quantity=12000`, undefined, buyerEngineer);
    expect(quote.body.quotes).toEqual([
      { sku: 'TYRE-205-55-R16', quantity: '12000', currency: 'EUR', tierMinQuantity: '10000', unitPrice: '40.90', total: '490800.00' },
    ]);
    expect((await http(url, 'GET', `/offers/${id}/quote?quantity=9999.5`, undefined, buyerEngineer)).body.quotes).toEqual([
      { sku: 'TYRE-205-55-R16', quantity: '9999.5', currency: 'EUR', tierMinQuantity: '1000', unitPrice: '47.50', total: '474976.25' },
    ]);

    const refused = await http(url, 'POST', `/offers/${id}/accept`, { revision: 1, quantities: [{ sku: 'TYRE-205-55-R16', quantity: 12000 }] }, buyerEngineer);
    expect(refused).toMatchObject({ status: 403, body: { code: 'offer.procurement_role_required' } });
    // The revision the buyer read, or 409: a revision landing meanwhile is not accepted unseen.
    const stale = await http(url, 'POST', `/offers/${id}/accept`, { revision: 0, quantities: [{ sku: 'TYRE-205-55-R16', quantity: 12000 }] }, buyerProcurement);
    expect(stale.body).toMatchObject({ status: 409, code: 'offer.revision_changed' });
    expect((await http(url, 'POST', `/offers/${id}/accept`, { quantities: [{ sku: 'TYRE-205-55-R16', quantity: 12000 }] }, buyerProcurement)).status).toBe(400);
    const accepted = await http(
      url,
      'POST',
      `/offers/${id}/accept`,
      { revision: 1, quantities: [{ sku: 'TYRE-205-55-R16', quantity: 12000 }] },
      buyerProcurement,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      status: 'accepted',
      accepted: { total: '490800.00', currency: 'EUR', items: [{ quantity: '12000', tierMinQuantity: '10000', tiers: revisedTiers }] },
    });

    const [event] = (await envelopesOf('OfferAccepted')).filter((e) => e.data.offerId === id);
    expect(event).toMatchObject({
      type: 'OfferAccepted',
      schemaVersion: 2,
      context: 'offers',
      streamId: `offer-${id}`,
      parties: [supplier, buyer],
      data: {
        offerId: id,
        supplierId: supplier,
        buyerId: buyer,
        revision: 1,
        currency: 'EUR',
        total: '490800.00',
        paymentTerms: '60 days net',
        items: [{ sku: 'TYRE-205-55-R16', quantity: '12000', unitPrice: '40.90', tierMinQuantity: '10000', lineTotal: '490800.00', tiers: revisedTiers }],
      },
    });
  });

  it('keeps offers to their parties and answers bad input with problem+json', async () => {
    const { body } = await http(url, 'POST', '/offers', offerBody(), supplierRep);
    expect((await http(url, 'GET', `/offers/${body.offerId}`, undefined, person(stranger, ['procurement']))).body).toMatchObject({
      status: 404,
      code: 'offer.not_found',
    });
    // A draft is the supplier's alone until it is submitted.
    expect((await http(url, 'GET', `/offers/${body.offerId}`, undefined, buyerEngineer)).body).toMatchObject({ status: 404, code: 'offer.not_found' });
    expect((await http(url, 'GET', `/offers/${body.offerId}`, undefined, supplierRep)).status).toBe(200);
    await http(url, 'POST', `/offers/${body.offerId}/submit`, {}, supplierRep);
    expect((await http(url, 'GET', `/offers/${body.offerId}`, undefined, buyerEngineer)).status).toBe(200);
    expect((await http(url, 'GET', `/offers/${body.offerId}`)).status).toBe(401);
    const bad = await http(
      url,
      'POST',
      '/offers',
      { ...offerBody(), items: [{ ...offerBody().items[0], tiers: [{ minQuantity: 0, unitPrice: '4,20' }] }] },
      supplierRep,
    );
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('minQuantity must be a quantity above zero'),
        expect.stringContaining('unitPrice must be a decimal amount'),
      ]),
    );
    // A quantity is a decimal string with at most 4 decimals, or a whole JSON number; nothing else.
    for (const minQuantity of [-3, 2.5, 1e21, '0', '-1', '1.23456', '1e21', 'abc', '', null, true]) {
      const refused = await http(
        url,
        'POST',
        '/offers',
        { ...offerBody(), items: [{ ...offerBody().items[0], tiers: [{ minQuantity, unitPrice: '1.00' }] }] },
        supplierRep,
      );
      expect([minQuantity, refused.status, refused.type]).toEqual([minQuantity, 400, expect.stringContaining('application/problem+json')]);
      expect(refused.body.errors).toEqual([expect.stringContaining('minQuantity must be a quantity above zero')]);
    }
    // A unit comes from the documented list (UN/ECE Rec 20 codes, names, usual abbreviations).
    for (const unit of ['t', 'KGM', 'Piece']) {
      const taken = await http(url, 'POST', '/offers', { ...offerBody(), items: [{ ...offerBody().items[0], unit }] }, supplierRep);
      expect([unit, taken.status]).toEqual([unit, 201]);
    }
    const furlong = await http(url, 'POST', '/offers', { ...offerBody(), items: [{ ...offerBody().items[0], unit: 'furlong' }] }, supplierRep);
    expect(furlong).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json') });
    expect(furlong.body.errors).toEqual([expect.stringContaining('unit must be a UN/ECE Recommendation 20 code')]);
    for (const quantity of ['abc', '-5', '0', '2.50001', '1e3']) {
      const quoted = await http(url, 'GET', `/offers/${body.offerId}/quote?quantity=${quantity}`, undefined, buyerEngineer);
      expect([quantity, quoted.status, quoted.type]).toEqual([quantity, 400, expect.stringContaining('application/problem+json')]);
    }
    const asBuyer = await http(url, 'POST', '/offers', offerBody(), buyerProcurement);
    expect(asBuyer.body).toMatchObject({ status: 400, code: 'offer.buyer_is_supplier' });
    expect((await http(url, 'GET', `/offers/${body.offerId}/quote?quantity=5`, undefined, buyerEngineer)).body).toMatchObject({
      status: 400,
      code: 'offer.quantity_below_minimum',
    });
  });

  it('accepts a deal of 10^15 and refuses with 400, writing nothing, one whose total would pass 18 digits', async () => {
    const big = { ...offerBody(), items: [{ ...offerBody().items[0], tiers: [{ minQuantity: 1, unitPrice: '1000000000.00' }] }] };
    const ok = await http(url, 'POST', '/offers', big, supplierRep);
    await http(url, 'POST', `/offers/${ok.body.offerId}/submit`, {}, supplierRep);
    const deal = await http(
      url,
      'POST',
      `/offers/${ok.body.offerId}/accept`,
      { revision: 0, quantities: [{ sku: 'TYRE-205-55-R16', quantity: 1_000_000 }] },
      buyerProcurement,
    );
    expect(deal.body).toMatchObject({ status: 'accepted', accepted: { total: '1000000000000000.00' } });

    const huge = { ...offerBody(), items: [{ ...offerBody().items[0], tiers: [{ minQuantity: 1, unitPrice: '999999999999.00' }] }] };
    const { body } = await http(url, 'POST', '/offers', huge, supplierRep);
    await http(url, 'POST', `/offers/${body.offerId}/submit`, {}, supplierRep);
    const before = await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE stream_id = $1`, [`offer-${body.offerId}`]);
    const refused = await http(
      url,
      'POST',
      `/offers/${body.offerId}/accept`,
      { revision: 0, quantities: [{ sku: 'TYRE-205-55-R16', quantity: 1_000_000_000 }] },
      buyerProcurement,
    );
    expect(refused.status).toBe(400);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'command.out_of_range' });
    expect(refused.body.detail).toContain('OfferAccepted');
    expect(await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE stream_id = $1`, [`offer-${body.offerId}`])).toEqual(before);
    expect((await http(url, 'POST', '/offers', { ...offerBody(), paymentTerms: '' }, supplierRep)).status).toBe(400);
  });

  it('folds an offer stored at version 1 (integer quantities) as one stored at version 2, and appends version 2', async () => {
    const store = app.get(PostgresEventStore);
    const offerId = randomUUID();
    const streamId = `offer-${offerId}`;
    const ref = { offerId, supplierId: supplier, buyerId: buyer };
    const metadata = { occurredAt: new Date(), parties: [supplier, buyer], actor: { companyId: supplier, personId: null }, correlationId: randomUUID() };
    // As the offers app wrote them before quantities were decimal.
    const v1Tiers = [
      { minQuantity: 100, unitPrice: '52.00' },
      { minQuantity: 1000, unitPrice: '47.50' },
    ];
    const item = { sku: 'TYRE-205-55-R16', kind: 'component', description: 'Summer tyre 205/55 R16', unit: 'piece', currency: 'EUR', tiers: v1Tiers };
    const validUntil = new Date(Date.now() + 86400000).toISOString();
    await store.append(streamId, 0, [
      {
        id: randomUUID(),
        type: 'OfferDrafted',
        schemaVersion: 1,
        data: { ...ref, items: [item], validUntil, paymentTerms: '60 days net', deliveryTerms: 'DAP' },
        metadata,
      },
      { id: randomUUID(), type: 'OfferSubmitted', schemaVersion: 1, data: { ...ref, revision: 0 }, metadata },
    ]);
    const decimalTiers = [
      { minQuantity: '100', unitPrice: '52.00' },
      { minQuantity: '1000', unitPrice: '47.50' },
    ];
    const view = await http(url, 'GET', `/offers/${offerId}`, undefined, buyerEngineer);
    expect(view.body).toMatchObject({ status: 'submitted', version: 2, terms: { items: [{ tiers: decimalTiers }] } });
    expect((await http(url, 'GET', `/offers/${offerId}/quote?quantity=999.5`, undefined, buyerEngineer)).body.quotes).toEqual([
      { sku: 'TYRE-205-55-R16', quantity: '999.5', currency: 'EUR', tierMinQuantity: '100', unitPrice: '52.00', total: '51974.00' },
    ]);

    const accepted = await http(
      url,
      'POST',
      `/offers/${offerId}/accept`,
      { revision: 0, quantities: [{ sku: 'TYRE-205-55-R16', quantity: '1200.5' }] },
      buyerProcurement,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body.accepted).toMatchObject({
      total: '57023.75',
      items: [{ quantity: '1200.5', tierMinQuantity: '1000', unitPrice: '47.50', lineTotal: '57023.75', tiers: decimalTiers }],
    });
    // The log keeps what was written, as written: the old events at version 1, the new one at version 2; the chain holds.
    const rows = await db.query(`SELECT type, schema_version, data FROM "${schema}".events WHERE stream_id = $1 ORDER BY stream_version`, [streamId]);
    expect(rows.map((r: { type: string; schema_version: number }) => [r.type, r.schema_version])).toEqual([
      ['OfferDrafted', 1],
      ['OfferSubmitted', 1],
      ['OfferAccepted', 2],
    ]);
    expect(rows[0].data.items[0].tiers).toEqual(v1Tiers);
    expect(rows[2].data.items[0]).toMatchObject({ quantity: '1200.5', tiers: decimalTiers });
    expect((await store.verify()).ok).toBe(true);
    // Consumers get the stored versions and upcast the old ones themselves.
    const ours = (m: { message: { value: Buffer | null } }) => JSON.parse(m.message.value!.toString()) as EventEnvelope<any>;
    const seen = await collectFromTopic(kafka, eventsTopic('offers', prefix), (s) =>
      s.some((m) => ours(m).type === 'OfferDrafted' && ours(m).data.offerId === offerId),
    );
    const published = seen.map(ours).find((e) => e.type === 'OfferDrafted' && e.data.offerId === offerId);
    expect(published).toMatchObject({ schemaVersion: 1, data: { items: [{ tiers: v1Tiers }] } });
  });

  it('expires offers past their validity with a durable scheduled check, once', async () => {
    const { body } = await http(url, 'POST', '/offers', offerBody(new Date(Date.now() + 3600_000).toISOString()), supplierRep);
    await http(url, 'POST', `/offers/${body.offerId}/submit`, {}, supplierRep);
    const scheduler = app.get(ExpireOffersScheduler);
    expect(await scheduler.runOnce()).toBe(0); // not due yet
    clock = () => new Date(Date.now() + 2 * 3600_000);
    expect(await scheduler.runOnce()).toBeGreaterThanOrEqual(1);
    expect(await scheduler.runOnce()).toBe(0);
    clock = () => new Date();
    expect((await http(url, 'GET', `/offers/${body.offerId}`, undefined, buyerEngineer)).body.status).toBe('expired');
    const late = await http(
      url,
      'POST',
      `/offers/${body.offerId}/accept`,
      { revision: 0, quantities: [{ sku: 'TYRE-205-55-R16', quantity: 500 }] },
      buyerProcurement,
    );
    expect(late.body).toMatchObject({ status: 409, code: 'offer.invalid_transition' });
    const expired = await db.query(`SELECT count(*) AS n FROM "${schema}".events WHERE stream_id = $1 AND type = 'OfferExpired'`, [`offer-${body.offerId}`]);
    expect(Number(expired[0].n)).toBe(1);
  });

  it('runs a public-procurement tender with sealed bids to an award published as TenderAwarded', async () => {
    const publicTender = (deadline: string) => ({
      title: 'City buses: tyres 2028',
      items: [
        { itemId: 'lot-1', description: 'Bus tyre 275/70 R22.5', quantity: 2000, unit: 'piece', specification: 'M+S, regroovable' },
        { itemId: 'lot-2', description: 'Retreading service', quantity: 500, unit: 'job', specification: 'within 10 days' },
      ],
      submissionDeadline: deadline,
      weights: { price: 50, quality: 20, reputation: 10, service: 15, partnership: 5 },
      publicProcurement: true,
      currency: 'EUR',
    });
    // Only a public body an operator verified opens a public procurement: learnt from the directory topic.
    expect((await http(url, 'POST', '/tenders', publicTender(new Date(Date.now() + 60000).toISOString()), buyerProcurement)).body).toMatchObject({
      status: 403,
      code: 'tender.public_procurement_needs_public_body',
    });
    const producer = await connectProducer(kafka);
    const company = (type: string, version: number, data: Record<string, unknown>) =>
      sealed({
        id: randomUUID(),
        type,
        schemaVersion: 1,
        context: 'directory',
        streamId: `company-${buyer}`,
        streamType: 'company',
        streamVersion: version,
        position: version,
        occurredAt: new Date().toISOString(),
        recordedAt: new Date().toISOString(),
        parties: [buyer],
        actor: null,
        correlationId: randomUUID(),
        causationId: null,
        data,
      });
    await producer.send({
      topic: eventsTopic('directory', prefix),
      messages: [
        toKafkaMessage(
          company('CompanyRegistered', 1, {
            companyId: buyer,
            name: 'City of Graz',
            registrationNumber: 'GKZ 60101',
            country: 'AT',
            roles: ['buyer', 'public_body'],
          }),
        ),
        toKafkaMessage(company('CompanyVerified', 2, { companyId: buyer, note: 'register checked' })),
      ],
    });
    await producer.disconnect();
    await eventually(
      async () => app.get(KnownCompanies).isVerifiedPublicBody(buyer),
      (ok) => ok,
    );
    const deadline = new Date(Date.now() + 2500).toISOString();
    const opened = await http(url, 'POST', '/tenders', publicTender(deadline), buyerProcurement);
    expect(opened.status).toBe(201);
    const id = opened.body.tenderId;
    expect(
      (await http(url, 'POST', `/tenders/${id}/invitations`, { supplierIds: [supplier, supplier2, supplier3] }, buyerProcurement)).body.invited,
    ).toHaveLength(3);

    const bid = (token: string, a: string, b: string) =>
      http(
        url,
        'POST',
        `/tenders/${id}/bids`,
        {
          prices: [
            { itemId: 'lot-1', unitPrice: a },
            { itemId: 'lot-2', unitPrice: b },
          ],
        },
        token,
      );
    const s2 = person(supplier2, ['executive']);
    const s3 = person(supplier3, ['executive']);
    expect((await bid(supplierRep, '410.00', '95.00')).status).toBe(200);
    expect((await bid(s2, '395.00', '120.00')).status).toBe(200);
    expect((await bid(s3, '450.00', '80.00')).status).toBe(200);
    expect((await bid(s3, '430.00', '80.00')).status).toBe(200); // replaces the first
    // A retried bid (same Idempotency-Key) answers with the recorded bid's hash, not a fresh one.
    const retried = () =>
      fetch(`${url}/tenders/${id}/bids`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s2}`, 'idempotency-key': `bid-${id}` },
        body: JSON.stringify({
          prices: [
            { itemId: 'lot-1', unitPrice: '395.00' },
            { itemId: 'lot-2', unitPrice: '120.00' },
          ],
        }),
      }).then((r) => r.json() as Promise<{ bidId: string; contentHash: string }>);
    const first = await retried();
    const again = await retried();
    expect(again).toEqual(first);
    expect((await bid(person(stranger, ['executive']), '1.00', '1.00')).body).toMatchObject({ status: 404 });

    // Sealed: no price is visible anywhere before close, not even in the event log.
    const before = await http(url, 'GET', `/tenders/${id}`, undefined, buyerProcurement);
    expect(before.body.bids).toHaveLength(3);
    expect(JSON.stringify(before.body)).not.toMatch(/395\.00|410\.00|430\.00/);
    expect((await http(url, 'GET', `/tenders/${id}`, undefined, s2)).body.bids).toEqual([expect.objectContaining({ supplierId: supplier2 })]);
    const log = await db.query(`SELECT data::text AS d FROM "${schema}".events WHERE stream_id = $1`, [`tender-${id}`]);
    expect(log.map((r: { d: string }) => r.d).join()).not.toMatch(/395\.00|410\.00|430\.00/);
    expect((await http(url, 'POST', `/tenders/${id}/close`, {}, buyerProcurement)).body).toMatchObject({ status: 409, code: 'tender.deadline_not_reached' });

    await sleep(Math.max(0, Date.parse(deadline) - Date.now()) + 100);
    expect((await bid(s2, '1.00', '1.00')).body).toMatchObject({ status: 409, code: 'tender.deadline_passed' });
    const closed = await http(url, 'POST', `/tenders/${id}/close`, {}, buyerProcurement);
    expect(closed.body.status).toBe('closed');
    // totals: s1 820,000+47,500=867,500; s2 790,000+60,000=850,000; s3 860,000+40,000=900,000
    expect(closed.body.opened.map((b: any) => [b.supplierId, b.total, b.priceScore])).toEqual([
      [supplier, '867500.00', 9.8],
      [supplier2, '850000.00', 10],
      [supplier3, '900000.00', 9.44],
    ]);

    const evaluate = (token: string, supplierId: string, score: number) =>
      http(url, 'POST', `/tenders/${id}/evaluations`, { supplierId, scores: { quality: score, reputation: score, service: score, partnership: score } }, token);
    await evaluate(buyerEngineer, supplier, 9);
    await evaluate(buyerEngineer, supplier2, 6);
    const award = { supplierId: supplier };
    expect((await http(url, 'POST', `/tenders/${id}/award`, award, buyerProcurement)).body).toMatchObject({
      status: 409,
      code: 'tender.government_evaluator_required',
    });
    await evaluate(buyerOfficial, supplier, 8);
    expect((await http(url, 'GET', `/tenders/${id}`, undefined, buyerProcurement)).body.ranking.map((r: any) => [r.supplierId, r.rank])).toEqual([
      [supplier, 1],
      [supplier2, 2],
      [supplier3, 3],
    ]);
    // A bidder sees its own opened bid and rank: no rival's total, score or rank, no evaluation.
    const ranked = await http(url, 'GET', `/tenders/${id}`, undefined, s2);
    expect(ranked.body.ranking.map((r: any) => [r.supplierId, r.rank])).toEqual([[supplier2, 2]]);
    expect(ranked.body.opened.map((b: any) => b.supplierId)).toEqual([supplier2]);
    expect(ranked.body.evaluations).toBeUndefined();
    expect(ranked.body.invited).toEqual([supplier2]);
    const awarded = await http(url, 'POST', `/tenders/${id}/award`, award, buyerProcurement);
    expect(awarded.body.status).toBe('awarded');
    // A public award is published: the loser now sees the winner's entry beside its own.
    const after = await http(url, 'GET', `/tenders/${id}`, undefined, s2);
    expect(after.body.ranking.map((r: any) => [r.supplierId, r.rank])).toEqual([
      [supplier, 1],
      [supplier2, 2],
    ]);
    expect(after.body.award).toMatchObject({ supplierId: supplier, total: '867500.00' });

    const [event] = (await envelopesOf('TenderAwarded')).filter((e) => e.data.tenderId === id);
    expect(event.parties).toEqual([buyer, supplier, supplier2, supplier3]);
    expect(event.data).toMatchObject({
      tenderId: id,
      buyerId: buyer,
      supplierId: supplier,
      publicProcurement: true,
      currency: 'EUR',
      total: '867500.00',
      items: [
        { itemId: 'lot-1', quantity: '2000', unitPrice: '410.00', lineTotal: '820000.00' },
        { itemId: 'lot-2', quantity: '500', unitPrice: '95.00', lineTotal: '47500.00' },
      ],
    });
    expect(event.data.ranking).toHaveLength(3);

    // A public procurement's award waits 10 days for complaints: a losing bidder complains, the
    // buyer dismisses it, and the standstill clock makes the award final once, as AwardFinalised.
    const until = Date.parse(event.data.standstillUntil);
    expect(until - Date.parse(event.occurredAt)).toBe(10 * 86400000);
    expect(awarded.body.award).toMatchObject({ final: false, standstillUntil: event.data.standstillUntil });
    const complaint = await http(url, 'POST', `/tenders/${id}/complaints`, { grounds: 'The winning bid misreads lot-2' }, s3);
    expect(complaint.status).toBe(201);
    const [filed] = complaint.body.complaints;
    expect(complaint.body.complaints).toEqual([
      { complaintId: filed.complaintId, supplierId: supplier3, grounds: 'The winning bid misreads lot-2', status: 'open', resolution: null },
    ]);
    // Between the buyer and the complainant: another bidder sees none of it.
    expect((await http(url, 'GET', `/tenders/${id}`, undefined, s2)).body.complaints).toEqual([]);
    expect((await http(url, 'POST', `/tenders/${id}/complaints`, { grounds: 'I won' }, supplierRep)).body).toMatchObject({
      status: 403,
      code: 'tender.not_a_losing_bidder',
    });
    const scheduler = app.get(ExpireOffersScheduler);
    clock = () => new Date(until + 3600_000);
    await scheduler.runOnce();
    expect((await http(url, 'GET', `/tenders/${id}`, undefined, buyerProcurement)).body.award.final).toBe(false);
    clock = () => new Date();
    const dismissed = await http(
      url,
      'POST',
      `/tenders/${id}/complaints/${filed.complaintId}/resolve`,
      { upheld: false, resolution: 'Lot-2 was read as specified' },
      buyerProcurement,
    );
    expect(dismissed.body.complaints[0]).toMatchObject({ status: 'dismissed' });
    expect(await scheduler.runOnce()).toBe(0); // the period still runs
    clock = () => new Date(until + 3600_000);
    expect(await scheduler.runOnce()).toBeGreaterThanOrEqual(1);
    expect(await scheduler.runOnce()).toBe(0);
    clock = () => new Date();
    expect((await http(url, 'GET', `/tenders/${id}`, undefined, buyerProcurement)).body.award.final).toBe(true);
    const [final] = (await envelopesOf('AwardFinalised')).filter((e) => e.data.tenderId === id);
    expect(final.data).toMatchObject({ supplierId: supplier, total: '867500.00', standstillUntil: event.data.standstillUntil });
    const finals = await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE stream_id = $1 AND type = 'AwardFinalised'`, [`tender-${id}`]);
    expect(finals[0].n).toBe(1);
  });

  it('awards a tender in lots lot by lot: bids on whole lots, a ranking, standstill and complaint per lot, each lot final on its own', async () => {
    const s2 = person(supplier2, ['executive']);
    const s3 = person(supplier3, ['executive']);
    const body = (deadline: string, lots: unknown) => ({
      title: 'Depot: tyres and retreading',
      items: [
        { itemId: 'tyre', description: 'Bus tyre 275/70 R22.5', quantity: '2000', unit: 'piece', specification: 'M+S' },
        { itemId: 'retread', description: 'Retreading service', quantity: '500', unit: 'piece', specification: 'within 10 days' },
      ],
      submissionDeadline: deadline,
      weights: { price: 50, quality: 20, reputation: 10, service: 15, partnership: 5 },
      publicProcurement: false,
      currency: 'EUR',
      standstillDays: 5,
      lots,
    });
    const lots = [
      { lotId: 'T', title: 'Tyres', itemIds: ['tyre'] },
      { lotId: 'R', title: 'Retreading', itemIds: ['retread'] },
    ];
    // Bad lots are refused whole and write nothing.
    const countTenders = async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE type = 'TenderOpened'`))[0].n;
    const before = await countTenders();
    const far = new Date(Date.now() + 60000).toISOString();
    for (const [bad, code] of [
      [[lots[0], { ...lots[1], itemIds: ['tyre', 'retread'] }], 'tender.item_in_two_lots'],
      [[lots[0]], 'tender.item_without_lot'],
      [[{ ...lots[0], lotId: 'a/b' }, lots[1]], 'validation_failed'],
    ] as const) {
      const r = await http(url, 'POST', '/tenders', body(far, bad), buyerProcurement);
      expect(r.status).toBe(400);
      expect(r.type).toMatch(/application\/problem\+json/);
      if (code !== 'validation_failed') expect(r.body.code).toBe(code);
    }
    expect(await countTenders()).toBe(before);

    const deadline = new Date(Date.now() + 2500).toISOString();
    const opened = await http(url, 'POST', '/tenders', body(deadline, lots), buyerProcurement);
    expect(opened.status).toBe(201);
    const id = opened.body.tenderId;
    await http(url, 'POST', `/tenders/${id}/invitations`, { supplierIds: [supplier, supplier2, supplier3] }, buyerProcurement);
    const bid = (token: string, prices: { itemId: string; unitPrice: string }[]) => http(url, 'POST', `/tenders/${id}/bids`, { prices }, token);
    expect(
      (
        await bid(supplierRep, [
          { itemId: 'tyre', unitPrice: '400.00' },
          { itemId: 'retread', unitPrice: '90.00' },
        ])
      ).status,
    ).toBe(200);
    expect((await bid(s2, [{ itemId: 'tyre', unitPrice: '380.00' }])).status).toBe(200);
    expect((await bid(s3, [{ itemId: 'retread', unitPrice: '100.00' }])).status).toBe(200);
    await sleep(Math.max(0, Date.parse(deadline) - Date.now()) + 100);
    const closed = await http(url, 'POST', `/tenders/${id}/close`, {}, buyerProcurement);
    expect(closed.body.status).toBe('closed');
    expect(closed.body.lots.map((l: any) => [l.lotId, l.ranking.map((r: any) => [r.supplierId, r.total, r.priceScore])])).toEqual([
      [
        'T',
        [
          [supplier2, '760000.00', 10],
          [supplier, '800000.00', 9.5],
        ],
      ],
      [
        'R',
        [
          [supplier, '45000.00', 10],
          [supplier3, '50000.00', 9],
        ],
      ],
    ]);
    for (const s of [supplier, supplier2, supplier3])
      await http(
        url,
        'POST',
        `/tenders/${id}/evaluations`,
        { supplierId: s, scores: { quality: 8, reputation: 8, service: 8, partnership: 8 } },
        buyerEngineer,
      );
    const award = (b: Record<string, unknown>) => http(url, 'POST', `/tenders/${id}/award`, b, buyerProcurement);
    expect((await award({ supplierId: supplier2 })).body).toMatchObject({ status: 400, code: 'tender.lot_required' });
    expect((await award({ supplierId: supplier3, lotId: 'T' })).body).toMatchObject({ status: 409, code: 'tender.no_bid' });
    const first = await award({ supplierId: supplier2, lotId: 'T' });
    expect(first.body.status).toBe('closed');
    const cancelLot = (lot: string) => http(url, 'POST', `/tenders/${id}/lots/${lot}/cancel`, { reason: 'not needed' }, buyerProcurement);
    expect((await cancelLot('T')).body).toMatchObject({ status: 409, code: 'tender.lot_awarded' });
    expect((await cancelLot('no%20such')).body).toMatchObject({ status: 400, code: 'tender.unknown_lot' });
    const second = await award({ supplierId: supplier3, lotId: 'R' });
    expect(second.body.status).toBe('awarded');
    expect(second.body.lots.map((l: any) => [l.lotId, l.award.supplierId, l.award.total, l.award.final])).toEqual([
      ['T', supplier2, '760000.00', false],
      ['R', supplier3, '50000.00', false],
    ]);
    // A private tender: the loser of both lots sees its own ranks, no award to a rival.
    const loser = await http(url, 'GET', `/tenders/${id}`, undefined, supplierRep);
    expect(loser.body.lots.map((l: any) => [l.lotId, l.award, l.ranking.map((r: any) => r.supplierId)])).toEqual([
      ['T', undefined, [supplier]],
      ['R', undefined, [supplier]],
    ]);
    const awards = await envelopesOfTender('TenderAwarded', id, 2);
    expect(awards.map((e) => [e.schemaVersion, e.data.lotId, e.data.supplierId, e.data.items.map((i: any) => i.itemId), e.data.lotsToAward])).toEqual([
      [4, 'T', supplier2, ['tyre'], 1],
      [4, 'R', supplier3, ['retread'], 0],
    ]);

    // The loser complains about lot T only; lot R becomes final at the end of its period, T waits.
    const complaint = await http(url, 'POST', `/tenders/${id}/complaints`, { grounds: 'The tyre bid is not M+S', lotId: 'T' }, supplierRep);
    expect(complaint.status).toBe(201);
    const filed = complaint.body.lots[0].complaints[0];
    expect(filed).toMatchObject({ supplierId: supplier, status: 'open' });
    const until = Date.parse(awards[0].data.standstillUntil);
    const scheduler = app.get(ExpireOffersScheduler);
    clock = () => new Date(until + 3600_000);
    try {
      expect(await scheduler.runOnce()).toBe(1);
      expect(await scheduler.runOnce()).toBe(0);
      const lotsNow = (await http(url, 'GET', `/tenders/${id}`, undefined, buyerProcurement)).body.lots;
      expect(lotsNow.map((l: any) => [l.lotId, l.award.final])).toEqual([
        ['T', false],
        ['R', true],
      ]);
      await http(url, 'POST', `/tenders/${id}/complaints/${filed.complaintId}/resolve`, { upheld: false, resolution: 'They are M+S' }, buyerProcurement);
      expect(await scheduler.runOnce()).toBe(1);
    } finally {
      clock = () => new Date();
    }
    const finals = await envelopesOfTender('AwardFinalised', id, 2);
    expect(finals.map((e) => [e.schemaVersion, e.data.lotId, e.data.supplierId])).toEqual([
      [2, 'R', supplier3],
      [2, 'T', supplier2],
    ]);
    const stored = await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE stream_id = $1 AND type = 'AwardFinalised'`, [`tender-${id}`]);
    expect(stored[0].n).toBe(2);
  });

  it('attaches specifications to offers and tenders by hash, downloadable by their parties only', async () => {
    const upload = (bytes: Buffer, token: string, type = 'application/pdf') =>
      fetch(`${url}/documents`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${token}` }, body: bytes });
    const download = (path: string, token: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());
    const refOf = (res: Response) => res.json() as Promise<{ sha256: string; size: number; mediaType: string }>;
    const pdf = (title: string) => Buffer.from(`%PDF-1.7\n1 0 obj << /Title (${title}) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
    const spec = pdf('Tyre specification');
    const certificate = pdf('Material certificate EN 10204 3.1');

    const uploaded = await upload(spec, supplierRep);
    expect(uploaded.status).toBe(201);
    const specRef = await refOf(uploaded);
    expect(specRef).toEqual({ sha256: createHash('sha256').update(spec).digest('hex'), size: spec.length, mediaType: 'application/pdf' });
    const certRef = await refOf(await upload(certificate, supplierRep));

    // Not to a draft the buyer has not seen: once submitted, both parties see every document.
    const id = (await http(url, 'POST', '/offers', offerBody(), supplierRep)).body.offerId;
    const onDraft = await http(url, 'POST', `/offers/${id}/documents`, { sha256: specRef.sha256, name: 'Tyre specification.pdf' }, supplierRep);
    expect(onDraft.body).toMatchObject({ status: 409, code: 'offer.invalid_transition' });
    expect((await http(url, 'POST', `/offers/${id}/submit`, {}, supplierRep)).body.status).toBe('submitted');
    const onSpec = await http(url, 'POST', `/offers/${id}/documents`, { sha256: specRef.sha256, name: 'Tyre specification.pdf' }, supplierRep);
    expect(onSpec.status).toBe(200);
    expect(onSpec.body.documents).toEqual([{ ...specRef, name: 'Tyre specification.pdf', attachedBy: expect.any(String) }]);
    const onSubmitted = await http(url, 'POST', `/offers/${id}/documents`, { sha256: certRef.sha256, name: 'Certificate 3.1.pdf' }, supplierRep);
    expect(onSubmitted.body.documents.map((d: { name: string }) => d.name)).toEqual(['Tyre specification.pdf', 'Certificate 3.1.pdf']);

    const got = await download(`/offers/${id}/documents/${certRef.sha256}`, buyerEngineer);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toContain('Certificate%203.1.pdf');
    expect((await bytesOf(got)).equals(certificate)).toBe(true);
    expect((await bytesOf(await download(`/offers/${id}/documents/${specRef.sha256}`, buyerEngineer))).equals(spec)).toBe(true);
    expect((await http(url, 'GET', `/offers/${id}`, undefined, buyerEngineer)).body.documents).toHaveLength(2);
    // A stranger learns nothing; a party, nothing of a document not attached here.
    const strangerRep = person(stranger, ['executive']);
    expect((await download(`/offers/${id}/documents/${certRef.sha256}`, strangerRep)).status).toBe(404);
    expect((await download(`/offers/${id}/documents/${'0'.repeat(64)}`, buyerEngineer)).status).toBe(404);
    expect((await download(`/offers/${id}/documents/NOT-A-HASH`, buyerEngineer)).status).toBe(400);

    // The buyer attaches nothing to the supplier's offer, even a document it uploaded itself.
    const buyerCopy = await refOf(await upload(certificate, buyerEngineer));
    expect((await http(url, 'POST', `/offers/${id}/documents`, { sha256: buyerCopy.sha256, name: 'ours.pdf' }, buyerEngineer)).body).toMatchObject({
      status: 403,
      code: 'offer.supplier_only',
    });
    expect((await http(url, 'POST', `/offers/${id}/documents`, { sha256: certRef.sha256, name: 'again.pdf' }, supplierRep)).body).toMatchObject({
      status: 409,
      code: 'offer.document_already_attached',
    });
    // Only a document the company uploaded itself: a hash it never uploaded is not found.
    const unknown = await http(
      url,
      'POST',
      `/offers/${id}/documents`,
      { sha256: createHash('sha256').update('never uploaded').digest('hex'), name: 'x.pdf' },
      supplierRep,
    );
    expect(unknown).toMatchObject({ status: 404, type: expect.stringContaining('application/problem+json'), body: { code: 'document.not_found' } });
    expect((await upload(Buffer.from('<html>not a pdf</html>'), supplierRep)).status).toBe(415);
    expect((await upload(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(64 * 1024, 0x20)]), supplierRep)).status).toBe(413);

    const [event] = (await envelopesOf('OfferDocumentAttached', 2)).filter((e) => e.data.offerId === id && e.data.document.sha256 === certRef.sha256);
    expect(event).toMatchObject({
      parties: [supplier, buyer],
      data: { supplierId: supplier, buyerId: buyer, document: { ...certRef, name: 'Certificate 3.1.pdf' } },
    });

    // A tender's specification: the buyer attaches it for the suppliers it invited, and only them.
    const tender = await http(
      url,
      'POST',
      '/tenders',
      {
        title: 'Forklift tyres',
        items: [{ itemId: 'lot-1', description: 'Solid tyre 6.50-10', quantity: '400', unit: 'piece', specification: 'see the attached drawing' }],
        submissionDeadline: new Date(Date.now() + 86400000).toISOString(),
        weights: { price: 60, quality: 20, reputation: 10, service: 10, partnership: 0 },
        publicProcurement: false,
        currency: 'EUR',
      },
      buyerProcurement,
    );
    const tenderId = tender.body.tenderId;
    await http(url, 'POST', `/tenders/${tenderId}/invitations`, { supplierIds: [supplier] }, buyerProcurement);
    const drawing = pdf('Drawing 6.50-10');
    const drawingRef = await refOf(await upload(drawing, buyerEngineer));
    const attached = await http(url, 'POST', `/tenders/${tenderId}/documents`, { sha256: drawingRef.sha256, name: 'Drawing.pdf' }, buyerEngineer);
    expect(attached.status).toBe(200);
    expect(attached.body.documents).toEqual([{ ...drawingRef, name: 'Drawing.pdf', attachedBy: expect.any(String) }]);
    expect((await http(url, 'GET', `/tenders/${tenderId}`, undefined, supplierRep)).body.documents).toHaveLength(1);
    const fetched = await download(`/tenders/${tenderId}/documents/${drawingRef.sha256}`, supplierRep);
    expect(fetched.status).toBe(200);
    expect((await bytesOf(fetched)).equals(drawing)).toBe(true);
    expect((await download(`/tenders/${tenderId}/documents/${drawingRef.sha256}`, person(supplier2, ['executive']))).status).toBe(404);
    // The buyer's upload is not the supplier's to attach, though it may download it through the tender.
    expect((await http(url, 'POST', `/offers/${id}/documents`, { sha256: drawingRef.sha256, name: 'x.pdf' }, supplierRep)).body).toMatchObject({
      status: 404,
      code: 'document.not_found',
    });
    expect((await http(url, 'POST', `/tenders/${tenderId}/documents`, { sha256: specRef.sha256, name: 'ours.pdf' }, supplierRep)).body).toMatchObject({
      status: 403,
      code: 'tender.buyer_only',
    });
  });

  it('publishes an open notice any registered supplier finds, asks about and bids on; answers reach every bidder without the asker', async () => {
    const deadline = new Date(Date.now() + 86400000).toISOString();
    const body = {
      title: 'Road salt 2027/28',
      items: [{ itemId: 'lot-1', description: 'De-icing salt', quantity: '1200', unit: 't', specification: 'EN 16811-1' }],
      submissionDeadline: deadline,
      weights: { price: 70, quality: 10, reputation: 10, service: 10, partnership: 0 },
      publicProcurement: false,
      currency: 'EUR',
    };
    const open = await http(url, 'POST', '/tenders', { ...body, procedure: 'open' }, buyerProcurement);
    expect(open.body).toMatchObject({ procedure: 'open', invited: [] });
    const closedShop = await http(url, 'POST', '/tenders', body, buyerProcurement);
    expect(closedShop.body.procedure).toBe('invited');
    const newcomer = person(stranger, ['executive']);
    const other = person(supplier3, ['executive']);

    // The notice is listed for anyone (once the list has caught up); the invited-only tender is not, and stays 404 to strangers.
    const notices = await eventually(
      () => http(url, 'GET', '/tenders/notices?limit=200', undefined, newcomer),
      (r) => r.body.items.some((n: { tenderId: string }) => n.tenderId === open.body.tenderId),
    );
    const ids = notices.body.items.map((n: { tenderId: string }) => n.tenderId);
    expect(ids).toContain(open.body.tenderId);
    expect(ids).not.toContain(closedShop.body.tenderId);
    expect((await http(url, 'GET', `/tenders/${open.body.tenderId}`, undefined, newcomer)).body).toMatchObject({ title: 'Road salt 2027/28', invited: [] });
    expect((await http(url, 'GET', `/tenders/${closedShop.body.tenderId}`, undefined, newcomer)).status).toBe(404);
    expect((await http(url, 'POST', `/tenders/${closedShop.body.tenderId}/clarifications`, { question: 'x?' }, newcomer)).status).toBe(404);

    // A question: the buyer sees who asked, the asker its own open question, others nothing until answered.
    const asked = await http(url, 'POST', `/tenders/${open.body.tenderId}/clarifications`, { question: 'Is anti-caking agent E536 accepted?' }, newcomer);
    expect(asked.status).toBe(201);
    const [mine] = asked.body.clarifications;
    expect(mine).toEqual({ clarificationId: expect.any(String), question: 'Is anti-caking agent E536 accepted?', answer: null, askedByYou: true });
    const asBuyer = (await http(url, 'GET', `/tenders/${open.body.tenderId}`, undefined, buyerProcurement)).body;
    expect(asBuyer.clarifications).toEqual([{ clarificationId: mine.clarificationId, supplierId: stranger, question: mine.question, answer: null }]);
    expect((await http(url, 'GET', `/tenders/${open.body.tenderId}`, undefined, other)).body.clarifications).toEqual([]);
    expect((await http(url, 'POST', `/tenders/${open.body.tenderId}/clarifications`, { question: 'Ours?' }, buyerEngineer)).body).toMatchObject({
      status: 400,
      code: 'tender.buyer_cannot_bid',
    });
    const answered = await http(
      url,
      'POST',
      `/tenders/${open.body.tenderId}/clarifications/${mine.clarificationId}/answer`,
      { answer: 'Yes, up to 100 mg/kg.' },
      buyerProcurement,
    );
    expect(answered.status).toBe(200);
    expect((await http(url, 'GET', `/tenders/${open.body.tenderId}`, undefined, other)).body.clarifications).toEqual([
      { clarificationId: mine.clarificationId, question: mine.question, answer: 'Yes, up to 100 mg/kg.' },
    ]);
    expect(
      (await http(url, 'POST', `/tenders/${open.body.tenderId}/clarifications/${mine.clarificationId}/answer`, { answer: 'again' }, buyerProcurement)).body,
    ).toMatchObject({ status: 409, code: 'tender.already_answered' });

    // Anyone registered bids without an invitation; the answer went to the parties known to be interested.
    const bid = await http(url, 'POST', `/tenders/${open.body.tenderId}/bids`, { prices: [{ itemId: 'lot-1', unitPrice: '61.50' }] }, other);
    expect(bid.body).toMatchObject({ sealed: true, supplierId: supplier3 });
    const [answeredEvent] = await db.query(`SELECT parties, data FROM "${schema}".events WHERE type = 'ClarificationAnswered' AND stream_id = $1`, [
      `tender-${open.body.tenderId}`,
    ]);
    expect(answeredEvent.parties).toEqual([buyer, stranger]);
    expect(answeredEvent.data).not.toHaveProperty('supplierId');
  });

  it('serves /health and OpenAPI for every route', async () => {
    expect((await http(url, 'GET', '/health')).body).toMatchObject({ status: 'up', context: 'offers' });
    const paths = Object.keys((await http(url, 'GET', '/docs/openapi.json')).body.paths);
    for (const route of [
      '/offers',
      '/offers/{id}',
      '/offers/{id}/quote',
      '/offers/{id}/accept',
      '/offers/{id}/counter',
      '/offers/{id}/revise',
      '/offers/{id}/reject',
      '/offers/{id}/withdraw',
      '/offers/{id}/submit',
      '/offers/{id}/documents',
      '/offers/{id}/documents/{sha256}',
      '/documents',
      '/documents/{sha256}',
    ]) {
      expect(paths).toContain(route);
    }
    for (const route of [
      '/tenders',
      '/tenders/{id}',
      '/tenders/{id}/invitations',
      '/tenders/{id}/bids',
      '/tenders/{id}/close',
      '/tenders/{id}/evaluations',
      '/tenders/{id}/award',
      '/tenders/{id}/cancel',
      '/tenders/{id}/documents',
      '/tenders/{id}/documents/{sha256}',
    ]) {
      expect(paths).toContain(route);
    }
  });
});
