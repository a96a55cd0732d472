import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventEnvelope, eventsTopic, Headers } from '@dealledger/events';
import { headerString, toKafkaMessage } from '@dealledger/messaging';
import {
  collectFromTopic,
  contractExecutedEnvelope,
  ContextEnvironment,
  contextEnvironment,
  eventually,
  http,
  sealed,
  startTestApp,
  tokenFor,
  uniqueName,
} from '@dealledger/testing';
import { FULFILMENT, FulfilmentModule } from './fulfilment.module';

const buyer = randomUUID();
const supplier = randomUUID();
const stranger = randomUUID();
const contractId = randomUUID();
const clerk = tokenFor({ companyId: buyer, personId: randomUUID(), roles: ['procurement'] });
const shipper = tokenFor({ companyId: supplier, personId: randomUUID(), roles: ['executive'] });
const outsider = tokenFor({ companyId: stranger, personId: randomUUID(), roles: ['executive'] });
// Small, so that one request shows the limit; read by each upload.
process.env.DOCUMENT_MAX_BYTES = '1024';
const day = (days: number) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

/** A contracts event as the contracts app publishes it. */
function contractsEvent(type: string, streamVersion: number, data: Record<string, unknown>): EventEnvelope {
  const now = new Date().toISOString();
  return sealed({
    id: randomUUID(),
    type,
    schemaVersion: 2,
    context: 'contracts',
    streamId: `contract-${contractId}`,
    streamType: 'contract',
    streamVersion,
    position: streamVersion,
    occurredAt: now,
    recordedAt: now,
    parties: [buyer, supplier],
    actor: null,
    correlationId: randomUUID(),
    causationId: null,
    data,
  });
}

const executed = (paymentTerms: string): EventEnvelope =>
  contractExecutedEnvelope({
    contractId,
    buyerId: buyer,
    supplierId: supplier,
    items: [
      { sku: 'S355', description: 'Steel plate', unit: 't', unitPrice: '940.00', committedVolume: '500' },
      { sku: 'BOLT', description: 'Bolt M12', unit: 'piece', unitPrice: '0.25', committedVolume: '10000' },
    ],
    sla: [{ severity: 'major', responseHours: 8, resolutionHours: 72 }],
    paymentTerms,
  });

function callOffPlaced(callOffId: string, version: number): EventEnvelope {
  return contractsEvent('CallOffPlaced', version, {
    contractId,
    buyerId: buyer,
    supplierId: supplier,
    callOffId,
    placedBy: null,
    lines: [
      { sku: 'S355', quantity: '100.5', unitPrice: '940.00', tierMinQuantity: '1', lineTotal: '94470.00', cumulativeQuantity: '100.5' },
      { sku: 'BOLT', quantity: '1000', unitPrice: '0.25', tierMinQuantity: '1', lineTotal: '250.00', cumulativeQuantity: '1000' },
    ],
    total: '94720.00',
    currency: 'EUR',
    placedAt: new Date().toISOString(),
  });
}

