import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { subtractQuantities, sumQuantities } from '@dealledger/domain';
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
    env = await contextEnvironment({ schema, prefix, clientId: 'resale-test', consumes: ['contracts'] });
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
    await eventually(
      async () => (await db.query(`SELECT count(*) AS n FROM "${schema}".supply_call_offs`).catch(() => [{ n: 0 }]))[0].n,
      (n) => Number(n) === 1,
    );
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  const lotBody = (over: Record<string, unknown> = {}) => ({
    source: { kind: 'contract', contractId, callOffId },
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
    const recorded = await http(url, 'POST', '/lots', lotBody(), t(distA));
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ ownerId: distA, sellerId: maker, originSupplierId: maker, quantity: '800', remaining: '800' });
    lotA = recorded.body.lotId;
    // One call-off line becomes a lot once.
    expect((await http(url, 'POST', '/lots', lotBody({ quantity: 1 }), t(distA))).body).toMatchObject({ status: 409, code: 'lot.already_recorded' });
    expect((await http(url, 'GET', `/lots/${lotA}`, undefined, t(distB))).status).toBe(404);
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
