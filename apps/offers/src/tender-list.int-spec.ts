import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { adminKey } from '@dealledger/auth';
import { DATA_SOURCE, KnownCompanies } from '@dealledger/platform';
import { genericPlan, http, startTestApp, tokenFor, uniqueName } from '@dealledger/testing';
import { TenderBidListProjection } from './tender/list/tender-bid-list.projection';
import { noticesSql, TenderListProjection } from './tender/list/tender-list.projection';
import { OFFERS, OffersModule } from './offers.module';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inDays = (days: number) => new Date(Date.now() + days * 86400000).toISOString();
const as = (companyId: string, roles = ['executive', 'procurement']) => tokenFor({ companyId, personId: randomUUID(), roles });

interface TenderOptions {
  title?: string;
  deadline?: string;
  publicProcurement?: boolean;
  items?: { itemId: string; description: string; specification: string }[];
}
const tenderBody = (o: TenderOptions) => ({
  title: o.title ?? 'Tyres for the 2028 model year',
  items: (o.items ?? [{ itemId: 'lot-1', description: 'All-season tyre 225/45 R17', specification: 'EU tyre label B/B/70 dB' }]).map((i) => ({
    ...i,
    quantity: '100',
    unit: 'piece',
  })),
  submissionDeadline: o.deadline ?? inDays(30),
  weights: { price: 50, quality: 20, reputation: 10, service: 15, partnership: 5 },
  publicProcurement: o.publicProcurement ?? false,
  currency: 'EUR',
});

