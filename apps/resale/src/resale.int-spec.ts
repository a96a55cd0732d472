import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { lineTotal, percentOf, subtractQuantities, sum, sumQuantities } from '@dealledger/domain';
import { EventEnvelope, eventsTopic, Headers } from '@dealledger/events';
import { headerString, toKafkaMessage } from '@dealledger/messaging';
import { collectFromTopic, ContextEnvironment, contextEnvironment, eventually, http, sealed, startTestApp, tokenFor, uniqueName } from '@dealledger/testing';
import { RESALE, ResaleModule } from './resale.module';

const maker = randomUUID();
const distA = randomUUID();
const distB = randomUUID();
const distC = randomUUID();
const manufacturer = randomUUID();
const contractId = randomUUID();
const callOffId = randomUUID();
/** The delivery on which distA received and accepted the whole call-off. */
const deliveryId = randomUUID();
const t = (companyId: string) => tokenFor({ companyId, personId: randomUUID(), roles: ['procurement'] });

/** As the contracts app published them before quantities were decimal (version 1, integers): this consumer upcasts them. */
function envelope<T>(type: string, streamId: string, data: T): EventEnvelope<T> {
  return sealed({
    id: randomUUID(),
    type,
    schemaVersion: 1,
    context: 'contracts',
    streamId,
    streamType: 'contract',
    streamVersion: 1,
    position: 1,
    occurredAt: new Date().toISOString(),
    recordedAt: new Date().toISOString(),
    parties: [distA, maker],
    actor: null,
    correlationId: randomUUID(),
    causationId: null,
    data,
  });
}
/** A fulfilment event as the fulfilment app publishes it (version 1), on the call-off's stream. */
function fulfilmentEvent(type: string, callOff: string, streamVersion: number, data: Record<string, unknown>): EventEnvelope {
  const now = new Date().toISOString();
  return sealed({
    id: randomUUID(),
    type,
    schemaVersion: 1,
    context: 'fulfilment',
    streamId: `fulfilment-${callOff}`,
    streamType: 'fulfilment',
    streamVersion,
    position: streamVersion,
    occurredAt: now,
    recordedAt: now,
    parties: [distA, maker],
    actor: null,
    correlationId: randomUUID(),
    causationId: null,
    data: { callOffId: callOff, contractId, buyerId: distA, supplierId: maker, ...data },
  });
}
/** distA received `dispatched` modules on the delivery and accepted `accepted` of them. */
function goodsReceived(callOff: string, delivery: string, dispatched: string, accepted: string): EventEnvelope {
  const rejected = subtractQuantities(dispatched, accepted);
  const now = new Date().toISOString();
  return fulfilmentEvent('GoodsReceived', callOff, 2, {
    deliveryId: delivery,
    lines: [{ sku: 'NMC-MOD-48V', unit: 'H87', dispatched, received: dispatched, accepted, rejected, reason: rejected === '0' ? null : 'dented casing' }],
    receivedBy: randomUUID(),
    receivedAt: now,
    expectedArrival: now,
    onTime: true,
    ticket: null,
    documents: [],
  });
}
/** The maker invoiced the modules at `unitPrice`, matched (at or below the contract's price, within what was accepted). */
function invoiceIssued(callOff: string, invoiceId: string, streamVersion: number, quantity: string, unitPrice: string): EventEnvelope {
  const net = lineTotal(quantity, unitPrice);
  const vat = percentOf(net, '19');
  return fulfilmentEvent('InvoiceIssued', callOff, streamVersion, {
    invoiceId,
    number: `INV-${streamVersion}`,
    currency: 'EUR',
    lines: [
      {
        sku: 'NMC-MOD-48V',
        unit: 'H87',
        quantity,
        unitPrice,
        vatRate: '19',
        net,
        vat,
        contractUnitPrice: '1095.00',
        acceptedNotInvoiced: quantity,
        match: 'matched',
        issues: [],
        difference: '0.00',
      },
    ],
    net,
    vat,
    gross: sum([net, vat]),
    status: 'matched',
    disputedAmount: '0.00',
    issuedBy: randomUUID(),
    issuedAt: new Date().toISOString(),
    dueDate: new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10),
    dueDateFrom: 'contract',
    earlyPayment: null,
  });
}
const terms = {
  buyerId: distA,
  supplierId: maker,
  intermediaryId: null,
  currency: 'EUR',
  items: [
    {
      sku: 'NMC-MOD-48V',
      description: '48 V battery module',
      unit: 'piece',
      tiers: [{ minQuantity: 1, unitPrice: '1095.00' }],
      committedVolume: 800,
      ceiling: null,
    },
  ],
  startDate: new Date(Date.now() - 86400000).toISOString(),
  endDate: new Date(Date.now() + 300 * 86400000).toISOString(),
  sla: [],
  governingLaw: 'x',
  paymentTerms: 'x',
  deliveryTerms: 'x',
  requiredSignatures: [{ companyId: distA, role: 'procurement' }],
};

