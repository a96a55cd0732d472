import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { deadLetterTopic, EventEnvelope, eventsTopic, Headers } from '@dealledger/events';
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
import { ticketIdForReceipt } from './inbound/tickets-from-receipts.kafka-handler';
import { SERVICE_DESK, ServiceDeskModule } from './service-desk.module';

const buyer = randomUUID();
const supplier = randomUUID();
const contractId = randomUUID();
const inspector = randomUUID();
const hours = (h: number) => h * 3600_000;

function envelope(context: string, type: string, streamId: string, data: Record<string, unknown>, occurredAt = new Date().toISOString()): EventEnvelope {
  return sealed({
    id: randomUUID(),
    type,
    schemaVersion: 1,
    context,
    streamId,
    streamType: streamId.split('-')[0],
    streamVersion: 1,
    position: 1,
    occurredAt,
    recordedAt: occurredAt,
    parties: [buyer, supplier],
    actor: null,
    correlationId: randomUUID(),
    causationId: null,
    data,
  });
}

const executed = contractExecutedEnvelope({
  contractId,
  buyerId: buyer,
  supplierId: supplier,
  items: [{ sku: 'HU-10IN', description: 'Head unit', unit: 'piece', unitPrice: '345.00', committedVolume: '8000' }],
  sla: [{ severity: 'critical', responseHours: 4, resolutionHours: 24 }],
  paymentTerms: '30 days net',
});

function received(contract: string, ticket: Record<string, unknown> | null, occurredAt?: string, callOffId: string = randomUUID()): EventEnvelope {
  return envelope(
    'fulfilment',
    'GoodsReceived',
    `fulfilment-${callOffId}`,
    {
      callOffId,
      contractId: contract,
      buyerId: buyer,
      supplierId: supplier,
      deliveryId: randomUUID(),
      lines: [{ sku: 'HU-10IN', unit: 'H87', dispatched: '10', received: '10', accepted: '7', rejected: '3', reason: 'cracked housing' }],
      receivedBy: inspector,
      receivedAt: occurredAt ?? new Date().toISOString(),
      expectedArrival: new Date().toISOString(),
      onTime: true,
      ticket,
      documents: [],
    },
    occurredAt,
  );
}

describe('service desk: a ticket for rejected goods in the same step as the receipt (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('desk_rx');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let kafka: Kafka;
  let producer: Producer;
  let db: DataSource;
  let env: ContextEnvironment;
  const fulfilmentTopic = () => eventsTopic('fulfilment', prefix);
  const opened = async (ticketId: string) =>
    (await db.query(`SELECT type, data, causation_id FROM "${schema}".events WHERE stream_id = $1`, [`ticket-${ticketId}`])) as {
      type: string;
      data: Record<string, string>;
      causation_id: string;
    }[];

  beforeAll(async () => {
    env = await contextEnvironment({ schema, prefix, clientId: 'desk-rx-test', consumes: ['contracts', 'fulfilment'] });
    ({ kafka, producer, db } = env);
    ({ app, url } = await startTestApp(ServiceDeskModule, SERVICE_DESK));
    await producer.send({ topic: eventsTopic('contracts', prefix), messages: [toKafkaMessage(executed)] });
    await eventually(
      async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".service_contracts`).catch(() => [{ n: 0 }]))[0].n,
      (n) => n === 1,
    );
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  it('opens the ticket as the receiving person, with deadlines from the receipt, once however often the event comes', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const e = received(contractId, { severity: 'critical', sku: 'HU-10IN', description: 'Housings crack' }, at);
    await producer.send({ topic: fulfilmentTopic(), messages: [toKafkaMessage(e)] });
    const ticketId = ticketIdForReceipt(e.id);
    const [row] = await eventually(
      () => opened(ticketId),
      (rows) => rows.length === 1,
    );
    expect(row.type).toBe('TicketOpened');
    expect(row.causation_id).toBe(e.id);
    expect(row.data).toMatchObject({ contractId, sku: 'HU-10IN', severity: 'critical', openedBy: inspector, openedAt: at });
    expect(Date.parse(row.data.responseDueAt) - Date.parse(at)).toBe(hours(4));
    expect(row.data.description).toContain('3 H87 of HU-10IN rejected (reason: cracked housing)');

    // Both parties see it over HTTP; nobody else does.
    expect((await http(url, 'GET', `/tickets/${ticketId}`, undefined, tokenFor({ companyId: supplier, personId: null, roles: [] }))).status).toBe(200);
    expect((await http(url, 'GET', `/tickets/${ticketId}`, undefined, tokenFor({ companyId: randomUUID(), personId: null, roles: [] }))).status).toBe(404);

    // Redelivered, then a marker behind it on the same partition (one key per stream): still one ticket.
    const marker = received(contractId, null, undefined, (e.data as { callOffId: string }).callOffId);
    await producer.send({ topic: fulfilmentTopic(), messages: [toKafkaMessage(e), toKafkaMessage(marker)] });
    await eventually(
      async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".inbox WHERE event_id = $1`, [marker.id]))[0].n,
      (n) => n === 1,
    );
    expect(await opened(ticketId)).toHaveLength(1);
    expect((await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE type = 'TicketOpened'`))[0].n).toBe(1);
  });

  it('dead-letters a receipt whose ticket the service desk refuses, and goes on', async () => {
    const unknown = received(randomUUID(), { severity: 'critical', sku: 'HU-10IN', description: 'x' });
    const good = received(contractId, { severity: 'critical', sku: 'HU-10IN', description: 'After the refused one' });
    await producer.send({ topic: fulfilmentTopic(), messages: [toKafkaMessage(unknown), toKafkaMessage(good)] });
    const dead = await collectFromTopic(kafka, deadLetterTopic(fulfilmentTopic()), (s) =>
      s.some((m) => headerString(m.message.headers, Headers.eventId) === unknown.id),
    );
    const reason = headerString(dead.find((m) => headerString(m.message.headers, Headers.eventId) === unknown.id)!.message.headers, Headers.dlqReason);
    expect(reason).toMatch(/not known to the service desk/);
    await eventually(
      () => opened(ticketIdForReceipt(good.id)),
      (rows) => rows.length === 1,
    );
    expect(await opened(ticketIdForReceipt(unknown.id))).toHaveLength(0);
  });
});
