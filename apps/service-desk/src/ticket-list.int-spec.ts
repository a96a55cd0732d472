import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { adminKey } from '@dealledger/auth';
import { DATA_SOURCE, KnownCompanies } from '@dealledger/platform';
import { ContextEnvironment, contextEnvironment, http, startTestApp, tokenFor, uniqueName, pageWhileWriting } from '@dealledger/testing';
import { RegisterSlaTermsWhenContractExecuted } from './inbound/sla-terms.kafka-handlers';
import { SERVICE_DESK, ServiceDeskModule } from './service-desk.module';
import { TicketListProjection } from './ticket/list/ticket-list.projection';
import { SLA_CLOCK, SlaClockScheduler } from './ticket/sla/sla-clock.scheduler';

const hours = (h: number) => h * 3600_000;
const as = (companyId: string) => tokenFor({ companyId, personId: randomUUID(), roles: ['technical'] });
const ids = (r: { body: any }) => (r.body.items as { ticketId: string }[]).map((i) => i.ticketId);
const SLA = [
  { severity: 'critical', responseHours: 1, resolutionHours: 4 },
  { severity: 'major', responseHours: 8, resolutionHours: 72 },
  { severity: 'minor', responseHours: 24, resolutionHours: 240 },
];

describe('the tickets list: what each party may see, SLA deadlines and breaches, filtered, paged without repeats or gaps (real PostgreSQL)', () => {
  const schema = uniqueName('ticket_list');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let env: ContextEnvironment;
  // The SLA clock (breaches, and "now" for slaAtRisk) runs ahead of the wall clock by this much; tickets open at wall-clock time.
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);

  beforeAll(async () => {
    env = await contextEnvironment({ schema, prefix, clientId: 'ticket-list-test', consumes: ['contracts'] });
    ({ app, url } = await startTestApp(ServiceDeskModule, SERVICE_DESK, [[SLA_CLOCK, clock]]));
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  // What the contracts topic would bring, handed straight to the app's own handler: an executed contract and its SLA terms.
  const contract = async (buyerId: string, supplierId: string, skus: string[]) => {
    const contractId = randomUUID();
    await new RegisterSlaTermsWhenContractExecuted(schema).handle(
      { data: { contractId, buyerId, supplierId, intermediaryId: null, terms: { items: skus.map((sku) => ({ sku })), sla: SLA } } } as never,
      app.get<DataSource>(DATA_SOURCE).manager,
    );
    return contractId;
  };
  const open = async (buyer: string, contractId: string, sku: string, severity: string, description: string) => {
    const r = await http(url, 'POST', '/tickets', { contractId, sku, severity, description }, as(buyer));
    expect(r.status).toBe(201);
    return r.body.ticketId as string;
  };
  const act = async (company: string, ticketId: string, action: string, body: Record<string, unknown> = {}) =>
    expect((await http(url, 'POST', `/tickets/${ticketId}/${action}`, body, as(company))).status).toBe(200);
  const view = async (company: string, ticketId: string) => (await http(url, 'GET', `/tickets/${ticketId}`, undefined, as(company))).body;
  // A background check already running when the clock moved may have read the earlier time; the second reads the new one.
  const checkClocks = async () => {
    await app.get(SlaClockScheduler).runOnce();
    await app.get(SlaClockScheduler).runOnce();
  };
  const list = async (companyId: string, query = '') => {
    await app.get(TicketListProjection).catchUp();
    return http(url, 'GET', `/tickets${query}`, undefined, as(companyId));
  };

  it('shows a ticket to its buyer and its supplier and nobody else, with the deadlines still running, and filters them', async () => {
    const [buyer, supplier, otherSupplier, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const c1 = await contract(buyer, supplier, ['HU-10IN']);
    const c2 = await contract(buyer, otherSupplier, ['ECU-7']);
    const flicker = await open(buyer, c1, 'HU-10IN', 'critical', 'Display flickers at night');
    const scratch = await open(buyer, c1, 'HU-10IN', 'minor', 'Scratch on the housing');
    await act(supplier, scratch, 'acknowledge');
    const crash = await open(buyer, c2, 'ECU-7', 'major', 'Firmware crash on boot');
    const mute = await open(buyer, c1, 'HU-10IN', 'critical', 'No sound');
    await act(supplier, mute, 'acknowledge');
    await act(supplier, mute, 'resolve', { resolution: 'fuse replaced' });

    expect(ids(await list(buyer))).toEqual([mute, crash, scratch, flicker]);
    expect(ids(await list(supplier))).toEqual([mute, scratch, flicker]);
    expect(ids(await list(otherSupplier))).toEqual([crash]);
    expect(ids(await list(stranger))).toEqual([]);
    expect(ids(await list(buyer, '?role=buyer'))).toEqual([mute, crash, scratch, flicker]);
    expect(ids(await list(buyer, '?role=supplier'))).toEqual([]);
    expect(ids(await list(supplier, '?role=supplier'))).toEqual([mute, scratch, flicker]);
    expect(ids(await list(supplier, '?role=buyer'))).toEqual([]);

    expect(ids(await list(buyer, '?status=open'))).toEqual([crash, flicker]);
    expect(ids(await list(buyer, '?status=acknowledged'))).toEqual([scratch]);
    expect(ids(await list(buyer, '?status=resolved'))).toEqual([mute]);
    expect(ids(await list(buyer, '?severity=critical'))).toEqual([mute, flicker]);
    expect(ids(await list(buyer, `?contract=${c2}`))).toEqual([crash]);
    expect(ids(await list(supplier, `?contract=${c2}`))).toEqual([]);
    expect(ids(await list(buyer, `?contract=${c1}&severity=critical&status=open`))).toEqual([flicker]);

    // Acknowledged: the response deadline has stopped, the resolution deadline runs.
    const scratchView = await view(buyer, scratch);
    expect((await list(supplier, '?status=acknowledged')).body).toEqual({
      items: [
        {
          ticketId: scratch,
          contractId: c1,
          buyerId: buyer,
          supplierId: supplier,
          sku: 'HU-10IN',
          severity: 'minor',
          status: 'acknowledged',
          description: 'Scratch on the housing',
          openedAt: scratchView.openedAt,
          openDeadlines: { response: null, resolution: scratchView.resolutionDueAt },
          breached: false,
          slaBreaches: [],
          escalations: 0,
          updatedAt: expect.any(String),
        },
      ],
      next: null,
    });
    const flickerView = await view(buyer, flicker);
    expect((await list(buyer, '?status=open&severity=critical')).body.items[0].openDeadlines).toEqual({
      response: flickerView.responseDueAt,
      resolution: flickerView.resolutionDueAt,
    });
    expect((await list(buyer, '?status=resolved')).body.items[0].openDeadlines).toEqual({ response: null, resolution: null });

    // At risk: a deadline still running that falls due within so many hours of now.
    expect(ids(await list(buyer, '?slaAtRisk=0.5'))).toEqual([]);
    expect(ids(await list(buyer, '?slaAtRisk=2'))).toEqual([flicker]);
    expect(ids(await list(buyer, '?slaAtRisk=10'))).toEqual([crash, flicker]);
    expect(ids(await list(buyer, '?slaAtRisk=300'))).toEqual([crash, scratch, flicker]);
    expect(ids(await list(supplier, '?slaAtRisk=300'))).toEqual([scratch, flicker]);
    expect(ids(await list(buyer, '?breached=true'))).toEqual([]);
    expect(ids(await list(buyer, '?breached=false'))).toEqual([mute, crash, scratch, flicker]);

    // The list follows the events: reopened, a new resolution deadline runs; escalated, the level shows.
    await act(buyer, mute, 'reopen', { reason: 'no sound again' });
    await act(otherSupplier, crash, 'escalate', { note: 'R&D' });
    expect((await list(buyer, '?status=reopened')).body.items).toEqual([
      expect.objectContaining({ ticketId: mute, openDeadlines: { response: null, resolution: (await view(buyer, mute)).resolutionDueAt } }),
    ]);
    expect(ids(await list(buyer, '?slaAtRisk=5'))).toEqual([mute, flicker]);
    expect((await list(otherSupplier)).body.items).toEqual([expect.objectContaining({ ticketId: crash, escalations: 1 })]);
  });

  it('shows the breaches the SLA clock records: breached tickets, and deadlines no longer running once breached', async () => {
    const [buyer, supplier] = [randomUUID(), randomUUID()];
    const c = await contract(buyer, supplier, ['HU-10IN']);
    const late = await open(buyer, c, 'HU-10IN', 'critical', 'Head unit dead');
    const answered = await open(buyer, c, 'HU-10IN', 'critical', 'Slow boot');
    await act(supplier, answered, 'acknowledge');
    const calm = await open(buyer, c, 'HU-10IN', 'minor', 'Loose knob');
    const lateView = await view(buyer, late);
    try {
      // Two hours on: the critical response deadline (1 h) has passed unanswered.
      offset = hours(2);
      await checkClocks();
      expect(ids(await list(buyer, '?breached=true'))).toEqual([late]);
      expect(ids(await list(supplier, '?breached=true'))).toEqual([late]);
      expect(ids(await list(buyer, '?breached=false'))).toEqual([calm, answered]);
      expect((await list(buyer, '?breached=true')).body.items[0]).toMatchObject({
        breached: true,
        slaBreaches: [{ kind: 'response', dueAt: lateView.responseDueAt }],
        openDeadlines: { response: null, resolution: lateView.resolutionDueAt },
      });
      // "Now" is the SLA clock's: both critical resolutions (4 h from opening) fall due within 3 h of it.
      expect(ids(await list(buyer, '?slaAtRisk=3'))).toEqual([answered, late]);
      expect(ids(await list(buyer, '?slaAtRisk=3&breached=true'))).toEqual([late]);

      offset = hours(5);
      await checkClocks();
      expect(ids(await list(buyer, '?breached=true'))).toEqual([answered, late]);
      expect((await list(buyer, '?breached=true&status=open')).body.items).toEqual([
        expect.objectContaining({
          ticketId: late,
          openDeadlines: { response: null, resolution: null },
          slaBreaches: [
            { kind: 'response', dueAt: lateView.responseDueAt },
            { kind: 'resolution', dueAt: lateView.resolutionDueAt },
          ],
        }),
      ]);
      expect(ids(await list(buyer, '?slaAtRisk=3'))).toEqual([]);
      expect(ids(await list(buyer, '?slaAtRisk=20'))).toEqual([calm]);
    } finally {
      offset = 0;
    }
  });

  it('pages never repeat or skip a ticket while others are opened and escalated meanwhile', async () => {
    const [buyer, supplier] = [randomUUID(), randomUUID()];
    const c = await contract(buyer, supplier, ['HU-10IN']);
    const before: string[] = [];
    for (let i = 0; i < 12; i++) before.push(await open(buyer, c, 'HU-10IN', 'minor', `Fault ${i}`));
    await app.get(TicketListProjection).catchUp();
    // Read as any reader does, while the projection moves on (no waiting for it to catch up).
    const { seen, written } = await pageWhileWriting({
      read: (pathAndQuery) => http(url, 'GET', pathAndQuery, undefined, as(supplier)),
      path: '/tickets',
      first: '?limit=5&role=supplier&severity=minor',
      nextMatches: /^\/tickets\?.*role=supplier.*after=/,
      ids: (p) => ids(p),
      write: async (written) => {
        await open(buyer, c, 'HU-10IN', 'minor', 'Fault new');
        await act(supplier, before[written % before.length], 'escalate', { note: 'again' });
      },
    });
    expect(written).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => before.includes(id))).toEqual([...before].reverse());
  });

  it('refuses forged cursors and bad filters with problem+json', async () => {
    const company = randomUUID();
    for (const query of [
      '?after=not-a-cursor',
      `?after=${Buffer.from('{"p":-1}').toString('base64url')}`,
      '?limit=500',
      '?status=lost',
      '?severity=urgent',
      '?contract=x',
      '?slaAtRisk=soon',
      '?slaAtRisk=-1',
      '?slaAtRisk=100000',
      '?breached=yes',
      '?role=customer',
      '?owner=x',
    ]) {
      const r = await list(company, query);
      expect(r).toMatchObject({ status: 400, body: { status: 400 } });
      expect(r.type).toContain('application/problem+json');
    }
  });

  it('finds tickets by words of their sku and description or the counterparty name, only among those the caller is a party to', async () => {
    const [buyer, supplier, rival, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const companies = app.get(KnownCompanies);
    companies.apply('CompanyRegistered', { companyId: buyer, name: 'Brennholt Maschinenbau AG', roles: ['buyer'] });
    companies.apply('CompanyRegistered', { companyId: supplier, name: 'Görlitzer Elektronik GmbH', roles: ['supplier'] });
    companies.apply('CompanyRegistered', { companyId: rival, name: 'Rivale Steuergeräte KG', roles: ['supplier'] });
    const c1 = await contract(buyer, supplier, ['HU-10IN']);
    const c2 = await contract(buyer, rival, ['ECU-7']);
    const frozen = await open(buyer, c1, 'HU-10IN', 'major', 'Touchscreen freezes after update');
    const pairing = await open(buyer, c1, 'HU-10IN', 'minor', 'Bluetooth pairing fails');
    const cracked = await open(buyer, c2, 'ECU-7', 'major', 'Touchscreen cracked on delivery');
    const search = async (company: string, q: string) => ids(await list(company, `?q=${encodeURIComponent(q)}`));

    expect(await search(buyer, 'touchscreen')).toEqual([cracked, frozen]);
    expect(await search(buyer, 'bluetooth')).toEqual([pairing]);
    expect(await search(buyer, 'HU-10IN')).toEqual([pairing, frozen]);
    expect(await search(buyer, 'gorlitzer')).toEqual([pairing, frozen]);
    expect(await search(buyer, 'steuergeräte')).toEqual([cracked]);
    expect(await search(buyer, 'touchscreen -cracked')).toEqual([frozen]);
    expect(ids(await list(buyer, `?q=touchscreen&contract=${c1}`))).toEqual([frozen]);
    expect(await search(supplier, 'touchscreen')).toEqual([frozen]);
    expect(await search(supplier, 'brennholt')).toEqual([pairing, frozen]);
    // Its competitor's ticket with the same buyer is not the supplier's to find, by words or by name.
    expect(await search(supplier, 'cracked')).toEqual([]);
    expect(await search(supplier, 'rivale')).toEqual([]);
    expect(await search(rival, 'görlitzer')).toEqual([]);
    expect(await search(stranger, 'touchscreen')).toEqual([]);
    expect(await search(stranger, 'brennholt')).toEqual([]);
  });

  it('rebuilds from the log: equal digests leave the rows alone, a drifted row is replaced by what the events say', async () => {
    const [buyer, supplier] = [randomUUID(), randomUUID()];
    const c = await contract(buyer, supplier, ['HU-10IN']);
    const ticket = await open(buyer, c, 'HU-10IN', 'major', 'Drifting row');
    await act(supplier, ticket, 'acknowledge');
    await app.get(TicketListProjection).catchUp();
    const rebuild = () => fetch(`${url}/admin/read-models/ticket_list/rebuild`, { method: 'POST', headers: { 'x-admin-key': adminKey() } });

    const clean = await rebuild();
    expect(clean.status).toBe(200);
    const first = (await clean.json()) as any;
    expect(first).toMatchObject({ readModel: 'ticket_list', replaced: false });
    expect(first.rebuilt).toEqual(first.live);
    expect(first.events).toBeGreaterThan(0);

    const table = app.get(TicketListProjection).table;
    await app.get<DataSource>(DATA_SOURCE).query(`UPDATE ${table} SET status = 'closed', response_due_at = now() WHERE ticket_id = $1`, [ticket]);
    const drifted = (await (await rebuild()).json()) as any;
    expect(drifted.replaced).toBe(true);
    expect(drifted.live.digest).not.toBe(drifted.rebuilt.digest);
    expect((await list(supplier, '?status=acknowledged')).body.items).toEqual([
      expect.objectContaining({ ticketId: ticket, openDeadlines: { response: null, resolution: (await view(buyer, ticket)).resolutionDueAt } }),
    ]);
    expect(((await (await rebuild()).json()) as any).replaced).toBe(false);
  });
});
