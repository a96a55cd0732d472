import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { adminKey } from '@dealledger/auth';
import { lineTotal } from '@dealledger/domain';
import { DATA_SOURCE, KnownCompanies } from '@dealledger/platform';
import {
  ContextEnvironment,
  contextEnvironment,
  eventually,
  genericPlanOf,
  http,
  startTestApp,
  tokenFor,
  uniqueName,
  pageWhileWriting,
} from '@dealledger/testing';
import { ExecuteContractCommand } from './contract/contract.command-handler';
import { draftFromOfferAccepted, draftFromTenderAwarded } from './contract/drafting';
import { ContractListProjection } from './contract/list/contract-list.projection';
import { CONTRACTS, ContractsModule } from './contracts.module';

const DAY = 86400000;
const tiers = [
  { minQuantity: '100', unitPrice: '52.00' },
  { minQuantity: '1000', unitPrice: '47.50' },
  { minQuantity: '10000', unitPrice: '41.70' },
];

interface Deal {
  buyer: string;
  supplier: string;
  sku?: string;
  description?: string;
  /** An exact decimal quantity. */
  quantity?: string;
  /** When the deal was made: the contract runs a year from then. */
  daysAgo?: number;
  from?: 'offer' | 'tender';
  paymentTerms?: string;
  deliveryTerms?: string;
}

/** A reader of the list: any person of the company. */
const as = (companyId: string) => tokenFor({ companyId, personId: randomUUID(), roles: [] });
/** A new person for each signature (four-eyes). */
const holding = (companyId: string, role: string) => tokenFor({ companyId, personId: randomUUID(), roles: [role] });

