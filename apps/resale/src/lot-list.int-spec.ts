import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { adminKey } from '@dealledger/auth';
import { DATA_SOURCE, KnownCompanies } from '@dealledger/platform';
import { ContextEnvironment, contextEnvironment, http, startTestApp, tokenFor, uniqueName, pageWhileWriting } from '@dealledger/testing';
import { LearnCallOffWhenCallOffPlaced, LearnSupplyLineWhenContractExecuted } from './inbound/supply-lines.kafka-handlers';
import { LearnReceiptWhenGoodsReceived } from './inbound/supply-receipts.kafka-handlers';
import { LotListProjection } from './lot/list/lot-list.projection';
import { ResaleListProjection } from './lot/list/resale-list.projection';
import { RESALE, ResaleModule } from './resale.module';

const as = (companyId: string) => tokenFor({ companyId, personId: randomUUID(), roles: ['procurement'] });
const ids = (r: { body: any }, key = 'lotId') => (r.body.items as Record<string, string>[]).map((i) => i[key]);
/** Call-off lines as the contracts topic brings them: integers from version-1 events, decimal strings from version 2. */
type Line = { sku: string; description: string; quantity: number | string; unitPrice: string };

describe('the lots and resales lists: what each company may see, filtered, paged without repeats or gaps (real PostgreSQL)', () => {
  const schema = uniqueName('lot_list');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let env: ContextEnvironment;

  beforeAll(async () => {
    env = await contextEnvironment({ schema, prefix, clientId: 'lot-list-test', consumes: ['contracts', 'fulfilment'] });
    ({ app, url } = await startTestApp(ResaleModule, RESALE));
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  // What the contracts topic would bring, handed straight to the app's own handlers: an executed contract and its call-offs.
  const callOff = async (contractId: string, lines: Line[]) => {
    const callOffId = randomUUID();
    await new LearnCallOffWhenCallOffPlaced(schema).handle(
      {
        data: { contractId, callOffId, lines: lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })), placedAt: new Date().toISOString() },
      } as never,
      app.get<DataSource>(DATA_SOURCE).manager,
    );
    return callOffId;
  };
  const supplyLine = async (buyerId: string, supplierId: string, lines: Line[]) => {
    const contractId = randomUUID();
    await new LearnSupplyLineWhenContractExecuted(schema).handle(
      {
        data: {
          contractId,
          buyerId,
          supplierId,
          intermediaryId: null,
          terms: { currency: 'EUR', items: lines.map(({ sku, description }) => ({ sku, description })) },
        },
      } as never,
      app.get<DataSource>(DATA_SOURCE).manager,
    );
    return { contractId, callOffId: await callOff(contractId, lines) };
  };
  // What the fulfilment topic would bring, handed straight to the app's own handler: a delivery of the call-off, received and accepted.
  const received = async (buyerId: string, from: { contractId: string; callOffId: string }, sku: string, accepted: number | string) => {
    const deliveryId = randomUUID();
    await new LearnReceiptWhenGoodsReceived(schema).handle(
      {
        data: {
          ...from,
          buyerId,
          deliveryId,
          lines: [{ sku, dispatched: String(accepted), received: String(accepted), accepted: String(accepted), rejected: '0' }],
          receivedAt: new Date().toISOString(),
        },
      } as never,
      app.get<DataSource>(DATA_SOURCE).manager,
    );
    return deliveryId;
  };
  /** A lot of all that one delivery brought: received first, as a lot from a contract needs. */
  const record = async (owner: string, from: { contractId: string; callOffId: string }, sku: string, quantity: number | string) => {
    const deliveryId = await received(owner, from, sku, quantity);
    const r = await http(url, 'POST', '/lots', { source: { kind: 'contract', ...from, deliveryId }, sku, quantity }, as(owner));
    expect(r.status).toBe(201);
    return r.body.lotId as string;
  };
  const recordFromResale = async (owner: string, upstreamLotId: string, resaleId: string) => {
    const r = await http(url, 'POST', '/lots', { source: { kind: 'resale', upstreamLotId, resaleId } }, as(owner));
    expect(r.status).toBe(201);
    return r.body.lotId as string;
  };
  const resell = async (owner: string, lotId: string, buyerId: string, quantity: number | string, unitPrice: string) => {
    const r = await http(url, 'POST', `/lots/${lotId}/resales`, { buyerId, quantity, unitPrice }, as(owner));
    expect(r.status).toBe(201);
    return r.body.resaleId as string;
  };
  const caughtUp = async () => {
    await app.get(LotListProjection).catchUp();
    await app.get(ResaleListProjection).catchUp();
  };
  const lots = async (companyId: string, query = '') => {
    await caughtUp();
    return http(url, 'GET', `/lots${query}`, undefined, as(companyId));
  };
  const resales = async (companyId: string, query = '') => {
    await caughtUp();
    return http(url, 'GET', `/resales${query}`, undefined, as(companyId));
  };

  it('shows a company only the lots it owns, with quantity recorded and left, cost and source, and filters them', async () => {
    const [maker, cableMaker, distA, distB, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const k1 = await supplyLine(distA, maker, [
      { sku: 'NMC-MOD-48V', description: '48 V battery module', quantity: 800, unitPrice: '1095.00' },
      { sku: 'CELL-21700', description: 'Cylindrical cell 21700', quantity: 5000, unitPrice: '2.10' },
    ]);
    // Cable by the metre: a decimal quantity throughout.
    const k2 = await supplyLine(distA, cableMaker, [{ sku: 'CABLE-HV', description: 'High-voltage cable harness', quantity: '100.5', unitPrice: '55.00' }]);
    const modules = await record(distA, k1, 'NMC-MOD-48V', 800);
    const cells = await record(distA, k1, 'CELL-21700', '5000');
    const cables = await record(distA, k2, 'CABLE-HV', '100.50');
    const toB = await resell(distA, modules, distB, 300, '1240.00');
    await resell(distA, cables, distB, '60.25', '60.00');
    expect((await lots(distA, '?sku=CABLE-HV')).body.items).toEqual([expect.objectContaining({ lotId: cables, quantity: '100.5', remaining: '40.25' })]);
    await resell(distA, cables, distB, '40.25', '60.00');
    const modulesB = await recordFromResale(distB, modules, toB);

    expect(ids(await lots(distA))).toEqual([cables, cells, modules]);
    expect((await lots(distA, '?sku=NMC-MOD-48V')).body).toEqual({
      items: [
        {
          lotId: modules,
          ownerId: distA,
          sellerId: maker,
          originSupplierId: maker,
          sku: 'NMC-MOD-48V',
          description: '48 V battery module',
          quantity: '800',
          remaining: '500',
          unitCost: '1095.00',
          currency: 'EUR',
          source: { kind: 'contract', contractId: k1.contractId, callOffId: k1.callOffId, upstreamLotId: null, resaleId: null },
          recordedAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
      next: null,
    });
    // The buyer downstream owns its own lot, at what it paid; the seller's lot stays the seller's.
    expect((await lots(distB)).body.items).toEqual([
      expect.objectContaining({
        lotId: modulesB,
        ownerId: distB,
        sellerId: distA,
        originSupplierId: maker,
        quantity: '300',
        remaining: '300',
        unitCost: '1240.00',
        source: { kind: 'resale', contractId: null, callOffId: null, upstreamLotId: modules, resaleId: toB },
      }),
    ]);
    expect(ids(await lots(maker))).toEqual([]);
    expect(ids(await lots(stranger))).toEqual([]);

    expect(ids(await lots(distA, '?inStock=true'))).toEqual([cells, modules]);
    expect(ids(await lots(distA, '?inStock=false'))).toEqual([cables]);
    expect(ids(await lots(distA, `?origin=${cableMaker}`))).toEqual([cables]);
    expect(ids(await lots(distA, `?origin=${maker}&inStock=true&sku=CELL-21700`))).toEqual([cells]);
    expect(ids(await lots(distB, `?origin=${maker}`))).toEqual([modulesB]);
    expect(ids(await lots(distB, `?origin=${cableMaker}`))).toEqual([]);

    // The list follows the events: resold again, the lot shows what is left.
    await resell(distA, cells, distB, 5000, '2.50');
    expect(ids(await lots(distA, '?inStock=true'))).toEqual([modules]);
    expect((await lots(distA, '?sku=CELL-21700')).body.items).toEqual([expect.objectContaining({ lotId: cells, quantity: '5000', remaining: '0' })]);
  });

  it('shows resales to their seller with cost and margin and to their buyer without, and to nobody else', async () => {
    const [maker, distA, distB, distC, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const k = await supplyLine(distA, maker, [
      { sku: 'INV-5KW', description: 'Solar inverter 5 kW', quantity: 200, unitPrice: '800.00' },
      { sku: 'RAIL-2M', description: 'Mounting rail 2 m', quantity: 1000, unitPrice: '12.00' },
    ]);
    const inverters = await record(distA, k, 'INV-5KW', 200);
    const rails = await record(distA, k, 'RAIL-2M', 1000);
    const r1 = await resell(distA, inverters, distB, 50, '900.00');
    const r2 = await resell(distA, rails, distB, 400, '15.00');
    const r3 = await resell(distA, rails, distC, 100, '14.00');
    const invertersB = await recordFromResale(distB, inverters, r1);
    const r4 = await resell(distB, invertersB, distC, 20, '990.00');
    const resaleIds = (r: { body: any }) => ids(r, 'resaleId');

    expect(resaleIds(await resales(distA))).toEqual([r3, r2, r1]);
    expect(resaleIds(await resales(distA, '?role=sold'))).toEqual([r3, r2, r1]);
    expect(resaleIds(await resales(distA, '?role=bought'))).toEqual([]);
    expect(resaleIds(await resales(distA, '?sku=RAIL-2M'))).toEqual([r3, r2]);
    expect(resaleIds(await resales(distA, `?buyer=${distB}`))).toEqual([r2, r1]);
    expect(resaleIds(await resales(distA, `?buyer=${distC}&sku=RAIL-2M`))).toEqual([r3]);

    const sold = (await resales(distA, `?buyer=${distB}&sku=INV-5KW`)).body.items;
    expect(sold).toEqual([
      {
        resaleId: r1,
        lotId: inverters,
        role: 'sold',
        sellerId: distA,
        buyerId: distB,
        originSupplierId: maker,
        sku: 'INV-5KW',
        quantity: '50',
        unitPrice: '900.00',
        currency: 'EUR',
        downstreamContractId: null,
        unitCost: '800.00',
        margin: '5000.00',
        remaining: '150',
        resoldAt: expect.any(String),
      },
    ]);

    expect(resaleIds(await resales(distB))).toEqual([r4, r2, r1]);
    expect(resaleIds(await resales(distB, '?role=bought'))).toEqual([r2, r1]);
    expect(resaleIds(await resales(distB, '?role=sold'))).toEqual([r4]);
    expect(resaleIds(await resales(distB, `?buyer=${distC}`))).toEqual([r4]);
    // The buyer sees what it bought and at what price, not what the goods cost its seller.
    const bought = (await resales(distB, '?role=bought&sku=INV-5KW')).body.items;
    expect(bought).toEqual([
      {
        resaleId: r1,
        lotId: inverters,
        role: 'bought',
        sellerId: distA,
        buyerId: distB,
        originSupplierId: maker,
        sku: 'INV-5KW',
        quantity: '50',
        unitPrice: '900.00',
        currency: 'EUR',
        downstreamContractId: null,
        resoldAt: expect.any(String),
      },
    ]);
    for (const hidden of ['unitCost', 'margin', 'remaining']) expect(bought[0]).not.toHaveProperty(hidden);
    expect((await resales(distB, '?role=sold')).body.items).toEqual([
      expect.objectContaining({ resaleId: r4, role: 'sold', unitCost: '900.00', margin: '1800.00', remaining: '30' }),
    ]);

    // Two hops down, distC sees its own purchases only, and nothing of what distA or distB paid.
    const byC = await resales(distC);
    expect(resaleIds(byC)).toEqual([r4, r3]);
    for (const row of byC.body.items) {
      expect(row.role).toBe('bought');
      for (const hidden of ['unitCost', 'margin', 'remaining']) expect(row).not.toHaveProperty(hidden);
    }
    expect(resaleIds(await resales(distC, '?role=sold'))).toEqual([]);
    // The maker is a party of the events, not of the sales.
    expect(resaleIds(await resales(maker))).toEqual([]);
    expect(resaleIds(await resales(stranger))).toEqual([]);
  });

  it('pages never repeat or skip a lot while others are recorded and resold meanwhile', async () => {
    const [maker, dist, buyer] = [randomUUID(), randomUUID(), randomUUID()];
    const bolts = (n = 1000): Line[] => [{ sku: 'BOLT-M8', description: 'Hex bolt M8', quantity: n, unitPrice: '0.10' }];
    const k = await supplyLine(dist, maker, bolts());
    const before: string[] = [await record(dist, k, 'BOLT-M8', 1000)];
    for (let i = 1; i < 12; i++)
      before.push(await record(dist, { contractId: k.contractId, callOffId: await callOff(k.contractId, bolts()) }, 'BOLT-M8', 1000));
    await caughtUp();
    // Read as any reader does, while the projection moves on (no waiting for it to catch up).
    const { seen, written } = await pageWhileWriting({
      read: (pathAndQuery) => http(url, 'GET', pathAndQuery, undefined, as(dist)),
      path: '/lots',
      first: '?limit=5&inStock=true',
      nextMatches: /^\/lots\?.*inStock=true.*after=/,
      ids: (p) => ids(p),
      write: async (written) => {
        await record(dist, { contractId: k.contractId, callOffId: await callOff(k.contractId, bolts()) }, 'BOLT-M8', 1000);
        await resell(dist, before[written % before.length], buyer, 1, '0.20');
      },
    });
    expect(written).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => before.includes(id))).toEqual([...before].reverse());
  });

  it('pages never repeat or skip a resale while others are made meanwhile', async () => {
    const [maker, dist, buyer] = [randomUUID(), randomUUID(), randomUUID()];
    const k = await supplyLine(dist, maker, [{ sku: 'NUT-M8', description: 'Hex nut M8', quantity: 10000, unitPrice: '0.05' }]);
    const lot = await record(dist, k, 'NUT-M8', 10000);
    const before: string[] = [];
    for (let i = 0; i < 12; i++) before.push(await resell(dist, lot, buyer, 10, '0.08'));
    await caughtUp();
    // Read as any reader does, while the projection moves on (no waiting for it to catch up).
    const { seen, written } = await pageWhileWriting({
      read: (pathAndQuery) => http(url, 'GET', pathAndQuery, undefined, as(buyer)),
      path: '/resales',
      first: '?limit=5&role=bought',
      nextMatches: /^\/resales\?.*role=bought.*after=/,
      ids: (p) => ids(p, 'resaleId'),
      write: async () => {
        await resell(dist, lot, buyer, 1, '0.09');
      },
    });
    expect(written).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => before.includes(id))).toEqual([...before].reverse());
  });

  it('refuses forged cursors and bad filters with problem+json', async () => {
    const company = randomUUID();
    const forged = Buffer.from('{"p":-1}').toString('base64url');
    for (const query of [
      '?after=not-a-cursor',
      `?after=${forged}`,
      '?limit=500',
      '?limit=0',
      '?inStock=yes',
      '?origin=x',
      `?sku=${'x'.repeat(65)}`,
      '?owner=x',
    ]) {
      const r = await lots(company, query);
      expect(r).toMatchObject({ status: 400, body: { status: 400 } });
      expect(r.type).toContain('application/problem+json');
    }
    for (const query of ['?after=not-a-cursor', `?after=${forged}`, '?limit=500', '?role=lent', '?buyer=x', '?inStock=true']) {
      const r = await resales(company, query);
      expect(r).toMatchObject({ status: 400, body: { status: 400 } });
      expect(r.type).toContain('application/problem+json');
    }
  });

  it('finds lots by words of their sku and description or the name of their seller or maker, only among the caller’s own', async () => {
    const [maker, cableMaker, distA, distB, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const companies = app.get(KnownCompanies);
    companies.apply('CompanyRegistered', { companyId: maker, name: 'Voltaris Zellenwerk GmbH', roles: ['supplier'] });
    companies.apply('CompanyRegistered', { companyId: cableMaker, name: 'Kessler Kabelwerke AG', roles: ['supplier'] });
    companies.apply('CompanyRegistered', { companyId: distA, name: 'Adria Komponentenhandel d.o.o.', roles: ['buyer', 'supplier'] });
    const k1 = await supplyLine(distA, maker, [
      { sku: 'NMC-MOD-48V', description: '48 V battery module', quantity: 800, unitPrice: '1095.00' },
      { sku: 'CELL-21700', description: 'Cylindrical cell 21700', quantity: 5000, unitPrice: '2.10' },
    ]);
    const k2 = await supplyLine(distA, cableMaker, [{ sku: 'CABLE-HV', description: 'High-voltage cable harness', quantity: 100, unitPrice: '55.00' }]);
    const modules = await record(distA, k1, 'NMC-MOD-48V', 800);
    const cells = await record(distA, k1, 'CELL-21700', 5000);
    const cables = await record(distA, k2, 'CABLE-HV', 100);
    const modulesB = await recordFromResale(distB, modules, await resell(distA, modules, distB, 100, '1200.00'));
    const search = async (company: string, q: string) => ids(await lots(company, `?q=${encodeURIComponent(q)}`));

    expect(await search(distA, 'battery')).toEqual([modules]);
    expect(await search(distA, 'cylindrical 21700')).toEqual([cells]);
    expect(await search(distA, 'NMC-MOD-48V')).toEqual([modules]);
    expect(await search(distA, 'module or harness')).toEqual([cables, modules]);
    expect(await search(distA, 'voltaris')).toEqual([cells, modules]);
    expect(await search(distA, 'kessler kabelwerke')).toEqual([cables]);
    // The owner's own name finds none of its lots: only the seller and the maker stand behind one.
    expect(await search(distA, 'adria')).toEqual([]);

    expect(await search(distB, 'battery')).toEqual([modulesB]);
    expect(await search(distB, 'adria')).toEqual([modulesB]);
    expect(await search(distB, 'voltaris')).toEqual([modulesB]);
    expect(await search(distB, 'kessler')).toEqual([]);
    expect(await search(distB, 'cell')).toEqual([]);
    expect(await search(maker, 'battery')).toEqual([]);
    expect(await search(stranger, 'battery')).toEqual([]);
    expect(await search(stranger, 'voltaris')).toEqual([]);
    expect(ids(await lots(distA, `?q=voltaris&inStock=true&sku=CELL-21700`))).toEqual([cells]);
  });

  it('rebuilds both lists from the log: equal digests leave the rows alone, a drifted row is replaced by what the events say', async () => {
    const [maker, dist, buyer] = [randomUUID(), randomUUID(), randomUUID()];
    const k = await supplyLine(dist, maker, [{ sku: 'DRIFT-1', description: 'Drift part', quantity: 100, unitPrice: '10.00' }]);
    const lot = await record(dist, k, 'DRIFT-1', 100);
    const resale = await resell(dist, lot, buyer, 40, '12.00');
    await caughtUp();
    const rebuild = (name: string) => fetch(`${url}/admin/read-models/${name}/rebuild`, { method: 'POST', headers: { 'x-admin-key': adminKey() } });
    const db = app.get<DataSource>(DATA_SOURCE);

    for (const [name, tamper] of [
      ['lot_list', () => db.query(`UPDATE ${app.get(LotListProjection).table} SET remaining = 100 WHERE lot_id = $1`, [lot])],
      ['resale_list', () => db.query(`UPDATE ${app.get(ResaleListProjection).table} SET margin = '0.00' WHERE resale_id = $1`, [resale])],
    ] as const) {
      const clean = await rebuild(name);
      expect(clean.status).toBe(200);
      const first = (await clean.json()) as any;
      expect(first).toMatchObject({ readModel: name, replaced: false });
      expect(first.rebuilt).toEqual(first.live);
      expect(first.events).toBeGreaterThan(0);

      await tamper();
      const drifted = (await (await rebuild(name)).json()) as any;
      expect(drifted.replaced).toBe(true);
      expect(drifted.live.digest).not.toBe(drifted.rebuilt.digest);
      expect(((await (await rebuild(name)).json()) as any).replaced).toBe(false);
    }
    expect((await lots(dist, '?sku=DRIFT-1')).body.items).toEqual([expect.objectContaining({ lotId: lot, remaining: '60' })]);
    expect((await resales(dist)).body.items).toEqual([expect.objectContaining({ resaleId: resale, margin: '80.00' })]);
  });
});
