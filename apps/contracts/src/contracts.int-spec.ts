import { createHash, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel, Producer, SASLOptions } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { deadLetterTopic, EventEnvelope, eventsTopic, Headers, OfferAcceptedV1, TenderAwardedV1 } from '@dealledger/events';
import { applyLedgerAccess, headerString, kafkaBrokers, kafkaSasl, toKafkaMessage } from '@dealledger/messaging';
import {
  collectFromTopic,
  ContextEnvironment,
  contextEnvironment,
  eventually,
  http,
  sampleEvent,
  sealed,
  startTestApp,
  tokenFor,
  uniqueName,
} from '@dealledger/testing';
import { CONTRACTS, ContractsModule } from './contracts.module';
import { contractIdFor } from './contract/drafting';

const buyer = randomUUID();
const supplier = randomUUID();
const stranger = randomUUID();
const person = (companyId: string, roles: string[]) => ({ companyId, personId: randomUUID(), roles });
const katrin = person(buyer, ['procurement']);
const jonas = person(buyer, ['legal']);
const official = person(buyer, ['government']);
const greta = person(supplier, ['executive']);
const t = (p: ReturnType<typeof person>) => tokenFor(p);
// Small, so that one request shows the limit; read by each upload.
process.env.DOCUMENT_MAX_BYTES = '1024';
/** The offer's tiers as the contract holds them: quantities as decimal strings (version 2). */
const decimalTiers = [
  { minQuantity: '100', unitPrice: '52.00' },
  { minQuantity: '1000', unitPrice: '47.50' },
  { minQuantity: '10000', unitPrice: '41.70' },
];

/** As the offers app published it before quantities were decimal (version 1): this consumer upcasts it. */
function offerAccepted(offerId: string): EventEnvelope<OfferAcceptedV1> {
  const id = randomUUID();
  return sealed({
    id,
    type: 'OfferAccepted',
    schemaVersion: 1,
    context: 'offers',
    streamId: `offer-${offerId}`,
    streamType: 'offer',
    streamVersion: 5,
    position: 42,
    occurredAt: new Date(Date.now() - 86400000).toISOString(),
    recordedAt: new Date().toISOString(),
    parties: [supplier, buyer],
    actor: { companyId: buyer, personId: katrin.personId },
    correlationId: randomUUID(),
    causationId: null,
    data: {
      offerId,
      supplierId: supplier,
      buyerId: buyer,
      revision: 1,
      acceptedBy: katrin.personId,
      currency: 'EUR',
      total: '500400.00',
      paymentTerms: '60 days net',
      deliveryTerms: 'DAP Ingolstadt',
      validUntil: new Date(Date.now() + 86400000).toISOString(),
      items: [
        {
          sku: 'TYRE-205-55-R16',
          kind: 'component',
          description: 'Summer tyre 205/55 R16',
          unit: 'piece',
          quantity: 12000,
          unitPrice: '41.70',
          tierMinQuantity: 10000,
          lineTotal: '500400.00',
          tiers: [
            { minQuantity: 100, unitPrice: '52.00' },
            { minQuantity: 1000, unitPrice: '47.50' },
            { minQuantity: 10000, unitPrice: '41.70' },
          ],
        },
      ],
    },
  });
}

