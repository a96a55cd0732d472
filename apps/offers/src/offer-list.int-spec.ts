import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { adminKey } from '@dealledger/auth';
import { DATA_SOURCE, encodeCursor, KnownCompanies } from '@dealledger/platform';
import { genericPlanOf, http, startTestApp, tokenFor, uniqueName, pageWhileWriting } from '@dealledger/testing';
import { OfferListProjection } from './offer/list/offer-list.projection';
import { OFFERS, OffersModule } from './offers.module';

const tiers = [{ minQuantity: 10, unitPrice: '100.00' }];
const body = (buyerId: string, sku: string, days = 30) => ({
  buyerId,
  items: [{ sku, kind: 'component', description: `${sku} part`, unit: 'piece', currency: 'EUR', tiers }],
  validUntil: new Date(Date.now() + days * 86400000).toISOString(),
  paymentTerms: '30 days net',
  deliveryTerms: 'DAP',
});
const as = (companyId: string) => tokenFor({ companyId, personId: randomUUID(), roles: ['executive', 'procurement'] });

describe('the offers list: what each company may see, filtered, paged without repeats or gaps (real PostgreSQL)', () => {
  const schema = uniqueName('offer_list');
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    process.env.DB_SCHEMA = schema;
    ({ app, url } = await startTestApp(OffersModule, OFFERS));
  });

  afterAll(async () => {
    await app.close();
    const db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    delete process.env.DB_SCHEMA;
  });

  const draft = async (supplier: string, buyer: string, sku: string, days?: number) => {
    const r = await http(url, 'POST', '/offers', body(buyer, sku, days), as(supplier));
    expect(r.status).toBe(201);
    return r.body.offerId as string;
  };
  const submit = async (supplier: string, offerId: string) => expect((await http(url, 'POST', `/offers/${offerId}/submit`, {}, as(supplier))).status).toBe(200);
  const list = async (companyId: string, query = '') => {
    await app.get(OfferListProjection).catchUp();
    return http(url, 'GET', `/offers${query}`, undefined, as(companyId));
  };
  const ids = (r: { body: any }) => (r.body.items as { offerId: string }[]).map((i) => i.offerId);

  it('shows a supplier what it sent and a buyer what was submitted to it, and nobody else anything', async () => {
    const [supplier, buyer, other, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const tyres = await draft(supplier, buyer, 'TYRE-1');
    const rims = await draft(supplier, buyer, 'RIM-1', 3);
    const draftOnly = await draft(supplier, buyer, 'TYRE-1');
    const toOther = await draft(supplier, other, 'TYRE-1');
    await submit(supplier, tyres);
    await submit(supplier, rims);

    expect(ids(await list(supplier, '?role=sent'))).toEqual([toOther, draftOnly, rims, tyres]);
    // The draft stays the supplier's until it is submitted.
    expect(ids(await list(buyer))).toEqual([rims, tyres]);
    expect(ids(await list(buyer, '?role=sent'))).toEqual([]);
    expect(ids(await list(other))).toEqual([]);
    expect(ids(await list(stranger))).toEqual([]);

    expect(ids(await list(supplier, `?counterparty=${buyer}&status=submitted`))).toEqual([rims, tyres]);
    expect(ids(await list(supplier, '?sku=RIM-1'))).toEqual([rims]);
    expect(ids(await list(buyer, `?validBefore=${encodeURIComponent(new Date(Date.now() + 7 * 86400000).toISOString())}`))).toEqual([rims]);

    // The list follows the events: withdrawn, the offer shows its new status.
    expect((await http(url, 'POST', `/offers/${tyres}/withdraw`, { reason: 'superseded' }, as(supplier))).status).toBe(200);
    expect((await list(buyer, '?status=withdrawn')).body.items).toEqual([
      expect.objectContaining({ offerId: tyres, status: 'withdrawn', supplierId: supplier, buyerId: buyer }),
    ]);
  });

  it('pages never repeat or skip an offer while others are drafted and submitted meanwhile', async () => {
    const [supplier, buyer] = [randomUUID(), randomUUID()];
    const before: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await draft(supplier, buyer, `SKU-${i}`);
      await submit(supplier, id);
      before.push(id);
    }
    await app.get(OfferListProjection).catchUp();
    // Read as any reader does, while the projection moves on (no waiting for it to catch up).
    const { seen, written } = await pageWhileWriting({
      read: (pathAndQuery) => http(url, 'GET', pathAndQuery, undefined, as(buyer)),
      path: '/offers',
      first: '?limit=5&role=received',
      nextMatches: /^\/offers\?.*role=received.*after=/,
      ids: (p) => ids(p),
      write: async () => {
        await submit(supplier, await draft(supplier, buyer, 'SKU-NEW'));
      },
    });
    expect(written).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => before.includes(id))).toEqual([...before].reverse());
  });

  it("reads a company's page in both roles from each role's index in its order, not every offer of the company", async () => {
    const company = randomUUID();
    for (const query of ['', '?status=submitted', `?after=${encodeCursor(1000)}`]) {
      const { nodes } = await genericPlanOf(app.get<DataSource>(DATA_SOURCE), /SELECT offer_id, supplier_id/, async () =>
        expect((await list(company, query)).status).toBe(200),
      );
      const scans = nodes.filter((n) => n['Node Type'] === 'Index Scan').map((n) => n['Index Name']);
      expect(nodes.map((n) => n['Node Type'])).not.toContain('BitmapOr');
      expect(scans.sort()).toEqual(['offer_list_buyer_idx', 'offer_list_supplier_idx']);
    }
  });

  it('refuses a forged cursor and an oversized page with problem+json', async () => {
    const company = randomUUID();
    for (const query of ['?after=not-a-cursor', `?after=${Buffer.from('{"p":-1}').toString('base64url')}`, '?limit=500', '?status=lost', '?counterparty=x']) {
      const r = await list(company, query);
      expect(r).toMatchObject({ status: 400, body: { status: 400 } });
    }
  });

  it('rebuilds from the log: equal digests leave the rows alone, a drifted row is replaced by what the events say', async () => {
    const [supplier, buyer] = [randomUUID(), randomUUID()];
    const offer = await draft(supplier, buyer, 'DRIFT-1');
    await submit(supplier, offer);
    await app.get(OfferListProjection).catchUp();
    const rebuild = () => fetch(`${url}/admin/read-models/offer_list/rebuild`, { method: 'POST', headers: { 'x-admin-key': adminKey() } });

    const clean = await rebuild();
    expect(clean.status).toBe(200);
    const first = (await clean.json()) as any;
    expect(first).toMatchObject({ readModel: 'offer_list', replaced: false });
    expect(first.rebuilt).toEqual(first.live);
    expect(first.events).toBeGreaterThan(0);

    const db = app.get(OfferListProjection).table;
    await app.get(DATA_SOURCE).query(`UPDATE ${db} SET status = 'accepted' WHERE offer_id = $1`, [offer]);
    const drifted = (await (await rebuild()).json()) as any;
    expect(drifted.replaced).toBe(true);
    expect(drifted.live.digest).not.toBe(drifted.rebuilt.digest);
    expect((await list(supplier, `?status=submitted&role=sent`)).body.items.map((i: { offerId: string }) => i.offerId)).toContain(offer);
    expect(((await (await rebuild()).json()) as any).replaced).toBe(false);

    expect((await fetch(`${url}/admin/read-models/offer_list/rebuild`, { method: 'POST', headers: { 'x-admin-key': 'wrong' } })).status).toBe(401);
    const unknown = await fetch(`${url}/admin/read-models/nothing/rebuild`, { method: 'POST', headers: { 'x-admin-key': adminKey() } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
  });

  it('finds offers by words of their skus and descriptions or the counterparty name, only among those the caller may see', async () => {
    const [supplier, buyer, rival, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    app.get(KnownCompanies).apply('CompanyRegistered', { companyId: buyer, name: 'Nordwerk Fahrzeugbau AG', roles: ['buyer'] });
    app.get(KnownCompanies).apply('CompanyRegistered', { companyId: rival, name: 'Überland Gießerei GmbH', roles: ['supplier'] });
    const brakes = await draft(supplier, buyer, 'BRAKE-DISC-330');
    const hidden = await draft(supplier, buyer, 'BRAKE-PAD-12');
    const rivals = await draft(rival, buyer, 'BRAKE-DISC-330');
    await submit(supplier, brakes);
    await submit(rival, rivals);
    const search = async (company: string, q: string) => ids(await list(company, `?q=${encodeURIComponent(q)}`));

    expect(await search(supplier, 'brake')).toEqual([hidden, brakes]);
    expect(await search(supplier, 'disc part')).toEqual([brakes]);
    expect(await search(supplier, 'nordwerk')).toEqual([hidden, brakes]);
    // Its competitor's offer to the same buyer is not the supplier's to find.
    expect(await search(supplier, 'gieserei')).toEqual([]);
    expect(await search(buyer, 'BRAKE-DISC-330')).toEqual([rivals, brakes]);
    expect(await search(buyer, 'überland')).toEqual([rivals]);
    expect(await search(buyer, 'pad')).toEqual([]);
    expect(await search(stranger, 'brake')).toEqual([]);
    expect(await search(stranger, 'nordwerk')).toEqual([]);
  });

  it('never shows the buyer an offer withdrawn before it was submitted, in the list, in search or by id', async () => {
    const [supplier, buyer] = [randomUUID(), randomUUID()];
    const unsent = await draft(supplier, buyer, 'GASKET-9');
    expect((await http(url, 'POST', `/offers/${unsent}/withdraw`, { reason: 'wrong buyer' }, as(supplier))).status).toBe(200);
    expect(ids(await list(supplier, '?status=withdrawn'))).toEqual([unsent]);
    expect(ids(await list(buyer))).toEqual([]);
    expect(ids(await list(buyer, '?q=gasket'))).toEqual([]);
    expect((await http(url, 'GET', `/offers/${unsent}`, undefined, as(buyer))).status).toBe(404);
  });
});