describe('the tenders and bids lists: what each company may see, filtered, searched, paged without repeats or gaps (real PostgreSQL)', () => {
  const schema = uniqueName('tender_list');
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

  const open = async (buyer: string, o: TenderOptions = {}) => {
    const r = await http(url, 'POST', '/tenders', tenderBody(o), as(buyer));
    expect(r.status).toBe(201);
    return r.body.tenderId as string;
  };
  const invite = async (buyer: string, tenderId: string, ...supplierIds: string[]) =>
    expect((await http(url, 'POST', `/tenders/${tenderId}/invitations`, { supplierIds }, as(buyer))).status).toBe(200);
  const bid = async (supplier: string, tenderId: string, unitPrice: string) => {
    const r = await http(url, 'POST', `/tenders/${tenderId}/bids`, { prices: [{ itemId: 'lot-1', unitPrice }] }, as(supplier));
    expect(r.status).toBe(200);
    return r.body as { bidId: string; contentHash: string };
  };
  const publicBody = (name: string) => {
    const id = randomUUID();
    app.get(KnownCompanies).apply('CompanyRegistered', { companyId: id, name, roles: ['buyer', 'public_body'] });
    app.get(KnownCompanies).apply('CompanyVerified', { companyId: id });
    return id;
  };
  const catchUp = async () => {
    await app.get(TenderListProjection).catchUp();
    await app.get(TenderBidListProjection).catchUp();
  };
  const list = async (companyId: string, query = '') => {
    await catchUp();
    return http(url, 'GET', `/tenders${query}`, undefined, as(companyId));
  };
  const bids = async (companyId: string, query = '') => {
    await catchUp();
    return http(url, 'GET', `/tenders/bids${query}`, undefined, as(companyId));
  };
  const tenderIds = (r: { body: any }) => (r.body.items as { tenderId: string }[]).map((i) => i.tenderId);
  const bidIds = (r: { body: any }) => (r.body.items as { bidId: string }[]).map((i) => i.bidId);
  const item = async (companyId: string, tenderId: string) => (await list(companyId)).body.items.find((i: { tenderId: string }) => i.tenderId === tenderId);

  it('shows the buyer its tenders and a supplier those it was invited to, as GET /tenders/:id does, never who else was invited', async () => {
    const [buyer, otherBuyer, s1, s2, s3, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const city = publicBody('Stadt Linz');
    const a = await open(buyer, { title: 'Steel coils', deadline: inDays(3) });
    const b = await open(buyer, { title: 'Tyres' });
    // Not yet invited: not the supplier's to see.
    expect(tenderIds(await list(s1))).toEqual([]);
    await invite(buyer, a, s1);
    await invite(buyer, b, s1, s2);
    const c = await open(otherBuyer, { title: 'Glass' });
    await invite(otherBuyer, c, s2);
    // A public procurement is seen by its invited suppliers only, as GET /tenders/:id decides.
    const p = await open(city, { title: 'Bus batteries', publicProcurement: true });
    await invite(city, p, s1);

    expect(tenderIds(await list(buyer))).toEqual([b, a]);
    expect(tenderIds(await list(buyer, '?role=opened'))).toEqual([b, a]);
    expect(tenderIds(await list(buyer, '?role=invited'))).toEqual([]);
    expect(tenderIds(await list(s1))).toEqual([p, b, a]);
    expect(tenderIds(await list(s1, '?role=invited'))).toEqual([p, b, a]);
    expect(tenderIds(await list(s1, '?role=opened'))).toEqual([]);
    expect(tenderIds(await list(s2))).toEqual([c, b]);
    expect(tenderIds(await list(otherBuyer))).toEqual([c]);
    expect(tenderIds(await list(city))).toEqual([p]);
    expect(tenderIds(await list(stranger))).toEqual([]);

    for (const company of [buyer, otherBuyer, s1, s2, stranger, city]) {
      const listed = tenderIds(await list(company));
      for (const id of [a, b, c, p]) {
        const got = await http(url, 'GET', `/tenders/${id}`, undefined, as(company));
        expect([company, id, got.status === 200]).toEqual([company, id, listed.includes(id)]);
      }
    }

    const seenByS1 = (await list(s1)).body.items;
    expect(seenByS1.map((i: { role: string }) => i.role)).toEqual(['invited', 'invited', 'invited']);
    expect(seenByS1[1]).toEqual({
      tenderId: b,
      buyerId: buyer,
      role: 'invited',
      title: 'Tyres',
      status: 'open',
      publicProcurement: false,
      currency: 'EUR',
      submissionDeadline: expect.any(String),
      itemIds: ['lot-1'],
      awardedTo: null,
      openedAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(seenByS1)).not.toContain(s2);
    expect((await list(buyer)).body.items.map((i: { role: string }) => i.role)).toEqual(['opened', 'opened']);

    // A rival invited and bidding does not move what s1 sees of the tender.
    const before = await item(s1, b);
    await invite(buyer, b, s3);
    await bid(s3, b, '50.00');
    expect(await item(s1, b)).toEqual(before);

    expect(tenderIds(await list(buyer, `?deadlineBefore=${encodeURIComponent(inDays(7))}`))).toEqual([a]);
    expect(tenderIds(await list(s1, `?deadlineBefore=${encodeURIComponent(inDays(7))}`))).toEqual([a]);
    expect((await http(url, 'POST', `/tenders/${a}/cancel`, { reason: 'budget moved' }, as(buyer))).status).toBe(200);
    expect(tenderIds(await list(buyer, '?status=cancelled'))).toEqual([a]);
    expect(tenderIds(await list(s1, '?status=open'))).toEqual([p, b]);
    expect(await item(s1, a)).toMatchObject({ status: 'cancelled' });
    expect(tenderIds(await list(s2, '?status=cancelled'))).toEqual([]);
  });

  it("lists each bidder's own bids only: submitted, replaced, withdrawn, then won or lost as the award is shown to it", async () => {
    const [buyer, s1, s2, s3, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const city = publicBody('Gemeinde Wels');
    const deadline = new Date(Date.now() + 4000).toISOString();
    const t = await open(buyer, { title: 'Brake pads', deadline });
    const pub = await open(city, { title: 'Bus batteries', deadline, publicProcurement: true });
    await invite(buyer, t, s1, s2, s3);
    await invite(city, pub, s1, s3);
    const first = await bid(s1, t, '12.00');
    const second = await bid(s1, t, '11.00');
    const gone = await bid(s2, t, '10.00');
    expect((await http(url, 'POST', `/tenders/${t}/bids/withdraw`, {}, as(s2))).status).toBe(200);
    const third = await bid(s3, t, '13.00');
    const pubS1 = await bid(s1, pub, '500.00');
    const pubS3 = await bid(s3, pub, '450.00');

    const mine = await bids(s1);
    expect(mine.body.items.map((i: any) => [i.bidId, i.tenderId, i.status, i.tenderStatus, i.total])).toEqual([
      [pubS1.bidId, pub, 'submitted', 'open', null],
      [second.bidId, t, 'submitted', 'open', null],
      [first.bidId, t, 'replaced', 'open', null],
    ]);
    expect(mine.body.items[1]).toMatchObject({ supplierId: s1, buyerId: buyer, contentHash: second.contentHash });
    expect(bidIds(await bids(s1, `?tenderId=${t}`))).toEqual([second.bidId, first.bidId]);
    expect(bidIds(await bids(s1, '?status=replaced'))).toEqual([first.bidId]);
    expect((await bids(s2)).body.items.map((i: any) => [i.bidId, i.status])).toEqual([[gone.bidId, 'withdrawn']]);
    expect(bidIds(await bids(s3))).toEqual([pubS3.bidId, third.bidId]);
    expect(bidIds(await bids(s3, `?tenderId=${t}&status=submitted`))).toEqual([third.bidId]);
    // The buyer submitted none; nobody sees another's bid.
    expect(bidIds(await bids(buyer))).toEqual([]);
    expect(bidIds(await bids(city))).toEqual([]);
    expect(bidIds(await bids(stranger))).toEqual([]);

    await sleep(Math.max(0, Date.parse(deadline) - Date.now()) + 200);
    expect((await http(url, 'POST', `/tenders/${t}/close`, {}, as(buyer))).status).toBe(200);
    expect((await http(url, 'POST', `/tenders/${pub}/close`, {}, as(city))).status).toBe(200);
    // Opened at close: each bidder sees its own total (100 pieces), as in GET /tenders/:id.
    expect((await bids(s1, `?tenderId=${t}`)).body.items.map((i: any) => [i.status, i.tenderStatus, i.total])).toEqual([
      ['submitted', 'closed', '1100.00'],
      ['replaced', 'closed', null],
    ]);

    const evaluate = (company: string, tenderId: string, supplierId: string, score: number, roles?: string[]) =>
      http(
        url,
        'POST',
        `/tenders/${tenderId}/evaluations`,
        { supplierId, scores: { quality: score, reputation: score, service: score, partnership: score } },
        as(company, roles),
      );
    expect((await evaluate(buyer, t, s1, 8)).status).toBe(200);
    expect((await evaluate(buyer, t, s3, 6)).status).toBe(200);
    expect((await http(url, 'POST', `/tenders/${t}/award`, { supplierId: s1 }, as(buyer))).status).toBe(200);
    expect((await evaluate(city, pub, s1, 5, ['government'])).status).toBe(200);
    expect((await evaluate(city, pub, s3, 9, ['government'])).status).toBe(200);
    expect((await http(url, 'POST', `/tenders/${pub}/award`, { supplierId: s3 }, as(city))).status).toBe(200);

    expect((await bids(s1)).body.items.map((i: any) => [i.bidId, i.status, i.tenderStatus])).toEqual([
      [pubS1.bidId, 'lost', 'awarded'],
      [second.bidId, 'won', 'awarded'],
      [first.bidId, 'replaced', 'awarded'],
    ]);
    expect((await bids(s3)).body.items.map((i: any) => [i.bidId, i.status])).toEqual([
      [pubS3.bidId, 'won'],
      [third.bidId, 'lost'],
    ]);
    expect((await bids(s2)).body.items.map((i: any) => [i.status, i.tenderStatus])).toEqual([['withdrawn', 'awarded']]);
    expect(bidIds(await bids(s1, '?status=won'))).toEqual([second.bidId]);

    // The winner of a private tender is the buyer's and the winner's to know; a public award is published.
    expect(await item(buyer, t)).toMatchObject({ status: 'awarded', awardedTo: s1 });
    expect(await item(s1, t)).toMatchObject({ status: 'awarded', awardedTo: s1 });
    expect(await item(s3, t)).toMatchObject({ status: 'awarded', awardedTo: null });
    expect((await http(url, 'GET', `/tenders/${t}`, undefined, as(s3))).body.award).toBeUndefined();
    expect(await item(s1, pub)).toMatchObject({ status: 'awarded', awardedTo: s3 });
    expect((await http(url, 'GET', `/tenders/${pub}`, undefined, as(s1))).body.award).toMatchObject({ supplierId: s3 });
    expect(tenderIds(await list(s3, '?status=awarded'))).toEqual([pub, t]);
  });

  it('keeps a tender in lots closed until its last lot is awarded; then a bid that won any lot is won, the others lost', async () => {
    const [buyer, s1, s2, s3] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const deadline = new Date(Date.now() + 2500).toISOString();
    const items = [
      { itemId: 'pads', description: 'Brake pads', specification: 'ECE R90' },
      { itemId: 'discs', description: 'Brake discs', specification: 'ECE R90' },
    ];
    const lots = [
      { lotId: '1', title: 'Pads', itemIds: ['pads'] },
      { lotId: '2', title: 'Discs', itemIds: ['discs'] },
    ];
    const r = await http(url, 'POST', '/tenders', { ...tenderBody({ title: 'Brakes in lots', deadline, items }), lots }, as(buyer));
    expect(r.status).toBe(201);
    const t = r.body.tenderId as string;
    await invite(buyer, t, s1, s2, s3);
    const lotBid = async (supplier: string, prices: { itemId: string; unitPrice: string }[]) =>
      (await http(url, 'POST', `/tenders/${t}/bids`, { prices }, as(supplier))).body.bidId as string;
    const b1 = await lotBid(s1, [{ itemId: 'pads', unitPrice: '10.00' }]);
    const b2 = await lotBid(s2, [{ itemId: 'discs', unitPrice: '30.00' }]);
    const b3 = await lotBid(s3, [
      { itemId: 'pads', unitPrice: '11.00' },
      { itemId: 'discs', unitPrice: '31.00' },
    ]);
    await sleep(Math.max(0, Date.parse(deadline) - Date.now()) + 200);
    expect((await http(url, 'POST', `/tenders/${t}/close`, {}, as(buyer))).status).toBe(200);
    for (const s of [s1, s2, s3])
      await http(url, 'POST', `/tenders/${t}/evaluations`, { supplierId: s, scores: { quality: 7, reputation: 7, service: 7, partnership: 7 } }, as(buyer));
    expect((await http(url, 'POST', `/tenders/${t}/award`, { supplierId: s1, lotId: '1' }, as(buyer))).status).toBe(200);
    expect(await item(buyer, t)).toMatchObject({ status: 'closed', awardedTo: null });
    expect((await bids(s1)).body.items.map((i: any) => [i.bidId, i.status, i.tenderStatus])).toEqual([[b1, 'submitted', 'closed']]);
    expect((await http(url, 'POST', `/tenders/${t}/award`, { supplierId: s2, lotId: '2' }, as(buyer))).status).toBe(200);
    expect(await item(buyer, t)).toMatchObject({ status: 'awarded', awardedTo: null });
    for (const [s, b, status] of [
      [s1, b1, 'won'],
      [s2, b2, 'won'],
      [s3, b3, 'lost'],
    ])
      expect((await bids(s)).body.items.map((i: any) => [i.bidId, i.status, i.tenderStatus])).toEqual([[b, status, 'awarded']]);
  });

  it('pages never repeat or skip a tender or a bid while others are opened, invited to and bid on meanwhile', async () => {
    const [buyer, supplier] = [randomUUID(), randomUUID()];
    const tenders: string[] = [];
    const submitted: string[] = [];
    const round = async () => {
      const id = await open(buyer);
      await invite(buyer, id, supplier);
      return { id, bidId: (await bid(supplier, id, '10.00')).bidId };
    };
    for (let i = 0; i < 12; i++) {
      const r = await round();
      tenders.push(r.id);
      submitted.push(r.bidId);
    }
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await round();
        written += 1;
      }
    })();
    // Read as any reader does, while the projections move on (no waiting for them to catch up).
    const readAll = async (path: string, query: string, key: string) => {
      const seen: string[] = [];
      let page = await http(url, 'GET', `${path}${query}`, undefined, as(supplier));
      for (;;) {
        expect(page.status).toBe(200);
        seen.push(...(page.body.items as Record<string, string>[]).map((i) => i[key]));
        if (!page.body.next) return seen;
        expect(page.body.next.startsWith(`${path}?`)).toBe(true);
        expect(page.body.next).toContain('after=');
        page = await http(url, 'GET', page.body.next, undefined, as(supplier));
        await sleep(50);
      }
    };
    await catchUp();
    const seenTenders = await readAll('/tenders', '?limit=5&role=invited', 'tenderId');
    const seenBids = await readAll('/tenders/bids', '?limit=5&status=submitted', 'bidId');
    const writtenWhilePaging = written;
    writing = false;
    await writer;
    expect(writtenWhilePaging).toBeGreaterThan(0);
    expect(new Set(seenTenders).size).toBe(seenTenders.length);
    expect(seenTenders.filter((id) => tenders.includes(id))).toEqual([...tenders].reverse());
    expect(new Set(seenBids).size).toBe(seenBids.length);
    expect(seenBids.filter((id) => submitted.includes(id))).toEqual([...submitted].reverse());
  });

  it('reads a page of the notices from the index of open procedures still open, in its order', async () => {
    const db = app.get<DataSource>(DATA_SOURCE);
    const table = app.get(TenderListProjection).table;
    for (const [after, args] of [
      [false, ["'2026-01-01T00:00:00Z'", '51']],
      [true, ["'2026-01-01T00:00:00Z'", '100', '51']],
    ] as const) {
      const { nodes } = await genericPlan(db, noticesSql(table, after), [...args], { asIfLarge: true });
      expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
      expect(nodes.find((n) => n['Node Type'] === 'Index Scan')?.['Index Name']).toBe('tender_list_open_notices_idx');
    }
  });

  it('refuses forged cursors and bad filters with problem+json', async () => {
    const company = randomUUID();
    const forged = Buffer.from('{"p":-1}').toString('base64url');
    for (const query of [
      '?after=not-a-cursor',
      `?after=${forged}`,
      '?limit=500',
      '?limit=0',
      '?status=won',
      '?role=sent',
      '?deadlineBefore=tomorrow',
      '?deadlineBefore=0000-01-01T00:00:00Z',
      '?counterparty=x',
    ]) {
      const r = await list(company, query);
      expect([query, r.status, r.type]).toEqual([query, 400, expect.stringContaining('application/problem+json')]);
    }
    for (const query of ['?after=not-a-cursor', `?after=${forged}`, '?limit=201', '?status=open', '?tenderId=x', '?role=invited']) {
      const r = await bids(company, query);
      expect([query, r.status, r.type]).toEqual([query, 400, expect.stringContaining('application/problem+json')]);
    }
  });

  it("finds tenders by words of their title and items or a counterparty's name, only among those the caller may see", async () => {
    const [buyer, s1, s2, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const companies = app.get(KnownCompanies);
    companies.apply('CompanyRegistered', { companyId: buyer, name: 'Nordwerk Fahrzeugbau AG', roles: ['buyer'] });
    companies.apply('CompanyRegistered', { companyId: s1, name: 'Kettler Bremsen GmbH', roles: ['supplier'] });
    companies.apply('CompanyRegistered', { companyId: s2, name: 'Überland Gießerei GmbH', roles: ['supplier'] });
    const discs = await open(buyer, {
      title: 'Brake discs for the 2028 model year',
      items: [{ itemId: 'BD-330', description: 'Brake disc 330 mm', specification: 'ventilated, cast iron' }],
    });
    const pads = await open(buyer, { title: 'Pads', items: [{ itemId: 'BP-12', description: 'Brake pad', specification: 'low dust' }] });
    await invite(buyer, discs, s1, s2);
    await invite(buyer, pads, s2);
    const search = async (company: string, q: string) => tenderIds(await list(company, `?q=${encodeURIComponent(q)}`));

    expect(await search(s1, 'brake')).toEqual([discs]);
    expect(await search(s1, 'ventilated')).toEqual([discs]);
    expect(await search(s1, 'BD-330')).toEqual([discs]);
    expect(await search(s1, 'nordwerk')).toEqual([discs]);
    // A rival invited to the same tender is not the supplier's to know, nor to search by.
    expect(await search(s1, 'überland')).toEqual([]);
    expect(await search(s2, 'kettler')).toEqual([]);
    expect(await search(s2, 'nordwerk')).toEqual([pads, discs]);
    expect(await search(buyer, 'brake')).toEqual([pads, discs]);
    expect(await search(buyer, 'brake -pad')).toEqual([discs]);
    expect(await search(buyer, 'überland')).toEqual([pads, discs]);
    expect(await search(buyer, 'kettler')).toEqual([discs]);
    expect(tenderIds(await list(buyer, `?q=brake&role=opened&status=open`))).toEqual([pads, discs]);
    expect(await search(stranger, 'brake')).toEqual([]);
    expect(await search(stranger, 'nordwerk')).toEqual([]);
  });

  it('rebuilds both lists from the log: equal digests leave the rows alone, drifted rows are replaced by what the events say', async () => {
    const [buyer, supplier] = [randomUUID(), randomUUID()];
    const t = await open(buyer, { title: 'Drift' });
    await invite(buyer, t, supplier);
    const { bidId } = await bid(supplier, t, '10.00');
    await catchUp();
    const rebuild = async (name: string) => {
      const r = await fetch(`${url}/admin/read-models/${name}/rebuild`, { method: 'POST', headers: { 'x-admin-key': adminKey() } });
      expect(r.status).toBe(200);
      return (await r.json()) as any;
    };
    const db = app.get(DATA_SOURCE);

    for (const [name, tamper] of [
      ['tender_list', `UPDATE ${app.get(TenderListProjection).table} SET status = 'cancelled', invited = '{}' WHERE tender_id = '${t}'`],
      ['tender_bid_list', `UPDATE ${app.get(TenderBidListProjection).table} SET status = 'won', total = '1.00' WHERE bid_id = '${bidId}'`],
    ]) {
      const clean = await rebuild(name);
      expect(clean).toMatchObject({ readModel: name, replaced: false });
      expect(clean.rebuilt).toEqual(clean.live);
      expect(clean.events).toBeGreaterThan(0);
      await db.query(tamper);
      const drifted = await rebuild(name);
      expect(drifted.replaced).toBe(true);
      expect(drifted.live.digest).not.toBe(drifted.rebuilt.digest);
      expect((await rebuild(name)).replaced).toBe(false);
    }
    expect(await item(supplier, t)).toMatchObject({ status: 'open' });
    expect((await bids(supplier)).body.items).toEqual([expect.objectContaining({ bidId, status: 'submitted', total: null })]);
  });
});
