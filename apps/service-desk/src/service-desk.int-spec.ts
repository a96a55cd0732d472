import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventEnvelope, eventsTopic, Headers } from '@dealledger/events';
import { headerString, toKafkaMessage } from '@dealledger/messaging';
import { collectFromTopic, ContextEnvironment, contextEnvironment, eventually, http, sealed, startTestApp, tokenFor, uniqueName } from '@dealledger/testing';
import { SERVICE_DESK, ServiceDeskModule } from './service-desk.module';
import { SLA_CLOCK, SlaClockScheduler } from './ticket/sla/sla-clock.scheduler';

const buyer = randomUUID();
const supplier = randomUUID();
const contractId = randomUUID();
const hours = (h: number) => h * 3600_000;
const engineer = tokenFor({ companyId: buyer, personId: randomUUID(), roles: ['technical'] });
const technician = tokenFor({ companyId: supplier, personId: randomUUID(), roles: ['technical'] });

describe('service desk: tickets and SLA clocks that survive restarts (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('desk');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let kafka: Kafka;
  let producer: Producer;
  let db: DataSource;
  let env: ContextEnvironment;
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);

  const start = async () => ({ app, url } = await startTestApp(ServiceDeskModule, SERVICE_DESK, [[SLA_CLOCK, clock]]));
  const restart = async () => {
    await app.close();
    await start();
  };
  const breaches = async (ticketId: string) =>
    (
      await db.query(`SELECT data->>'kind' AS kind FROM "${schema}".events WHERE stream_id = $1 AND type = 'SlaBreached' ORDER BY stream_version`, [
        `ticket-${ticketId}`,
      ])
    ).map((r: { kind: string }) => r.kind);

  beforeAll(async () => {
    env = await contextEnvironment({ schema, prefix, clientId: 'desk-test', consumes: ['contracts'] });
    ({ kafka, producer, db } = env);
    await start();
    const executed: EventEnvelope = sealed({
      id: randomUUID(),
      type: 'ContractExecuted',
      schemaVersion: 1,
      context: 'contracts',
      streamId: `contract-${contractId}`,
      streamType: 'contract',
      streamVersion: 4,
      position: 9,
      occurredAt: new Date().toISOString(),
      recordedAt: new Date().toISOString(),
      parties: [buyer, supplier],
      actor: null,
      correlationId: randomUUID(),
      causationId: null,
      data: {
        contractId,
        buyerId: buyer,
        supplierId: supplier,
        intermediaryId: null,
        origin: { kind: 'offer', id: randomUUID(), eventId: randomUUID() },
        terms: {
          buyerId: buyer,
          supplierId: supplier,
          intermediaryId: null,
          currency: 'EUR',
          items: [
            { sku: 'HU-10IN', description: 'Head unit', unit: 'piece', tiers: [{ minQuantity: 1, unitPrice: '345.00' }], committedVolume: 8000, ceiling: null },
          ],
          startDate: new Date(Date.now() - hours(24)).toISOString(),
          endDate: new Date(Date.now() + hours(24 * 365)).toISOString(),
          sla: [
            { severity: 'critical', responseHours: 4, resolutionHours: 24 },
            { severity: 'minor', responseHours: 24, resolutionHours: 240 },
          ],
          governingLaw: 'x',
          paymentTerms: 'x',
          deliveryTerms: 'x',
          requiredSignatures: [{ companyId: buyer, role: 'procurement' }],
        },
        termsVersion: 1,
        termsHash: '11'.repeat(32),
        signatures: [],
        contractValue: '2760000.00',
        executedAt: new Date().toISOString(),
      },
    });
    await producer.send({ topic: eventsTopic('contracts', prefix), messages: [toKafkaMessage(executed)] });
    await eventually(
      async () => (await db.query(`SELECT count(*) AS n FROM "${schema}".service_contracts`).catch(() => [{ n: 0 }]))[0].n,
      (n) => Number(n) === 1,
    );
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  const open = (token = engineer, severity = 'critical') =>
    http(url, 'POST', '/tickets', { contractId, sku: 'HU-10IN', severity, description: 'Reboots on cold start' }, token);

  it('opens tickets for the buyer with deadlines from the contract’s SLA, and refuses the wrong side', async () => {
    const t = await open();
    expect(t.status).toBe(201);
    expect(Date.parse(t.body.responseDueAt) - Date.parse(t.body.openedAt)).toBe(hours(4));
    expect(Date.parse(t.body.resolutionDueAt) - Date.parse(t.body.openedAt)).toBe(hours(24));
    expect((await open(technician)).body).toMatchObject({ status: 403, code: 'ticket.buyer_only' });
    expect(
      (await http(url, 'POST', '/tickets', { contractId: randomUUID(), sku: 'HU-10IN', severity: 'critical', description: 'x' }, engineer)).body,
    ).toMatchObject({ status: 404, code: 'ticket.contract_not_found' });
    expect((await open(engineer, 'major')).body.code).toBe('ticket.no_sla_for_severity');
    expect((await http(url, 'POST', `/tickets/${t.body.ticketId}/acknowledge`, {}, engineer)).body).toMatchObject({
      status: 403,
      code: 'ticket.supplier_only',
    });
    expect((await http(url, 'POST', `/tickets/${t.body.ticketId}/resolve`, { resolution: 'x' }, technician)).body).toMatchObject({
      status: 409,
      code: 'ticket.invalid_transition',
    });
    expect(
      (await http(url, 'GET', `/tickets/${t.body.ticketId}`, undefined, tokenFor({ companyId: randomUUID(), personId: randomUUID(), roles: [] }))).status,
    ).toBe(404);
    await http(url, 'POST', `/tickets/${t.body.ticketId}/acknowledge`, {}, technician);
    await http(url, 'POST', `/tickets/${t.body.ticketId}/resolve`, { resolution: 'firmware 2.3.1' }, technician);
    expect((await http(url, 'POST', `/tickets/${t.body.ticketId}/close`, { satisfaction: 6 }, engineer)).status).toBe(400);
    const closed = await http(url, 'POST', `/tickets/${t.body.ticketId}/close`, { satisfaction: 4, comment: 'fast' }, engineer);
    expect(closed.body).toMatchObject({ status: 'closed', satisfaction: 4 });
    // Its history keeps the words the state no longer holds, for its two parties only.
    const history = await http(url, 'GET', `/tickets/${t.body.ticketId}/history`, undefined, engineer);
    expect(history.body.items.map((s: { type: string }) => s.type)).toEqual(['TicketOpened', 'TicketAcknowledged', 'TicketResolved', 'TicketClosed']);
    expect(history.body.items[2].details).toMatchObject({ resolution: 'firmware 2.3.1' });
    expect(history.body.items[3].details).toEqual({ satisfaction: 4, comment: 'fast' });
    expect((await http(url, 'GET', `/tickets/${t.body.ticketId}/history`, undefined, technician)).status).toBe(200);
    expect(
      (await http(url, 'GET', `/tickets/${t.body.ticketId}/history`, undefined, tokenFor({ companyId: randomUUID(), personId: randomUUID(), roles: [] }))).body,
    ).toMatchObject({ status: 404, code: 'ticket.not_found' });
  });

  it('records a breach once, across restarts, and none for a ticket resolved in time', async () => {
    const late = (await open()).body.ticketId;
    const onTime = (await open()).body.ticketId;
    await http(url, 'POST', `/tickets/${onTime}/acknowledge`, {}, technician);
    await http(url, 'POST', `/tickets/${onTime}/resolve`, { resolution: 'replaced unit' }, technician);

    // The app goes down before the response deadline and comes back after it.
    await app.close();
    offset = hours(5);
    await start();
    expect(await app.get(SlaClockScheduler).runOnce()).toBeGreaterThanOrEqual(1);
    expect(await breaches(late)).toEqual(['response']);
    expect(await app.get(SlaClockScheduler).runOnce()).toBe(0);
    await restart();
    expect(await app.get(SlaClockScheduler).runOnce()).toBe(0);
    expect(await breaches(late)).toEqual(['response']);

    offset = hours(25);
    await restart();
    await app.get(SlaClockScheduler).runOnce();
    await app.get(SlaClockScheduler).runOnce();
    expect(await breaches(late)).toEqual(['response', 'resolution']);
    expect(await breaches(onTime)).toEqual([]);
    const view = await http(url, 'GET', `/tickets/${late}`, undefined, engineer);
    expect(view.body.slaBreaches.map((b: { kind: string }) => b.kind)).toEqual(['response', 'resolution']);

    // Publishing is at least once (a relay stopped mid-send sends again after the restart):
    // each breach counts once, by its event id.
    const breachesOn = (s: { message: { headers?: unknown; value: Buffer | null } }[]) => [
      ...new Map(
        s
          .filter((m) => headerString(m.message.headers as never, Headers.eventType) === 'SlaBreached')
          .map((m) => JSON.parse(m.message.value!.toString()))
          .map((e) => [e.id, e]),
      ).values(),
    ];
    const seen = await collectFromTopic(kafka, eventsTopic('service-desk', prefix), (s) => breachesOn(s).length >= 2);
    const published = breachesOn(seen);
    expect(published.map((e) => [e.data.ticketId, e.data.kind])).toEqual([
      [late, 'response'],
      [late, 'resolution'],
    ]);
    expect(published[0].parties).toEqual([buyer, supplier]);
  });

  it('takes evidence from either party until the ticket is closed, and serves it to the two parties only', async () => {
    // Back to the present: no SLA check may breach this ticket meanwhile.
    offset = 0;
    const ticketId = (await open()).body.ticketId;
    const upload = (bytes: Buffer, token: string) =>
      fetch(`${url}/documents`, {
        method: 'POST',
        headers: { 'content-type': 'application/pdf', authorization: `Bearer ${token}` },
        body: new Uint8Array(bytes),
      });
    const download = (sha256: string, token: string) =>
      fetch(`${url}/tickets/${ticketId}/documents/${sha256}`, { headers: { authorization: `Bearer ${token}` } });
    // Unique content: the same bytes uploaded elsewhere must not make this pass.
    const report = Buffer.from(`%PDF-1.7\n% Cold-start log and photos, ${randomUUID()}\n%%EOF\n`);
    const uploaded = await upload(report, engineer);
    expect(uploaded.status).toBe(201);
    const { sha256 } = (await uploaded.json()) as { sha256: string };

    const attached = await http(url, 'POST', `/tickets/${ticketId}/documents`, { sha256, name: 'Cold start report.pdf' }, engineer);
    expect(attached.status).toBe(201);
    expect(attached.body.documents).toEqual([
      { name: 'Cold start report.pdf', sha256, size: report.length, mediaType: 'application/pdf', attachedBy: expect.any(String), attachedByCompany: buyer },
    ]);
    expect((await http(url, 'POST', `/tickets/${ticketId}/documents`, { sha256, name: 'again.pdf' }, engineer)).body).toMatchObject({
      status: 409,
      code: 'ticket.document_already_attached',
    });
    // The supplier did not upload it: it cannot attach it as its own.
    expect((await http(url, 'POST', `/tickets/${ticketId}/documents`, { sha256, name: 'ours.pdf' }, technician)).body).toMatchObject({
      status: 404,
      code: 'document.not_found',
    });

    const got = await download(sha256, technician);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await got.arrayBuffer()).equals(report)).toBe(true);
    expect((await download(sha256, tokenFor({ companyId: randomUUID(), personId: randomUUID(), roles: [] }))).status).toBe(404);
    expect((await download('cd'.repeat(32), technician)).status).toBe(404);
    const history = await http(url, 'GET', `/tickets/${ticketId}/history`, undefined, technician);
    expect(history.body.items.map((s: { type: string }) => s.type)).toEqual(['TicketOpened', 'TicketDocumentAttached']);

    await http(url, 'POST', `/tickets/${ticketId}/acknowledge`, {}, technician);
    await http(url, 'POST', `/tickets/${ticketId}/resolve`, { resolution: 'firmware 2.3.2' }, technician);
    await http(url, 'POST', `/tickets/${ticketId}/close`, { satisfaction: 5 }, engineer);
    const late = await upload(Buffer.from(`%PDF-1.7\n% after the fact, ${randomUUID()}\n`), technician);
    const lateRef = (await late.json()) as { sha256: string };
    expect((await http(url, 'POST', `/tickets/${ticketId}/documents`, { sha256: lateRef.sha256, name: 'late.pdf' }, technician)).body).toMatchObject({
      status: 409,
      code: 'ticket.invalid_transition',
    });
  });
});