describe('the contracts list: what each party may see, filtered, searched, paged without repeats or gaps (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('contract_list');
  const prefix = uniqueName('dl');
  let env: ContextEnvironment;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    env = await contextEnvironment({ schema, prefix, clientId: 'contract-list-test', consumes: ['offers'] });
    ({ app, url } = await startTestApp(ContractsModule, CONTRACTS));
    await eventually(
      () => http(url, 'GET', '/health/ready'),
      (r) => r.status === 200,
      60000,
    );
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  /** Drafts as the app does when the deal's event arrives from the offers topic (DraftContractWhenOfferAccepted / …TenderAwarded). */
  const draft = async (deal: Deal) => {
    const originId = randomUUID();
    const event = { id: randomUUID(), occurredAt: new Date(Date.now() - (deal.daysAgo ?? 1) * DAY).toISOString() };
    const [sku, description, quantity] = [deal.sku ?? 'TYRE-205-55-R16', deal.description ?? 'Summer tyre 205/55 R16', deal.quantity ?? '12000'];
    const command =
      deal.from === 'tender'
        ? draftFromTenderAwarded({
            ...event,
            data: {
              tenderId: originId,
              buyerId: deal.buyer,
              supplierId: deal.supplier,
              title: 'Tyres',
              bidId: randomUUID(),
              awardedBy: randomUUID(),
              publicProcurement: false,
              currency: 'EUR',
              items: [
                { itemId: sku, description, quantity, unit: 'piece', specification: 'EU label A', unitPrice: '40.00', lineTotal: lineTotal(quantity, '40.00') },
              ],
              total: lineTotal(quantity, '40.00'),
              weightedScore: 8.5,
              ranking: [],
              standstillUntil: null,
              lotId: null,
              lotsToAward: 0,
              winningBidIds: [],
            },
          })
        : draftFromOfferAccepted({
            ...event,
            data: {
              offerId: originId,
              supplierId: deal.supplier,
              buyerId: deal.buyer,
              revision: 1,
              acceptedBy: randomUUID(),
              currency: 'EUR',
              total: '500400.00',
              paymentTerms: deal.paymentTerms ?? '30 days net',
              deliveryTerms: deal.deliveryTerms ?? 'DAP Wolfsburg',
              validUntil: new Date(Date.now() + DAY).toISOString(),
              items: [
                { sku, kind: 'component', description, unit: 'piece', quantity, unitPrice: '41.70', tierMinQuantity: '10000', lineTotal: '500400.00', tiers },
              ],
            },
          });
    await app.get(CommandBus).execute(
      new ExecuteContractCommand(command, {
        commandId: `draft-contract:${event.id}`,
        now: new Date(event.occurredAt),
        requester: null,
        correlationId: randomUUID(),
        causationId: event.id,
      }),
    );
    return { contractId: command.contractId, originId };
  };
  const drafted = async (deal: Deal) => (await draft(deal)).contractId;

  const sign = async (contractId: string, companyId: string, role: string) => {
    const { termsHash } = (await http(url, 'GET', `/contracts/${contractId}`, undefined, as(companyId))).body;
    expect((await http(url, 'POST', `/contracts/${contractId}/signatures`, { role, termsHash }, holding(companyId, role))).status).toBe(200);
  };
  const execute = async (contractId: string, buyer: string, supplier: string) => {
    await sign(contractId, buyer, 'procurement');
    await sign(contractId, buyer, 'legal');
    await sign(contractId, supplier, 'executive');
  };
  /** A decimal string, or a whole JSON number as clients sent before quantities were decimal. */
  const callOff = async (contractId: string, buyer: string, sku: string, quantity: string | number) =>
    expect((await http(url, 'POST', `/contracts/${contractId}/call-offs`, { lines: [{ sku, quantity }] }, holding(buyer, 'procurement'))).status).toBe(201);
  const amend = async (contractId: string, supplier: string, changes: Record<string, unknown>) =>
    expect((await http(url, 'POST', `/contracts/${contractId}/amendments`, { ...changes, note: 'amended' }, holding(supplier, 'executive'))).status).toBe(200);

  const list = async (companyId: string, query = '') => {
    await app.get(ContractListProjection).catchUp();
    return http(url, 'GET', `/contracts${query}`, undefined, as(companyId));
  };
  const ids = (r: { status: number; body: any }) => {
    expect(r.status).toBe(200);
    return (r.body.items as { contractId: string }[]).map((i) => i.contractId);
  };

  it('shows every party its contracts, drafts included, and nobody else anything: the same as GET /contracts/:id', async () => {
    const [buyer, supplier, rival, dealer, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    app.get(KnownCompanies).apply('CompanyRegistered', { companyId: dealer, name: 'EuroParts BV', roles: ['intermediary'] });
    const tyres = await drafted({ buyer, supplier, sku: 'TYRE-1' });
    const rims = await draft({ buyer, supplier: rival, sku: 'RIM-1', from: 'tender' });
    const bolts = await drafted({ buyer, supplier, sku: 'BOLT-1' });
    await amend(bolts, supplier, { intermediaryId: dealer });

    expect(ids(await list(buyer))).toEqual([bolts, rims.contractId, tyres]);
    expect(ids(await list(supplier))).toEqual([bolts, tyres]);
    expect(ids(await list(rival))).toEqual([rims.contractId]);
    // Named in the draft's terms, the intermediary is a party to it from then on.
    expect(ids(await list(dealer))).toEqual([bolts]);
    expect(ids(await list(stranger))).toEqual([]);
    for (const company of [buyer, supplier, rival, dealer, stranger]) {
      const listed = ids(await list(company));
      for (const id of [tyres, rims.contractId, bolts]) {
        expect({ company, id, seen: (await http(url, 'GET', `/contracts/${id}`, undefined, as(company))).status === 200 }).toEqual({
          company,
          id,
          seen: listed.includes(id),
        });
      }
    }

    expect((await list(dealer)).body.items).toEqual([
      expect.objectContaining({
        contractId: bolts,
        parties: [
          { companyId: buyer, role: 'buyer' },
          { companyId: supplier, role: 'supplier' },
          { companyId: dealer, role: 'intermediary' },
        ],
        status: 'draft',
        origin: { kind: 'offer', id: expect.any(String) },
        awaitingSignatures: [
          { companyId: buyer, role: 'procurement' },
          { companyId: buyer, role: 'legal' },
          { companyId: supplier, role: 'executive' },
          { companyId: dealer, role: 'executive' },
        ],
      }),
    ]);
    expect((await list(rival)).body.items).toEqual([
      expect.objectContaining({
        contractId: rims.contractId,
        parties: [
          { companyId: buyer, role: 'buyer' },
          { companyId: rival, role: 'supplier' },
        ],
        origin: { kind: 'tender', id: rims.originId },
        currency: 'EUR',
        contractValue: '480000.00',
        committedVolume: '12000',
        calledOffVolume: '0',
      }),
    ]);

    expect(ids(await list(buyer, '?role=buyer'))).toEqual([bolts, rims.contractId, tyres]);
    expect(ids(await list(buyer, '?role=supplier'))).toEqual([]);
    expect(ids(await list(dealer, '?role=intermediary'))).toEqual([bolts]);
    expect(ids(await list(supplier, '?role=intermediary'))).toEqual([]);
    expect(ids(await list(buyer, `?party=${supplier}`))).toEqual([bolts, tyres]);
    expect(ids(await list(buyer, `?party=${dealer}`))).toEqual([bolts]);
    expect(ids(await list(dealer, `?party=${buyer}`))).toEqual([bolts]);
    expect(ids(await list(supplier, `?party=${rival}`))).toEqual([]);
    expect(ids(await list(buyer, `?party=${buyer}`))).toEqual([]);
    expect(ids(await list(buyer, '?origin=tender'))).toEqual([rims.contractId]);
    expect(ids(await list(buyer, '?origin=offer&role=buyer'))).toEqual([bolts, tyres]);

    // Named no more, it is no party: gone from its list as from GET /contracts/:id.
    await amend(bolts, supplier, { intermediaryId: null });
    expect(ids(await list(dealer))).toEqual([]);
    expect((await http(url, 'GET', `/contracts/${bolts}`, undefined, as(dealer))).status).toBe(404);
    expect((await list(buyer, `?party=${dealer}`)).body.items).toEqual([]);
  });

  it('shows each status, the volume called off against the committed one and the signatures still owed, as the events say', async () => {
    const [buyer, supplier] = [randomUUID(), randomUUID()];
    const unsigned = await draft({ buyer, supplier });
    const signing = await drafted({ buyer, supplier });
    const inForce = await drafted({ buyer, supplier });
    const ended = await drafted({ buyer, supplier });
    const lapsed = await drafted({ buyer, supplier, daysAgo: 400 });

    await sign(signing, buyer, 'procurement');
    await execute(inForce, buyer, supplier);
    await callOff(inForce, buyer, 'TYRE-205-55-R16', '600.5');
    await callOff(inForce, buyer, 'TYRE-205-55-R16', '399.5');
    await execute(ended, buyer, supplier);
    expect((await http(url, 'POST', `/contracts/${ended}/terminate`, { reason: 'supplier insolvent' }, holding(buyer, 'executive'))).status).toBe(200);
    await execute(lapsed, buyer, supplier);
    // Its end date passed: the app's own deadline expires it, or this does first.
    await app
      .get(CommandBus)
      .execute(
        new ExecuteContractCommand(
          { type: 'ExpireContract', contractId: lapsed },
          { commandId: `expire-test:${lapsed}`, now: new Date(), requester: null, correlationId: lapsed },
        ),
      )
      .catch(() => undefined);

    expect(ids(await list(buyer, '?status=draft'))).toEqual([unsigned.contractId]);
    expect(ids(await list(buyer, '?status=awaiting_signatures'))).toEqual([signing]);
    expect(ids(await list(buyer, '?status=in_force'))).toEqual([inForce]);
    expect(ids(await list(buyer, '?status=terminated'))).toEqual([ended]);
    expect(ids(await list(supplier, '?status=expired'))).toEqual([lapsed]);
    expect(ids(await list(buyer, `?endsBefore=${encodeURIComponent(new Date().toISOString())}`))).toEqual([lapsed]);
    expect(ids(await list(buyer, `?endsBefore=${new Date(Date.now() + 400 * DAY).toISOString().slice(0, 10)}`))).toEqual([
      lapsed,
      ended,
      inForce,
      signing,
      unsigned.contractId,
    ]);

    const rows = (await list(buyer)).body.items as any[];
    const row = (id: string) => rows.find((r) => r.contractId === id);
    expect(row(unsigned.contractId)).toMatchObject({
      status: 'draft',
      origin: { kind: 'offer', id: unsigned.originId },
      currency: 'EUR',
      contractValue: '500400.00',
      committedVolume: '12000',
      calledOffVolume: '0',
      termsVersion: 1,
      awaitingSignatures: [
        { companyId: buyer, role: 'procurement' },
        { companyId: buyer, role: 'legal' },
        { companyId: supplier, role: 'executive' },
      ],
    });
    expect(row(signing).awaitingSignatures).toEqual([
      { companyId: buyer, role: 'legal' },
      { companyId: supplier, role: 'executive' },
    ]);
    expect(row(inForce)).toMatchObject({ status: 'in_force', committedVolume: '12000', calledOffVolume: '1000', awaitingSignatures: [] });
    const full = (await http(url, 'GET', `/contracts/${inForce}`, undefined, as(buyer))).body;
    expect(row(inForce)).toMatchObject({ startDate: full.terms.startDate, endDate: full.terms.endDate });
    expect(row(ended)).toMatchObject({ status: 'terminated', awaitingSignatures: [] });

    // The lookup by deal is still answered from the contract's stream, as an array.
    const found = await http(url, 'GET', `/contracts?origin=offer:${unsigned.originId}`, undefined, as(buyer));
    expect(found).toMatchObject({ status: 200, body: [{ contractId: unsigned.contractId, status: 'drafting' }] });
    expect((await http(url, 'GET', `/contracts?origin=offer:${unsigned.originId}`, undefined, as(randomUUID()))).body).toEqual([]);
    expect((await http(url, 'GET', `/contracts?origin=offer:${unsigned.originId}&limit=5`, undefined, as(buyer))).status).toBe(400);
  });

  it('pages never repeat or skip a contract while others are drafted meanwhile', async () => {
    const [buyer, supplier] = [randomUUID(), randomUUID()];
    const before: string[] = [];
    for (let i = 0; i < 12; i++) before.push(await drafted({ buyer, supplier, sku: `SKU-${i}` }));
    await app.get(ContractListProjection).catchUp();
    // Read as any reader does, while the projection moves on (no waiting for it to catch up).
    const { seen, written } = await pageWhileWriting({
      read: (pathAndQuery) => http(url, 'GET', pathAndQuery, undefined, as(buyer)),
      path: '/contracts',
      first: '?limit=5&role=buyer',
      nextMatches: /^\/contracts\?.*role=buyer.*after=/,
      ids: (p) => ids(p),
      write: async () => {
        await drafted({ buyer, supplier, sku: 'SKU-NEW' });
      },
    });
    expect(written).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => before.includes(id))).toEqual([...before].reverse());
  });

  it("reads a company's page in every role from each role's index in its order, not every contract of the company", async () => {
    const { nodes } = await genericPlanOf(app.get(DATA_SOURCE), /SELECT contract_id, buyer_id/, async () =>
      expect((await list(randomUUID(), '?status=in_force')).status).toBe(200),
    );
    expect(nodes.map((n) => n['Node Type'])).not.toContain('BitmapOr');
    expect(
      nodes
        .filter((n) => n['Node Type'] === 'Index Scan')
        .map((n) => n['Index Name'])
        .sort(),
    ).toEqual(['contract_list_buyer_idx', 'contract_list_intermediary_idx', 'contract_list_supplier_idx']);
  });

  it('refuses a forged cursor, an oversized page and bad filters with problem+json', async () => {
    const company = randomUUID();
    for (const query of [
      '?after=not-a-cursor',
      `?after=${Buffer.from('{"p":-1}').toString('base64url')}`,
      '?limit=500',
      '?limit=0',
      '?status=lost',
      '?status=executed',
      '?role=owner',
      '?party=x',
      '?endsBefore=soon',
      '?origin=gift',
      '?origin=nonsense',
      '?sort=value',
    ]) {
      const r = await list(company, query);
      expect({ query, status: r.status, type: r.type, body: r.body }).toMatchObject({
        query,
        status: 400,
        type: expect.stringContaining('application/problem+json'),
        body: { status: 400 },
      });
    }
  });

  it("finds contracts by skus, descriptions, the terms' text or a counterparty's name, only among those the caller may see", async () => {
    const [buyer, supplier, rival, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const companies = app.get(KnownCompanies);
    companies.apply('CompanyRegistered', { companyId: buyer, name: 'Nordwerk Fahrzeugbau AG', roles: ['buyer'] });
    companies.apply('CompanyRegistered', { companyId: supplier, name: 'Brembach Bremsen GmbH', roles: ['supplier'] });
    companies.apply('CompanyRegistered', { companyId: rival, name: 'Überland Gießerei GmbH', roles: ['supplier'] });
    const discs = await drafted({ buyer, supplier, sku: 'BRAKE-DISC-330', description: 'Brake disc 330 mm', deliveryTerms: 'DAP Ingolstadt' });
    const pads = await drafted({ buyer, supplier, sku: 'BRAKE-PAD-12', description: 'Brake pad set', deliveryTerms: 'FCA Gdansk' });
    const cast = await drafted({ buyer, supplier: rival, sku: 'BRAKE-DISC-330', description: 'Cast brake disc', paymentTerms: '90 days net' });
    const search = async (company: string, q: string, more = '') => ids(await list(company, `?q=${encodeURIComponent(q)}${more}`));

    expect(await search(supplier, 'brake')).toEqual([pads, discs]);
    expect(await search(supplier, 'disc')).toEqual([discs]);
    expect(await search(supplier, 'ingolstadt')).toEqual([discs]);
    expect(await search(supplier, 'nordwerk')).toEqual([pads, discs]);
    // Its own name is no counterparty's; its competitor's contract with the same buyer is not its to find.
    expect(await search(supplier, 'brembach')).toEqual([]);
    expect(await search(supplier, 'überland')).toEqual([]);
    expect(await search(supplier, 'cast')).toEqual([]);
    expect(await search(buyer, 'BRAKE-DISC-330')).toEqual([cast, discs]);
    expect(await search(buyer, '"90 days"')).toEqual([cast]);
    expect(await search(buyer, 'brembach')).toEqual([pads, discs]);
    expect(await search(buyer, 'uberland')).toEqual([cast]);
    expect(await search(buyer, 'brake', `&party=${rival}`)).toEqual([cast]);
    expect(await search(buyer, 'brake -pad')).toEqual([cast, discs]);
    expect(await search(rival, 'nordwerk')).toEqual([cast]);
    expect(await search(stranger, 'brake')).toEqual([]);
    expect(await search(stranger, 'nordwerk')).toEqual([]);
  });

  it('rebuilds from the log: equal digests leave the rows alone, a drifted row is replaced by what the events say', async () => {
    const [buyer, supplier] = [randomUUID(), randomUUID()];
    const contract = await drafted({ buyer, supplier, sku: 'DRIFT-1' });
    await execute(contract, buyer, supplier);
    await callOff(contract, buyer, 'DRIFT-1', 250);
    await app.get(ContractListProjection).catchUp();
    const rebuild = () => fetch(`${url}/admin/read-models/contract_list/rebuild`, { method: 'POST', headers: { 'x-admin-key': adminKey() } });

    const clean = await rebuild();
    expect(clean.status).toBe(200);
    const first = (await clean.json()) as any;
    expect(first).toMatchObject({ readModel: 'contract_list', replaced: false });
    expect(first.rebuilt).toEqual(first.live);
    expect(first.events).toBeGreaterThan(0);

    const table = app.get(ContractListProjection).table;
    await app.get(DATA_SOURCE).query(`UPDATE ${table} SET status = 'terminated', called_off_volume = 999999 WHERE contract_id = $1`, [contract]);
    const drifted = (await (await rebuild()).json()) as any;
    expect(drifted.replaced).toBe(true);
    expect(drifted.live.digest).not.toBe(drifted.rebuilt.digest);
    expect((await list(buyer, '?status=in_force')).body.items).toEqual([expect.objectContaining({ contractId: contract, calledOffVolume: '250' })]);
    expect(((await (await rebuild()).json()) as any).replaced).toBe(false);
  });
});