describe('resale app: lots, resales and provenance (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('resale');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let kafka: Kafka;
  let producer: Producer;
  let db: DataSource;
  let env: ContextEnvironment;

  beforeAll(async () => {
    env = await contextEnvironment({ schema, prefix, clientId: 'resale-test', consumes: ['contracts', 'fulfilment'] });
    ({ kafka, producer, db } = env);
    ({ app, url } = await startTestApp(ResaleModule, RESALE));
    const stream = `contract-${contractId}`;
    await producer.send({
      topic: eventsTopic('contracts', prefix),
      messages: [
        toKafkaMessage(
          envelope('ContractExecuted', stream, {
            contractId,
            buyerId: distA,
            supplierId: maker,
            intermediaryId: null,
            origin: { kind: 'offer', id: randomUUID(), eventId: randomUUID() },
            terms,
            termsVersion: 1,
            termsHash: 'ef'.repeat(32),
            signatures: [],
            contractValue: '876000.00',
            executedAt: new Date().toISOString(),
          }),
        ),
        toKafkaMessage(
          envelope('CallOffPlaced', stream, {
            contractId,
            buyerId: distA,
            supplierId: maker,
            callOffId,
            placedBy: null,
            lines: [{ sku: 'NMC-MOD-48V', quantity: 800, unitPrice: '1095.00', tierMinQuantity: 1, lineTotal: '876000.00', cumulativeQuantity: 800 }],
            total: '876000.00',
            currency: 'EUR',
            placedAt: new Date().toISOString(),
          }),
        ),
      ],
    });
    // The goods arrived and passed inspection: only then is there a lot to record.
    await producer.send({ topic: eventsTopic('fulfilment', prefix), messages: [toKafkaMessage(goodsReceived(callOffId, deliveryId, '800', '800'))] });
    await eventually(
      async () => (await db.query(`SELECT count(*) AS n FROM "${schema}".supply_call_offs`).catch(() => [{ n: 0 }]))[0].n,
      (n) => Number(n) === 1,
    );
    await eventually(
      async () => (await db.query(`SELECT count(*) AS n FROM "${schema}".supply_receipts`).catch(() => [{ n: 0 }]))[0].n,
      (n) => Number(n) === 1,
    );
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  const lotBody = (over: Record<string, unknown> = {}) => ({
    source: { kind: 'contract', contractId, callOffId, deliveryId },
    sku: 'NMC-MOD-48V',
    quantity: 800,
    unitCost: '1095.00',
    currency: 'EUR',
    ...over,
  });
  let lotA: string;

  it('records a lot only from a known source it is the buyer of', async () => {
    expect((await http(url, 'POST', '/lots', lotBody({ source: { kind: 'contract', contractId: randomUUID() } }), t(distA))).body).toMatchObject({
      status: 404,
      code: 'lot.source_not_found',
    });
    expect((await http(url, 'POST', '/lots', lotBody(), t(distB))).body).toMatchObject({ status: 403, code: 'lot.not_contract_buyer' });
    expect((await http(url, 'POST', '/lots', lotBody({ source: { kind: 'contract', contractId, callOffId: randomUUID() } }), t(distA))).body.code).toBe(
      'lot.call_off_not_found',
    );
    expect((await http(url, 'POST', '/lots', { source: { kind: 'resale' } }, t(distA))).status).toBe(400);
    // What the call-off delivered, at its price: not a billion units at 1.00.
    expect((await http(url, 'POST', '/lots', lotBody({ quantity: 1_000_000_000, unitCost: '1.00' }), t(distA))).body).toMatchObject({
      status: 400,
      code: 'lot.more_than_called_off',
    });
    expect((await http(url, 'POST', '/lots', lotBody({ unitCost: '1.00' }), t(distA))).body).toMatchObject({
      status: 400,
      code: 'lot.unit_cost_not_call_off_price',
    });
    expect((await http(url, 'POST', '/lots', lotBody({ source: { kind: 'contract', contractId } }), t(distA))).body).toMatchObject({
      status: 400,
      code: 'lot.call_off_required',
    });
    // Received goods only: the delivery is named, and it must be one fulfilment reported received.
    const noDelivery = await http(url, 'POST', '/lots', lotBody({ source: { kind: 'contract', contractId, callOffId } }), t(distA));
    expect(noDelivery).toMatchObject({ status: 400, body: { status: 400, code: 'lot.delivery_required' } });
    expect(noDelivery.type).toContain('application/problem+json');
    expect(
      (await http(url, 'POST', '/lots', lotBody({ source: { kind: 'contract', contractId, callOffId, deliveryId: randomUUID() } }), t(distA))).body,
    ).toMatchObject({ status: 404, code: 'lot.delivery_not_found' });
    const recorded = await http(url, 'POST', '/lots', lotBody(), t(distA));
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ ownerId: distA, sellerId: maker, originSupplierId: maker, quantity: '800', remaining: '800' });
    expect(recorded.body.source).toMatchObject({ kind: 'contract', callOffId, deliveryId });
    lotA = recorded.body.lotId;
    // One delivery line becomes a lot once.
    expect((await http(url, 'POST', '/lots', lotBody({ quantity: 1 }), t(distA))).body).toMatchObject({ status: 409, code: 'lot.already_recorded' });
    expect((await http(url, 'GET', `/lots/${lotA}`, undefined, t(distB))).status).toBe(404);
  });

  it('holds no more than the delivery line accepted, at the matched invoice price, and one lot per delivery line', async () => {
    // A second call-off: 500 delivered, 490 accepted; invoiced at 1050.00 (withdrawn), then at 1080.00.
    const [callOff2, delivery2, withdrawnInvoice, invoice] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await producer.send({
      topic: eventsTopic('contracts', prefix),
      messages: [
        toKafkaMessage(
          envelope('CallOffPlaced', `contract-${contractId}`, {
            contractId,
            buyerId: distA,
            supplierId: maker,
            callOffId: callOff2,
            placedBy: null,
            lines: [{ sku: 'NMC-MOD-48V', quantity: 500, unitPrice: '1095.00', tierMinQuantity: 1, lineTotal: '547500.00', cumulativeQuantity: 1300 }],
            total: '547500.00',
            currency: 'EUR',
            placedAt: new Date().toISOString(),
          }),
        ),
      ],
    });
    await producer.send({
      topic: eventsTopic('fulfilment', prefix),
      messages: [
        toKafkaMessage(goodsReceived(callOff2, delivery2, '500', '490')),
        toKafkaMessage(invoiceIssued(callOff2, withdrawnInvoice, 3, '490', '1050.00')),
        toKafkaMessage(fulfilmentEvent('InvoiceWithdrawn', callOff2, 4, { invoiceId: withdrawnInvoice, withdrawnBy: randomUUID(), reason: 'wrong price' })),
        toKafkaMessage(invoiceIssued(callOff2, invoice, 5, '490', '1080.00')),
      ],
    });
    await eventually(
      () => db.query(`SELECT invoice_id, unit_price FROM "${schema}".supply_invoice_prices WHERE call_off_id = $1`, [callOff2]),
      (rows: { invoice_id: string; unit_price: string }[]) => rows.length === 1 && rows[0].invoice_id === invoice,
    );
    await eventually(
      async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".supply_call_offs WHERE call_off_id = $1`, [callOff2]))[0].n,
      (n) => n === 1,
    );
    const body = (over: Record<string, unknown> = {}) => ({
      source: { kind: 'contract', contractId, callOffId: callOff2, deliveryId: delivery2 },
      sku: 'NMC-MOD-48V',
      quantity: '490',
      ...over,
    });
    const lotsRecorded = async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE type = 'LotRecorded'`))[0].n as number;
    const before = await lotsRecorded();

    // 500 arrived, 10 failed inspection: a lot of 491 (or the 500 called off) is refused, and nothing is written.
    for (const quantity of ['491', '500', '490.0001']) {
      const refused = await http(url, 'POST', '/lots', body({ quantity }), t(distA));
      expect(refused).toMatchObject({ status: 400, body: { status: 400, code: 'lot.more_than_received' } });
      expect(refused.type).toContain('application/problem+json');
    }
    // Once an invoice is matched, the call-off line's price is not the lot's cost.
    expect((await http(url, 'POST', '/lots', body({ unitCost: '1095.00' }), t(distA))).body).toMatchObject({
      status: 400,
      code: 'lot.unit_cost_not_call_off_price',
    });
    expect(await lotsRecorded()).toBe(before);

    const lot = await http(url, 'POST', '/lots', body(), t(distA));
    expect(lot.status).toBe(201);
    expect(lot.body).toMatchObject({ quantity: '490', remaining: '490', unitCost: '1080.00', source: { callOffId: callOff2, deliveryId: delivery2 } });
    // The same delivery line again, even for what is "left" of it: already recorded, nothing written.
    const again = await http(url, 'POST', '/lots', body({ quantity: '1' }), t(distA));
    expect(again).toMatchObject({ status: 409, body: { status: 409, code: 'lot.already_recorded' } });
    expect(again.type).toContain('application/problem+json');
    expect(await lotsRecorded()).toBe(before + 1);
  });

  it('follows goods through three intermediaries back to the maker, showing each hop’s prices only to its parties', async () => {
    const r1 = await http(url, 'POST', `/lots/${lotA}/resales`, { buyerId: distB, quantity: 300, unitPrice: '1240.00' }, t(distA));
    expect(r1.body).toMatchObject({ quantity: '300', margin: '43500.00', remaining: '500' });
    const lotB = await http(url, 'POST', '/lots', { source: { kind: 'resale', upstreamLotId: lotA, resaleId: r1.body.resaleId } }, t(distB));
    expect(lotB.body).toMatchObject({ quantity: '300', unitCost: '1240.00', sellerId: distA, originSupplierId: maker });
    expect((await http(url, 'POST', '/lots', { source: { kind: 'resale', upstreamLotId: lotA, resaleId: r1.body.resaleId } }, t(distB))).body.code).toBe(
      'lot.already_recorded',
    );
    expect((await http(url, 'POST', '/lots', { source: { kind: 'resale', upstreamLotId: lotA, resaleId: r1.body.resaleId } }, t(distC))).body.code).toBe(
      'lot.not_resale_buyer',
    );

    const r2 = await http(url, 'POST', `/lots/${lotB.body.lotId}/resales`, { buyerId: distC, quantity: 200, unitPrice: '1310.00' }, t(distB));
    const lotC = await http(url, 'POST', '/lots', { source: { kind: 'resale', upstreamLotId: lotB.body.lotId, resaleId: r2.body.resaleId } }, t(distC));
    await http(url, 'POST', `/lots/${lotC.body.lotId}/resales`, { buyerId: manufacturer, quantity: 50, unitPrice: '1390.00' }, t(distC));

    const byManufacturer = await http(url, 'GET', `/provenance/${lotC.body.lotId}`, undefined, t(manufacturer));
    expect(byManufacturer.body).toMatchObject({ originSupplierId: maker, contractId });
    expect(byManufacturer.body.hops.map((h: any) => [h.sellerId, h.buyerId, h.via, h.unitPrice ?? null])).toEqual([
      [maker, distA, 'contract', null],
      [distA, distB, 'resale', null],
      [distB, distC, 'resale', null],
      [distC, manufacturer, 'resale', '1390.00'],
    ]);
    const byMaker = await http(url, 'GET', `/provenance/${lotC.body.lotId}`, undefined, t(maker));
    expect(byMaker.body.hops.map((h: any) => h.unitPrice ?? null)).toEqual(['1095.00', null, null]);
    const byC = await http(url, 'GET', `/provenance/${lotC.body.lotId}`, undefined, t(distC));
    expect(byC.body.hops.map((h: any) => h.unitPrice ?? null)).toEqual([null, null, '1310.00', '1390.00']);
    expect((await http(url, 'GET', `/provenance/${lotC.body.lotId}`, undefined, t(randomUUID()))).status).toBe(404);

    const seen = await collectFromTopic(
      kafka,
      eventsTopic('resale', prefix),
      (s) => s.filter((m) => headerString(m.message.headers, Headers.eventType) === 'LotResold').length >= 3,
    );
    const last = seen
      .filter((m) => headerString(m.message.headers, Headers.eventType) === 'LotResold')
      .map((m) => JSON.parse(m.message.value!.toString()))
      .find((e) => e.data.buyerId === manufacturer);
    expect(last.parties).toEqual([distC, manufacturer, maker]);
  });

  it('lets exactly one of several concurrent resales of the last units succeed; the rest get 409', async () => {
    const lot = await http(url, 'GET', `/lots/${lotA}`, undefined, t(distA));
    // The last half unit (0.5 t, 0.5 m): decimal quantities are compared exactly.
    const leave = '0.5';
    const most = await http(
      url,
      'POST',
      `/lots/${lotA}/resales`,
      { buyerId: manufacturer, quantity: subtractQuantities(lot.body.remaining, leave), unitPrice: '1200.00' },
      t(distA),
    );
    expect(most.body).toMatchObject({ quantity: '499.5', remaining: '0.5' });
    const attempts = await Promise.all(
      Array.from({ length: 8 }, () => http(url, 'POST', `/lots/${lotA}/resales`, { buyerId: manufacturer, quantity: leave, unitPrice: '1250.00' }, t(distA))),
    );
    const statuses = attempts.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(attempts.every((a) => a.status === 201 || a.type.includes('application/problem+json'))).toBe(true);
    const after = await http(url, 'GET', `/lots/${lotA}`, undefined, t(distA));
    expect(after.body.remaining).toBe('0');
    expect(sumQuantities(after.body.resales.map((r: { quantity: string }) => r.quantity))).toBe('800');
  });
});