describe('contracts app: drafted from Kafka, signed and called off over HTTP (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('contracts');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let kafka: Kafka;
  let producer: Producer;
  let db: DataSource;
  let env: ContextEnvironment;
  const offersTopic = () => eventsTopic('offers', prefix);

  beforeAll(async () => {
    env = await contextEnvironment({ schema, prefix, clientId: 'contracts-test', consumes: ['offers'] });
    ({ kafka, producer, db } = env);
    ({ app, url } = await startTestApp(ContractsModule, CONTRACTS));
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  const streamEvents = async (contractId: string) =>
    (await db.query(`SELECT type FROM "${schema}".events WHERE stream_id = $1 ORDER BY stream_version`, [`contract-${contractId}`])).map(
      (r: { type: string }) => r.type,
    );

  const offerId = randomUUID();
  const contractId = contractIdFor('offer', offerId);

  it('is live at once and ready once its relay publishes and its consumer has joined its group', async () => {
    expect(await http(url, 'GET', '/health/live')).toMatchObject({ status: 200, body: { status: 'up', context: 'contracts' } });
    const ready = await eventually(
      () => http(url, 'GET', '/health/ready'),
      (r) => r.status === 200,
      60000,
    );
    expect(ready.body).toMatchObject({
      status: 'ready',
      waiting: [],
      database: 'up',
      relay: { active: true, role: 'active' },
      consumers: [{ name: `${prefix}.contracts`, joined: true, lastError: null }],
    });
  });

  it('drafts exactly one contract when the same OfferAccepted arrives twice through Kafka', async () => {
    const event = offerAccepted(offerId);
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(event), toKafkaMessage(event)] });
    await eventually(
      () => streamEvents(contractId),
      (types) => types.length >= 1,
    );
    // And once more, later: a redelivery after it was handled.
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(event)] });
    const found = await eventually(
      () => http(url, 'GET', `/contracts?origin=offer:${offerId}`, undefined, t(katrin)),
      (r) => r.body.length === 1,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await streamEvents(contractId)).toEqual(['ContractDrafted']);
    expect(found.body[0]).toMatchObject({
      contractId,
      status: 'drafting',
      origin: { kind: 'offer', id: offerId, eventId: event.id },
      terms: { buyerId: buyer, supplierId: supplier, currency: 'EUR', items: [{ sku: 'TYRE-205-55-R16', committedVolume: '12000', tiers: decimalTiers }] },
      awaitingSignatures: [
        { companyId: buyer, role: 'procurement' },
        { companyId: buyer, role: 'legal' },
        { companyId: supplier, role: 'executive' },
      ],
    });
    expect((await http(url, 'GET', `/contracts?origin=offer:${offerId}`, undefined, t(person(stranger, [])))).body).toEqual([]);
    expect((await http(url, 'GET', `/contracts/${contractId}`, undefined, t(person(stranger, [])))).body).toMatchObject({
      status: 404,
      code: 'contract.not_found',
    });
    expect((await http(url, 'GET', '/contracts?origin=nonsense', undefined, t(katrin))).status).toBe(400);
  });

  it('binds signatures to the exact terms: an amendment voids them, execution follows the last one', async () => {
    const get = async () => (await http(url, 'GET', `/contracts/${contractId}`, undefined, t(katrin))).body;
    const sign = (who: ReturnType<typeof person>, role: string, termsHash: string) =>
      http(url, 'POST', `/contracts/${contractId}/signatures`, { role, termsHash }, t(who));

    const v1 = (await get()).termsHash;
    expect((await sign(katrin, 'procurement', v1)).status).toBe(200);
    expect((await sign(katrin, 'procurement', v1)).body).toMatchObject({ status: 409, code: 'contract.already_signed' });
    expect((await sign(katrin, 'legal', v1)).body).toMatchObject({ status: 403, code: 'contract.role_not_held' });
    expect(
      (await http(url, 'POST', `/contracts/${contractId}/signatures`, { role: 'executive', termsHash: v1, companyId: buyer }, t(greta))).body,
    ).toMatchObject({ status: 403, code: 'contract.not_your_company' });

    const amended = await http(
      url,
      'POST',
      `/contracts/${contractId}/amendments`,
      { ceilings: [{ sku: 'TYRE-205-55-R16', ceiling: 20000 }], note: 'cap at 20k' },
      t(greta),
    );
    expect(amended.body).toMatchObject({ status: 'drafting', termsVersion: 2, signatures: [] });
    const v2 = amended.body.termsHash;
    expect(v2).not.toBe(v1);
    expect((await sign(jonas, 'legal', v1)).body).toMatchObject({ status: 409, code: 'contract.terms_changed' });

    await sign(katrin, 'procurement', v2);
    await sign(jonas, 'legal', v2);
    const last = await sign(greta, 'executive', v2);
    expect(last.body).toMatchObject({ status: 'executed', termsVersion: 2 });

    const seen = await collectFromTopic(kafka, eventsTopic('contracts', prefix), (s) =>
      s.some((m) => headerString(m.message.headers, Headers.eventType) === 'ContractExecuted'),
    );
    const executed = seen
      .filter((m) => headerString(m.message.headers, Headers.eventType) === 'ContractExecuted')
      .map((m) => JSON.parse(m.message.value!.toString()));
    expect(executed).toHaveLength(1);
    expect(executed[0]).toMatchObject({
      schemaVersion: 3,
      parties: [buyer, supplier],
      data: { contractId, termsHash: v2, contractValue: '500400.00', signatures: [{ role: 'procurement' }, { role: 'legal' }, { role: 'executive' }] },
    });
    expect(executed[0].data.terms.items).toEqual([expect.objectContaining({ committedVolume: '12000', ceiling: '20000', tiers: decimalTiers })]);
    expect(await streamEvents(contractId)).toEqual([
      'ContractDrafted',
      'ContractSigned',
      'ContractAmended',
      'ContractSigned',
      'ContractSigned',
      'ContractSigned',
      'ContractExecuted',
    ]);

    // The amendment as each party reads it: what changed, before and after; no one else sees it.
    const amendments = await http(url, 'GET', `/contracts/${contractId}/amendments`, undefined, t(katrin));
    expect(amendments.status).toBe(200);
    expect(amendments.body.items).toHaveLength(1);
    expect(amendments.body.items[0]).toMatchObject({
      termsVersion: 2,
      termsHash: v2,
      amendedByCompany: supplier,
      note: 'cap at 20k',
      voidedSignatures: [{ companyId: buyer, role: 'procurement' }],
    });
    expect(amendments.body.items[0].changes).toEqual([{ term: 'ceiling:TYRE-205-55-R16', before: null, after: '20000' }]);
    expect((await http(url, 'GET', `/contracts/${contractId}/amendments`, undefined, t(person(stranger, [])))).body).toMatchObject({ status: 404 });
  });

  it('makes attached documents part of the terms: attaching one voids the signatures, and only the parties download it', async () => {
    const accepted = offerAccepted(randomUUID());
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(accepted)] });
    const id = contractIdFor('offer', accepted.data.offerId);
    const drafted = await eventually(
      () => http(url, 'GET', `/contracts/${id}`, undefined, t(katrin)),
      (r) => r.status === 200,
    );
    expect(drafted.body.terms.documents).toEqual([]);
    const v1 = drafted.body.termsHash;
    expect((await http(url, 'POST', `/contracts/${id}/signatures`, { role: 'procurement', termsHash: v1 }, t(katrin))).status).toBe(200);
    const upload = (bytes: Buffer, who: ReturnType<typeof person>, type = 'application/pdf') =>
      fetch(`${url}/documents`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${t(who)}` }, body: new Uint8Array(bytes) });
    const uploadedHash = async (bytes: Buffer, who: ReturnType<typeof person>) => {
      const r = await upload(bytes, who);
      expect(r.status).toBe(201);
      return ((await r.json()) as { sha256: string }).sha256;
    };
    const download = (sha256: string, who: ReturnType<typeof person>) =>
      fetch(`${url}/contracts/${id}/documents/${sha256}`, { headers: { authorization: `Bearer ${t(who)}` } });
    const amend = (documents: { sha256: string; name: string }[], who: ReturnType<typeof person>) =>
      http(url, 'POST', `/contracts/${id}/amendments`, { documents, note: 'documents' }, t(who));

    // The supplier uploads its specification and attaches it: new terms, the buyer's signature void.
    const spec = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% tyre specification\n%%EOF\n');
    const sha256 = await uploadedHash(spec, greta);
    expect(sha256).toBe(createHash('sha256').update(spec).digest('hex'));
    const attached = { name: 'Tyre specification.pdf', sha256, size: spec.length, mediaType: 'application/pdf' };
    const amended = await amend([{ sha256, name: attached.name }], greta);
    expect(amended.body).toMatchObject({ status: 'drafting', termsVersion: 2, signatures: [], terms: { documents: [attached] } });
    const v2 = amended.body.termsHash;
    expect(v2).not.toBe(v1);
    expect((await http(url, 'POST', `/contracts/${id}/signatures`, { role: 'legal', termsHash: v1 }, t(jonas))).body).toMatchObject({
      status: 409,
      code: 'contract.terms_changed',
    });
    expect((await http(url, 'GET', `/contracts/${id}/amendments`, undefined, t(katrin))).body.items[0]).toMatchObject({
      changes: [{ term: 'documents', before: [], after: [attached] }],
      voidedSignatures: [{ companyId: buyer, role: 'procurement' }],
    });

    // The buyer downloads it through the contract: the exact bytes, as a download; nobody else does.
    const got = await download(sha256, katrin);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toContain('attachment');
    expect(Buffer.from(await got.arrayBuffer()).equals(spec)).toBe(true);
    expect((await http(url, 'GET', `/contracts/${id}/documents/${sha256}`, undefined, t(person(stranger, ['executive'])))).body).toMatchObject({
      status: 404,
      code: 'contract.not_found',
    });
    expect((await http(url, 'GET', `/contracts/${id}/documents/${'ab'.repeat(32)}`, undefined, t(katrin))).body).toMatchObject({
      status: 404,
      code: 'document.not_found',
    });
    expect((await http(url, 'GET', `/contracts/${id}/documents/not-a-hash`, undefined, t(katrin))).status).toBe(400);

    // The buyer cannot attach what only the supplier uploaded, unless the terms already attach it.
    const certificate = await uploadedHash(Buffer.from('%PDF-1.7\n% material certificate\n%%EOF\n'), greta);
    const foreign = await amend(
      [
        { sha256, name: attached.name },
        { sha256: certificate, name: 'Certificate.pdf' },
      ],
      katrin,
    );
    expect(foreign).toMatchObject({ status: 404, type: expect.stringContaining('application/problem+json') });
    expect(foreign.body.code).toBe('document.not_found');
    const drawing = Buffer.from('%PDF-1.7\n% rim drawing\n%%EOF\n');
    const ownHash = await uploadedHash(drawing, katrin);
    const both = await amend(
      [
        { sha256, name: attached.name },
        { sha256: ownHash, name: 'Drawing.pdf' },
      ],
      katrin,
    );
    expect(both.body.terms.documents).toEqual([attached, { name: 'Drawing.pdf', sha256: ownHash, size: drawing.length, mediaType: 'application/pdf' }]);
    // The supplier sees the buyer's drawing through the contract only, not as an upload of its own.
    expect((await download(ownHash, greta)).status).toBe(200);
    expect((await http(url, 'GET', `/documents/${ownHash}`, undefined, t(greta))).status).toBe(404);
    // Detached again: still there for the parties, as an earlier version of the terms carried it.
    expect((await amend([{ sha256, name: attached.name }], greta)).body.terms.documents).toEqual([attached]);
    expect((await download(ownHash, greta)).status).toBe(200);

    // Content that is not what its type says, and a body over DOCUMENT_MAX_BYTES.
    expect((await upload(Buffer.from('<html>not a pdf</html>'), greta)).status).toBe(415);
    const tooLarge = await upload(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1024, 0x20)]), greta);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ code: 'document.too_large' });
  });

  it('prices a call-off sequence at the tier of the cumulative volume, up to the ceiling', async () => {
    const callOff = (quantity: unknown) =>
      http(url, 'POST', `/contracts/${contractId}/call-offs`, { lines: [{ sku: 'TYRE-205-55-R16', quantity }] }, t(katrin));
    const prices: unknown[][] = [];
    // A whole JSON number (as clients sent before) and decimal strings alike.
    for (const q of [600, '600', '9000.0']) {
      const r = await callOff(q);
      expect(r.status).toBe(201);
      prices.push([r.body.lines[0].quantity, r.body.lines[0].cumulativeQuantity, r.body.lines[0].unitPrice, r.body.lines[0].lineTotal]);
    }
    expect(prices).toEqual([
      ['600', '600', '52.00', '31200.00'],
      ['600', '1200', '47.50', '28500.00'],
      ['9000', '10200', '41.70', '375300.00'],
    ]);
    expect((await callOff(9801)).body).toMatchObject({ status: 409, code: 'contract.ceiling_exceeded' });
    // Up to the ceiling of 20000 to the last 0.0001; 9799.75 x 41.70 = 408649.575 exactly (4 decimals: nothing to round).
    const fraction = await callOff('9799.75');
    expect(fraction.status).toBe(201);
    expect(fraction.body).toMatchObject({
      lines: [{ quantity: '9799.75', cumulativeQuantity: '19999.75', tierMinQuantity: '10000', unitPrice: '41.70', lineTotal: '408649.575' }],
      total: '408649.575',
      calledOff: { 'TYRE-205-55-R16': '19999.75' },
    });
    expect((await callOff('0.2501')).body).toMatchObject({ status: 409, code: 'contract.ceiling_exceeded' });
    for (const bad of [2.5, 1e21, '1e3', '0', '0.00001', 'many', null]) {
      const refused = await callOff(bad);
      expect([bad, refused.status, refused.type]).toEqual([bad, 400, expect.stringContaining('application/problem+json')]);
      expect(refused.body.errors).toEqual([expect.stringContaining('quantity must be a quantity above zero')]);
    }
    expect((await http(url, 'GET', `/contracts/${contractId}`, undefined, t(katrin))).body.calledOff).toEqual({ 'TYRE-205-55-R16': '19999.75' });
    expect((await http(url, 'POST', `/contracts/${contractId}/call-offs`, { lines: [{ sku: 'TYRE-205-55-R16', quantity: 10 }] }, t(jonas))).body.code).toBe(
      'contract.procurement_role_required',
    );
    expect((await http(url, 'POST', `/contracts/${contractId}/call-offs`, { lines: [{ sku: 'TYRE-205-55-R16', quantity: -3 }] }, t(katrin))).status).toBe(400);
  });

  it('requires a government signatory on a contract from a public tender', async () => {
    const tenderId = randomUUID();
    const { hash: _h, previousHash: _p, ...base } = offerAccepted(tenderId);
    const awarded: EventEnvelope<TenderAwardedV1> = sealed({
      ...base,
      id: randomUUID(),
      type: 'TenderAwarded',
      streamId: `tender-${tenderId}`,
      streamType: 'tender',
      data: {
        tenderId,
        buyerId: buyer,
        supplierId: supplier,
        title: 'Bus batteries',
        bidId: randomUUID(),
        awardedBy: katrin.personId,
        publicProcurement: true,
        currency: 'EUR',
        items: [
          { itemId: 'lot-1', description: 'Battery pack', quantity: 24, unit: 'pack', specification: 'LFP', unitPrice: '118500.00', lineTotal: '2844000.00' },
        ],
        total: '2844000.00',
        weightedScore: 8.99,
        ranking: [],
      },
    });
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(awarded)] });
    const id = contractIdFor('tender', tenderId);
    const c = await eventually(
      () => http(url, 'GET', `/contracts/${id}`, undefined, t(official)),
      (r) => r.status === 200,
    );
    expect(c.body.awaitingSignatures).toContainEqual({ companyId: buyer, role: 'government' });
    for (const [who, role] of [
      [katrin, 'procurement'],
      [jonas, 'legal'],
      [greta, 'executive'],
    ] as const) {
      await http(url, 'POST', `/contracts/${id}/signatures`, { role, termsHash: c.body.termsHash }, t(who));
    }
    expect((await http(url, 'GET', `/contracts/${id}`, undefined, t(official))).body.status).toBe('drafting');
    const last = await http(url, 'POST', `/contracts/${id}/signatures`, { role: 'government', termsHash: c.body.termsHash }, t(official));
    expect(last.body.status).toBe('executed');
  });

  it('drafts from a provisional award only once it is final (AwardFinalised after the standstill), once', async () => {
    const tenderId = randomUUID();
    const { hash: _h, previousHash: _p, ...base } = offerAccepted(tenderId);
    const award = {
      tenderId,
      buyerId: buyer,
      supplierId: supplier,
      title: 'Bus batteries',
      bidId: randomUUID(),
      awardedBy: katrin.personId,
      publicProcurement: false,
      currency: 'EUR',
      items: [
        { itemId: 'lot-1', description: 'Battery pack', quantity: '24', unit: 'pack', specification: 'LFP', unitPrice: '118500.00', lineTotal: '2844000.00' },
      ],
      total: '2844000.00',
      weightedScore: 8.99,
      ranking: [],
    };
    const standstillUntil = new Date(Date.now() + 10 * 86400000).toISOString();
    const event = (type: string, streamVersion: number, data: Record<string, unknown>): EventEnvelope =>
      sealed({
        ...base,
        id: randomUUID(),
        type,
        schemaVersion: type === 'TenderAwarded' ? 3 : 1,
        streamId: `tender-${tenderId}`,
        streamType: 'tender',
        streamVersion,
        data,
      });
    const provisional = event('TenderAwarded', 7, { ...award, standstillUntil });
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(provisional)] });
    // Handled (recorded in the inbox) without drafting anything.
    await eventually(
      async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".inbox WHERE event_id = $1`, [provisional.id]))[0].n,
      (n) => n === 1,
    );
    const id = contractIdFor('tender', tenderId);
    expect((await http(url, 'GET', `/contracts/${id}`, undefined, t(katrin))).status).toBe(404);

    const finalised = event('AwardFinalised', 9, { ...award, standstillUntil });
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(finalised), toKafkaMessage(finalised)] });
    const c = await eventually(
      () => http(url, 'GET', `/contracts/${id}`, undefined, t(katrin)),
      (r) => r.status === 200,
    );
    expect(c.body).toMatchObject({ status: 'drafting', origin: { kind: 'tender', id: tenderId, eventId: finalised.id } });
    const drafted = await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE stream_id = $1`, [`contract-${id}`]);
    expect(drafted[0].n).toBe(1);
  });

  it('drafts one contract per awarded lot of a tender in lots, each with its lot and winner, found by tender and lot', async () => {
    const tenderId = randomUUID();
    const otherSupplier = randomUUID();
    const { hash: _h, previousHash: _p, ...base } = offerAccepted(tenderId);
    const item = (itemId: string, unitPrice: string, lineTotal: string) => ({
      itemId,
      description: itemId,
      quantity: '24',
      unit: 'pack',
      specification: 'LFP',
      unitPrice,
      lineTotal,
    });
    const lotAward = (lotId: string, supplierId: string, items: ReturnType<typeof item>[], total: string, lotsToAward: number) => ({
      tenderId,
      buyerId: buyer,
      supplierId,
      title: 'Bus batteries and chargers',
      bidId: randomUUID(),
      awardedBy: katrin.personId,
      publicProcurement: false,
      currency: 'EUR',
      items,
      total,
      weightedScore: 8.5,
      ranking: [],
      standstillUntil: null,
      lotId,
      lotsToAward,
      winningBidIds: [],
    });
    const event = (streamVersion: number, data: Record<string, unknown>): EventEnvelope =>
      sealed({ ...base, id: randomUUID(), type: 'TenderAwarded', schemaVersion: 4, streamId: `tender-${tenderId}`, streamType: 'tender', streamVersion, data });
    const packs = event(9, lotAward('packs', supplier, [item('pack', '118500.00', '2844000.00')], '2844000.00', 1));
    const chargers = event(10, lotAward('chargers', otherSupplier, [item('charger', '9000.00', '216000.00')], '216000.00', 0));
    // Each twice: a redelivered lot award drafts nothing more.
    await producer.send({ topic: offersTopic(), messages: [packs, chargers, packs, chargers].map(toKafkaMessage) });
    const lookUp = (lot: string) =>
      eventually(
        () => http(url, 'GET', `/contracts?origin=tender:${tenderId}:lot:${lot}`, undefined, t(katrin)),
        (r) => r.status === 200 && r.body.length === 1,
      );
    const [a] = (await lookUp('packs')).body;
    const [b] = (await lookUp('chargers')).body;
    expect(a.contractId).not.toBe(b.contractId);
    expect(a).toMatchObject({ origin: { kind: 'tender', id: tenderId, eventId: packs.id }, terms: { supplierId: supplier, items: [{ sku: 'pack' }] } });
    expect(b).toMatchObject({
      origin: { kind: 'tender', id: tenderId, eventId: chargers.id },
      terms: { supplierId: otherSupplier, items: [{ sku: 'charger' }] },
    });
    expect(a.terms.items).toHaveLength(1);
    expect(b.terms.items).toHaveLength(1);
    // The tender as a whole drafted nothing of its own.
    expect((await http(url, 'GET', `/contracts?origin=tender:${tenderId}`, undefined, t(katrin))).body).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    const drafted = await db.query(`SELECT stream_id, count(*)::int AS n FROM "${schema}".events WHERE stream_id = ANY($1) GROUP BY stream_id`, [
      [`contract-${a.contractId}`, `contract-${b.contractId}`],
    ]);
    expect(drafted.map((r: { n: number }) => r.n)).toEqual([1, 1]);
    expect((await http(url, 'GET', `/contracts?origin=tender:${tenderId}:lot:bad/lot`, undefined, t(katrin))).body).toMatchObject({ status: 400 });
  });

  it('names as intermediary only a company registered in the directory (learned from its topic), which must then sign', async () => {
    const accepted = offerAccepted(randomUUID());
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(accepted)] });
    const id = contractIdFor('offer', accepted.data.offerId);
    await eventually(
      () => streamEvents(id),
      (types) => types.length === 1,
    );
    const dealer = randomUUID();
    const amend = () => http(url, 'POST', `/contracts/${id}/amendments`, { intermediaryId: dealer, note: 'through a dealer' }, t(greta));
    expect((await amend()).body).toMatchObject({ status: 400, code: 'contract.unknown_intermediary' });
    await producer.send({
      topic: eventsTopic('directory', prefix),
      messages: [
        toKafkaMessage(
          sampleEvent('CompanyRegistered', { companyId: dealer, name: 'EuroParts BV', registrationNumber: 'KVK 1', country: 'NL', roles: ['intermediary'] }, [
            dealer,
          ]),
        ),
      ],
    });
    const named = await eventually(amend, (r) => r.status === 200);
    expect(named.body.awaitingSignatures).toContainEqual({ companyId: dealer, role: 'executive' });
  });

  it('dead-letters an OfferAccepted that fails its schema, and goes on', async () => {
    const bad = offerAccepted(randomUUID());
    (bad.data as any).items[0].unitPrice = 'forty-one';
    const good = offerAccepted(randomUUID());
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(bad), toKafkaMessage(good)] });
    await eventually(
      () => streamEvents(contractIdFor('offer', good.data.offerId)),
      (types) => types.length === 1,
    );
    const dead = await collectFromTopic(kafka, deadLetterTopic(offersTopic()), (s) =>
      s.some((d) => headerString(d.message.headers, Headers.eventId) === bad.id),
    );
    expect(headerString(dead.find((d) => headerString(d.message.headers, Headers.eventId) === bad.id)!.message.headers, Headers.dlqReason)).toMatch(
      /^schema: OfferAccepted v1: .*unitPrice/,
    );
    expect(await streamEvents(contractIdFor('offer', bad.data.offerId))).toEqual([]);
  });

  it('is not pre-empted by a forged acceptance of an open offer: the broker refuses its writer, a tampered copy is dead-lettered, the genuine one drafts', async () => {
    await applyLedgerAccess(kafka, prefix);
    const genuine = offerAccepted(randomUUID());
    // The attack: the same offer accepted first on the forger's terms, 1,000,000 units at 0.01,
    // even under the genuine event's id (as a replayed, altered copy would be).
    const forgedItem = { ...genuine.data.items[0], quantity: 1000000, unitPrice: '0.01', tierMinQuantity: 100, lineTotal: '10000.00' };
    const forged: EventEnvelope<OfferAcceptedV1> = { ...genuine, data: { ...genuine.data, total: '10000.00', items: [forgedItem] } };
    const send = async (sasl: SASLOptions | undefined, event: EventEnvelope) => {
      const client = new Kafka({ clientId: 'forger', brokers: kafkaBrokers(), sasl, logLevel: logLevel.NOTHING, retry: { retries: 1 } });
      const forger = client.producer({ allowAutoTopicCreation: false, retry: { retries: 1 } });
      try {
        await forger.connect();
        await forger.send({ topic: offersTopic(), acks: -1, messages: [toKafkaMessage(event)] });
        return 'sent';
      } catch (err) {
        return (
          (err as { type?: string; cause?: { type?: string }; name: string }).type ?? (err as { cause?: { type?: string } }).cause?.type ?? (err as Error).name
        );
      } finally {
        await forger.disconnect().catch(() => undefined);
      }
    };
    // Without credentials, or as another app (here resale): the broker refuses the write.
    expect(await send(undefined, forged)).not.toBe('sent');
    expect(await send(kafkaSasl('resale'), forged)).toBe('TOPIC_AUTHORIZATION_FAILED');
    // On the topic anyway (an operator's mistake, a replayed tampered copy): its hash is not its own.
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(forged)] });
    const isForged = (d: { message: { value: Buffer | null } }) => JSON.parse(d.message.value!.toString()).data.total === '10000.00';
    const dead = await collectFromTopic(kafka, deadLetterTopic(offersTopic()), (seen) => seen.some(isForged));
    expect(headerString(dead.find(isForged)!.message.headers, Headers.dlqReason)).toBe(
      'chain: the hash is not that of this event and its previous hash (altered or forged)',
    );
    // The genuine acceptance, after the forged one, drafts the contract on the genuine terms.
    await producer.send({ topic: offersTopic(), messages: [toKafkaMessage(genuine)] });
    const drafted = await eventually(
      () => http(url, 'GET', `/contracts?origin=offer:${genuine.data.offerId}`, undefined, t(katrin)),
      (r) => r.body.length === 1,
    );
    expect(drafted.body[0]).toMatchObject({
      origin: { eventId: genuine.id },
      terms: { items: [{ committedVolume: '12000', tiers: decimalTiers }] },
    });
  });
});