describe('fulfilment: dispatch, receipt, three-way matched invoices and payment (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('fulfil');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let kafka: Kafka;
  let producer: Producer;
  let db: DataSource;
  let env: ContextEnvironment;
  const callOffId = randomUUID();
  const base = `/call-offs/${callOffId}`;

  beforeAll(async () => {
    env = await contextEnvironment({ schema, prefix, clientId: 'fulfilment-test', consumes: ['contracts'] });
    ({ kafka, producer, db } = env);
    ({ app, url } = await startTestApp(FulfilmentModule, FULFILMENT));
    await producer.send({
      topic: eventsTopic('contracts', prefix),
      messages: [toKafkaMessage(executed('2% 10 days, net 30')), toKafkaMessage(callOffPlaced(callOffId, 5))],
    });
    await eventually(
      async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".order_call_offs`).catch(() => [{ n: 0 }]))[0].n,
      (n) => n === 1,
    );
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  const dispatch = (lines: unknown[], token = shipper, documents?: unknown[]) =>
    http(url, 'POST', `${base}/deliveries`, { lines, carrier: 'DB Schenker', expectedArrival: day(3), documents }, token);
  const upload = (bytes: Buffer, token: string, type = 'application/pdf') =>
    fetch(`${url}/documents`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${token}` }, body: new Uint8Array(bytes) });
  const download = (path: string, token: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('runs a call-off through dispatch, receipt, a matched invoice and payment, and publishes each step', async () => {
    const certificate = Buffer.from('%PDF-1.7\n% Inspection certificate EN 10204 3.1, heat HX-1\n%%EOF\n');
    const uploaded = await upload(certificate, shipper);
    expect(uploaded.status).toBe(201);
    const { sha256 } = (await uploaded.json()) as { sha256: string };
    const attached = { name: 'EN 10204 3.1 HX-1.pdf', sha256, size: certificate.length, mediaType: 'application/pdf' };
    const d = await dispatch(
      [
        { sku: 'S355', quantity: '60', batch: 'HX-1' },
        { sku: 'BOLT', quantity: 1000 },
      ],
      shipper,
      [{ sha256, name: attached.name }],
    );
    expect(d.status).toBe(201);
    const deliveryId = d.body.deliveries[0].deliveryId;
    expect(d.body.lines[0]).toMatchObject({ sku: 'S355', unit: 'TNE', ordered: '100.5', dispatched: '60', inTransit: '60' });
    expect(d.body.deliveries[0]).toMatchObject({ documents: [attached], receiptDocuments: [] });

    // The buyer downloads the certificate through the call-off: the exact bytes, as a download.
    const got = await download(`${base}/documents/${sha256}`, clerk);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toContain('attachment');
    expect(Buffer.from(await got.arrayBuffer()).equals(certificate)).toBe(true);
    // Nobody else, and nothing the call-off does not carry.
    expect((await http(url, 'GET', `${base}/documents/${sha256}`, undefined, outsider)).status).toBe(404);
    expect((await http(url, 'GET', `${base}/documents/${'ab'.repeat(32)}`, undefined, clerk)).body).toMatchObject({ status: 404, code: 'document.not_found' });
    expect((await http(url, 'GET', `${base}/documents/not-a-hash`, undefined, clerk)).status).toBe(400);
    // The buyer cannot put the supplier's upload on its receipt; only what it uploaded itself.
    const foreign = await http(
      url,
      'POST',
      `${base}/deliveries/${deliveryId}/receipt`,
      {
        lines: [
          { sku: 'S355', received: '60', accepted: '60' },
          { sku: 'BOLT', received: '1000', accepted: '1000' },
        ],
        documents: [{ sha256, name: 'x.pdf' }],
      },
      clerk,
    );
    expect(foreign).toMatchObject({ status: 404, type: expect.stringContaining('application/problem+json') });
    expect(foreign.body.code).toBe('document.not_found');
    // Content that is not what its type says, and a body over DOCUMENT_MAX_BYTES.
    expect((await upload(Buffer.from('<html>not a pdf</html>'), clerk)).status).toBe(415);
    const tooLarge = await upload(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1024, 0x20)]), clerk);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ code: 'document.too_large' });
    // Sent in chunks without a length: refused once past the limit, still as a 413 problem (not a reset).
    const chunks = [Buffer.from('%PDF-1.7\n'), Buffer.alloc(700, 0x20), Buffer.alloc(700, 0x20)];
    const chunked = await fetch(`${url}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', authorization: `Bearer ${clerk}` },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(new Uint8Array(next));
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toMatchObject({ code: 'document.too_large' });

    const r = await http(
      url,
      'POST',
      `${base}/deliveries/${deliveryId}/receipt`,
      {
        lines: [
          { sku: 'S355', received: '60', accepted: '58', reason: 'two plates cracked' },
          { sku: 'BOLT', received: '1000', accepted: '1000' },
        ],
      },
      clerk,
    );
    expect(r.status).toBe(200);
    expect(r.body.lines[0]).toMatchObject({ received: '60', accepted: '58', rejected: '2', inTransit: '0' });
    expect(r.body.deliveries[0]).toMatchObject({ onTime: true });

    const i = await http(
      url,
      'POST',
      `${base}/invoices`,
      {
        number: 'INV-1',
        currency: 'EUR',
        lines: [
          { sku: 'S355', quantity: '58', unitPrice: '940.00', vatRate: '19' },
          { sku: 'BOLT', quantity: '1000', unitPrice: '0.25', vatRate: '19' },
        ],
      },
      shipper,
    );
    expect(i.status).toBe(201);
    const invoice = i.body.invoices[0];
    expect(invoice).toMatchObject({ status: 'matched', gross: '65176.30', dueDate: day(30), overdue: false, payableToday: '63872.77' });

    const wrong = await http(url, 'POST', `${base}/invoices/${invoice.invoiceId}/pay`, { amount: '65176.30' }, clerk);
    expect(wrong).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json') });
    expect(wrong.body).toMatchObject({ code: 'fulfilment.payment_amount', detail: expect.stringContaining('63872.77 EUR') });
    const paid = await http(url, 'POST', `${base}/invoices/${invoice.invoiceId}/pay`, { amount: '63872.77' }, clerk);
    expect(paid.status).toBe(200);
    expect(paid.body.invoices[0]).toMatchObject({ status: 'paid', payableToday: null });

    const seen = await collectFromTopic(kafka, eventsTopic('fulfilment', prefix), (s) => s.length >= 4);
    expect(seen.map((m) => headerString(m.message.headers, Headers.eventType))).toEqual([
      'DeliveryDispatched',
      'GoodsReceived',
      'InvoiceIssued',
      'InvoicePaid',
    ]);
    // One key per call-off: its events stay in order on one partition.
    expect(new Set(seen.map((m) => m.message.key?.toString())).size).toBe(1);
    const envelope = JSON.parse(seen[2].message.value!.toString()) as EventEnvelope;
    expect(envelope.parties.sort()).toEqual([buyer, supplier].sort());
    expect(JSON.parse(seen[0].message.value!.toString()).data.documents).toEqual([attached]);
  });

  it('disputes an invoice above the contract price or the accepted quantity; the supplier withdraws it', async () => {
    const disputed = await http(
      url,
      'POST',
      `${base}/invoices`,
      {
        number: 'INV-2',
        currency: 'EUR',
        lines: [{ sku: 'S355', quantity: '1', unitPrice: '990.00', vatRate: '19' }],
      },
      shipper,
    );
    expect(disputed.status).toBe(201);
    const inv = disputed.body.invoices.find((x: { number: string }) => x.number === 'INV-2');
    // Nothing accepted is left to invoice (58 of 58) and the price is 50 above the contract's.
    expect(inv).toMatchObject({ status: 'disputed', disputedAmount: '990.00' });
    expect((await http(url, 'POST', `${base}/invoices/${inv.invoiceId}/pay`, { amount: '1178.10' }, clerk)).body).toMatchObject({
      status: 409,
      code: 'fulfilment.invoice_disputed',
    });
    const withdrawn = await http(url, 'POST', `${base}/invoices/${inv.invoiceId}/withdraw`, { reason: 'Wrong price; nothing left to invoice' }, shipper);
    expect(withdrawn.body.invoices.find((x: { number: string }) => x.number === 'INV-2')).toMatchObject({ status: 'withdrawn' });
  });

  it('refuses over-delivery, a foreign call-off, the wrong side and bad input with problem+json, writing nothing', async () => {
    const count = async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".events`))[0].n as number;
    const before = await count();
    // 58 accepted of 100.5 ordered: 42.5 is left to deliver.
    expect((await dispatch([{ sku: 'S355', quantity: '42.5001' }])).body).toMatchObject({ status: 409, code: 'fulfilment.over_delivery' });
    expect((await dispatch([{ sku: 'S355', quantity: '1' }], outsider)).body).toMatchObject({ status: 404, code: 'fulfilment.call_off_not_found' });
    expect((await dispatch([{ sku: 'S355', quantity: '1' }], clerk)).body).toMatchObject({ status: 403, code: 'fulfilment.supplier_only' });
    expect((await http(url, 'GET', base, undefined, outsider)).status).toBe(404);
    expect((await http(url, 'GET', `/call-offs/${randomUUID()}`, undefined, clerk)).status).toBe(404);
    for (const lines of [[{ sku: 'S355', quantity: '-1' }], [{ sku: 'S355', quantity: 1.5 }], [{ sku: 'S355', quantity: '1.00001' }], []]) {
      const res = await dispatch(lines);
      expect(res).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json') });
    }
    const bad = await http(
      url,
      'POST',
      `${base}/invoices`,
      { number: 'X', currency: 'EUR', lines: [{ sku: 'S355', quantity: '1', unitPrice: '1', vatRate: '101' }] },
      shipper,
    );
    expect(bad.body).toMatchObject({ status: 400, code: 'fulfilment.vat_rate' });
    expect(await count()).toBe(before);
  });

  it('lets one of two racing dispatches of the last 42.5 t through, and an Idempotency-Key replay record nothing twice', async () => {
    const [a, b] = await Promise.all([dispatch([{ sku: 'S355', quantity: '42.5' }]), dispatch([{ sku: 'S355', quantity: '42.5' }])]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const key = randomUUID();
    const open = (await http(url, 'GET', base, undefined, clerk)).body.deliveries.find((x: { receivedAt: string | null }) => x.receivedAt === null);
    const receipt = () =>
      fetch(`${url}${base}/deliveries/${open.deliveryId}/receipt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${clerk}`, 'idempotency-key': key },
        body: JSON.stringify({ lines: [{ sku: 'S355', received: '42.5', accepted: '42.5' }] }),
      });
    expect((await receipt()).status).toBe(200);
    // The delivery is received now, so a second receipt would be refused: the replay answers as the first did.
    expect((await receipt()).status).toBe(200);
    const rows = await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE type = 'GoodsReceived'`);
    expect(rows[0].n).toBe(2);
    const view = (await http(url, 'GET', base, undefined, clerk)).body;
    expect(view.lines[0]).toMatchObject({ ordered: '100.5', accepted: '100.5', inTransit: '0' });
  });

  it("takes the due date from the invoice when the contract's payment terms are not in a recognised form", async () => {
    // The same contract re-executed with free-text terms (a renewal would not change them; this is the projection's upsert).
    const other = randomUUID();
    await producer.send({
      topic: eventsTopic('contracts', prefix),
      messages: [toKafkaMessage(executed('As agreed in the framework agreement')), toKafkaMessage(callOffPlaced(other, 7))],
    });
    await eventually(
      async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".order_call_offs WHERE call_off_id = $1`, [other]))[0].n,
      (n) => n === 1,
    );
    const lines = [{ sku: 'BOLT', quantity: '10', unitPrice: '0.25', vatRate: '0' }];
    expect((await http(url, 'POST', `/call-offs/${other}/invoices`, { number: 'F-1', currency: 'EUR', lines }, shipper)).body).toMatchObject({
      status: 400,
      code: 'fulfilment.due_date_required',
    });
    const ok = await http(url, 'POST', `/call-offs/${other}/invoices`, { number: 'F-1', currency: 'EUR', lines, dueDate: day(45) }, shipper);
    expect(ok.body.invoices[0]).toMatchObject({ dueDate: day(45), dueDateFrom: 'invoice', earlyPayment: null, status: 'disputed' });
  });
});
