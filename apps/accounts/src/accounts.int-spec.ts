import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventEnvelope, eventCatalog, eventsTopic } from '@dealledger/events';
import { toKafkaMessage } from '@dealledger/messaging';
import { adminKey } from '@dealledger/auth';
import { companyIdFor, registrationKey } from '@dealledger/domain';
import { KnownCompanies } from '@dealledger/platform';
import { PostgresEventStore } from '@dealledger/event-store';
import { ContextEnvironment, contextEnvironment, eventually, genericPlan, http, sampleEvent, startTestApp, tokenFor, uniqueName } from '@dealledger/testing';
import { ACCOUNTS, AccountsModule } from './accounts.module';
import {
  AccountListProjection,
  OpportunityListProjection,
  prospectRegisteredSql,
  sellerTouchesSql,
  TouchListProjection,
} from './projections/accounts.projections';

const seller = randomUUID();
const rival = randomUUID();
const buyer = randomUUID();
const DAY = 86400000;

describe('accounts app: private account plans whose opportunities follow the ledger over Kafka (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('accounts');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let producer: Producer;
  let db: DataSource;
  let env: ContextEnvironment;

  // People as the directory knows them (the app learns them from its topic; here applied directly).
  const person = (companyId: string) => ({ companyId, personId: randomUUID(), roles: ['executive'] });
  const anna = person(seller);
  const ben = person(seller);
  const rivalRep = person(rival);
  const as = (p: ReturnType<typeof person>) => tokenFor(p);

  beforeAll(async () => {
    env = await contextEnvironment({ schema, prefix, clientId: 'accounts-test', consumes: ['offers', 'contracts', 'directory'] });
    ({ producer, db } = env);
    ({ app, url } = await startTestApp(AccountsModule, ACCOUNTS));
    const companies = app.get(KnownCompanies);
    for (const [id, name] of [
      [seller, 'Volta Cells AB'],
      [rival, 'Ampere Packs GmbH'],
      [buyer, 'Autowerk Süd GmbH'],
    ])
      companies.apply('CompanyRegistered', { companyId: id, name, registrationNumber: id.slice(0, 8), country: 'DE', roles: ['supplier', 'buyer'] });
    for (const p of [anna, ben, rivalRep]) companies.apply('PersonAdded', { companyId: p.companyId, personId: p.personId });
  });

  afterAll(async () => {
    await app.close();
    await env.close();
  });

  const publish = async (...events: EventEnvelope[]) => {
    for (const e of events) expect(eventCatalog.validate(e.type, e.schemaVersion, e.data)).toEqual([]);
    await producer.send({ topic: eventsTopic(events[0].context, prefix), messages: events.map(toKafkaMessage) });
  };
  const offerEvent = (type: string, offerId: string, supplierId: string, extra: Record<string, unknown> = {}, version = 1, at = new Date()) =>
    sampleEvent(type, { offerId, supplierId, buyerId: buyer, ...extra }, [supplierId, buyer], at, 'offers', version);
  const accepted = (offerId: string, supplierId: string) =>
    offerEvent(
      'OfferAccepted',
      offerId,
      supplierId,
      {
        revision: 0,
        acceptedBy: randomUUID(),
        currency: 'EUR',
        total: '1095000.00',
        paymentTerms: '30 days net',
        deliveryTerms: 'DAP Ingolstadt',
        validUntil: new Date(Date.now() + 30 * DAY).toISOString(),
        items: [
          {
            sku: 'NMC-MOD-48V',
            kind: 'component',
            description: '48 V module',
            unit: 'piece',
            quantity: '1000',
            unitPrice: '1095.00',
            tierMinQuantity: '1',
            lineTotal: '1095000.00',
            tiers: [{ minQuantity: '1', unitPrice: '1095.00' }],
          },
        ],
      },
      2,
    );
  const contractTerms = () => ({
    buyerId: buyer,
    supplierId: seller,
    intermediaryId: null,
    currency: 'EUR',
    items: [
      {
        sku: 'NMC-MOD-48V',
        description: '48 V module',
        unit: 'piece',
        tiers: [{ minQuantity: '1', unitPrice: '1087.50' }],
        committedVolume: '1000',
        ceiling: null,
      },
    ],
    startDate: new Date().toISOString(),
    endDate: new Date(Date.now() + 365 * DAY).toISOString(),
    sla: [],
    governingLaw: 'German law',
    paymentTerms: '30 days net',
    deliveryTerms: 'DAP Ingolstadt',
    requiredSignatures: [{ companyId: buyer, role: 'procurement' }],
    documents: [],
    payment: null,
  });
  /** A buyer of its own (the directory's registration applied directly), Anna's account for it and an opportunity on it. */
  const newBuyerWithOpportunity = async (name: string) => {
    const buyerId = randomUUID();
    app.get(KnownCompanies).apply('CompanyRegistered', { companyId: buyerId, name, registrationNumber: buyerId.slice(0, 8), country: 'DE', roles: ['buyer'] });
    const accountId = (await target(as(anna), buyerId, anna.personId)).body.accountId;
    const opened = await http(
      url,
      'POST',
      '/opportunities',
      { accountId, title: name, expectedValue: '1000.00', currency: 'EUR', expectedVolume: 'some' },
      as(anna),
    );
    return { buyerId, opportunityId: opened.body.opportunityId as string };
  };

  /** The contract drafted from an offer, in force (contracts topic). */
  const contractExecuted = (contractId: string, offerId: string, supplierId: string, buyerId: string) =>
    sampleEvent(
      'ContractExecuted',
      {
        contractId,
        supplierId,
        buyerId,
        intermediaryId: null,
        origin: { kind: 'offer', id: offerId, eventId: randomUUID() },
        terms: { ...contractTerms(), buyerId, supplierId },
        termsVersion: 1,
        termsHash: 'a'.repeat(64),
        signatures: [{ companyId: buyerId, role: 'procurement', personId: randomUUID(), signedAt: new Date().toISOString() }],
        contractValue: '1087500.00',
        executedAt: new Date().toISOString(),
      },
      [supplierId, buyerId],
      new Date(),
      'contracts',
      3,
    );
  const opportunityEvents = async (id: string) =>
    (await db.query(`SELECT type, data FROM "${schema}".events WHERE stream_id = $1 ORDER BY stream_version`, [`opportunity-${id}`])) as {
      type: string;
      data: any;
    }[];
  const stageOf = async (id: string, token = as(anna)) => (await http(url, 'GET', `/opportunities/${id}`, undefined, token)).body.stage;

  const target = (token: string, companyId: string, ownerId: string) =>
    http(url, 'POST', '/accounts', { target: { kind: 'company', companyId }, tier: 'strategic', ownerId }, token);

  it('maps an account plan and moves its opportunity by the ledger: offer sent, countered, accepted; a replayed event moves nothing twice', async () => {
    const account = await target(as(anna), buyer, anna.personId);
    expect(account.status).toBe(201);
    const accountId = account.body.accountId;
    expect((await target(as(anna), buyer, anna.personId)).body).toMatchObject({ status: 409, code: 'accounts.already_exists' });
    expect((await http(url, 'POST', `/accounts/${accountId}/team`, { personId: ben.personId, part: 'technical' }, as(anna))).body.team).toEqual([
      { personId: ben.personId, part: 'technical' },
    ]);
    const champion = await http(
      url,
      'POST',
      `/accounts/${accountId}/stakeholders`,
      {
        contact: { name: 'Dr. Lena Brandt', email: 'L.Brandt@autowerk.example', profileUrl: 'https://www.linkedin.com/in/lena-brandt' },
        position: 'Head of powertrain purchasing',
        role: 'decider',
        stance: 'champion',
      },
      as(anna),
    );
    expect(champion.status).toBe(201);
    const { stakeholderId } = champion.body;
    expect(champion.body.committee).toEqual([
      expect.objectContaining({
        stakeholderId,
        role: 'decider',
        stance: 'champion',
        contact: { status: 'present', name: 'Dr. Lena Brandt', email: 'l.brandt@autowerk.example', profileUrl: 'https://www.linkedin.com/in/lena-brandt' },
      }),
    ]);
    expect(champion.body.missingRoles).not.toContain('decider');
    // A directory person on the map must be one of the buyer's people.
    const stranger = { personId: ben.personId, position: 'x', role: 'user', stance: 'neutral' };
    expect((await http(url, 'POST', `/accounts/${accountId}/stakeholders`, stranger, as(anna))).body).toMatchObject({
      status: 400,
      code: 'accounts.not_their_person',
    });
    // The name and e-mail are sealed in the log.
    const log = await db.query(`SELECT data::text AS d FROM "${schema}".events WHERE stream_id = $1`, [`account-${accountId}`]);
    expect(log.map((r: { d: string }) => r.d).join()).not.toMatch(/Brandt|autowerk/i);

    const campaign = await http(
      url,
      'POST',
      '/campaigns',
      { name: 'Battery Show 2027', channel: 'conference', startsAt: new Date(Date.now() - 40 * DAY).toISOString() },
      as(anna),
    );
    const touch = await http(
      url,
      'POST',
      `/accounts/${accountId}/touches`,
      {
        channel: 'conference',
        at: new Date(Date.now() - 30 * DAY).toISOString(),
        campaignId: campaign.body.campaignId,
        sellerPeople: [anna.personId, ben.personId],
        stakeholderIds: [stakeholderId],
        summary: 'Met at the booth',
      },
      as(anna),
    );
    expect(touch.status).toBe(201);
    const demo = {
      channel: 'demonstration',
      at: new Date(Date.now() - 10 * DAY).toISOString(),
      sellerPeople: [ben.personId],
      stakeholderIds: [stakeholderId],
      summary: 'Test bench',
    };
    expect((await http(url, 'POST', `/accounts/${accountId}/touches`, demo, as(anna))).status).toBe(201);

    const opened = await http(
      url,
      'POST',
      '/opportunities',
      { accountId, title: '48 V modules 2028', expectedValue: '1200000.00', currency: 'EUR', expectedVolume: '1,000 modules' },
      as(anna),
    );
    expect(opened.status).toBe(201);
    const id = opened.body.opportunityId;
    expect(opened.body).toMatchObject({ stage: 'identified', buyerId: buyer, deal: null });
    expect((await http(url, 'POST', `/opportunities/${id}/stage`, { to: 'qualified' }, as(anna))).body.stage).toBe('qualified');
    expect((await http(url, 'POST', `/opportunities/${id}/stage`, { to: 'won' }, as(anna))).body).toMatchObject({
      status: 409,
      code: 'opportunity.won_follows_the_deal',
    });

    // The seller's offer to the buyer goes out on the ledger: the opportunity follows it by itself.
    const offerId = randomUUID();
    const submitted = offerEvent('OfferSubmitted', offerId, seller, { revision: 0 });
    await publish(submitted);
    await eventually(
      () => stageOf(id),
      (s) => s === 'offer',
    );
    await publish(offerEvent('OfferCountered', offerId, seller, { revision: 0, proposals: [{ sku: 'NMC-MOD-48V', unitPrice: '1050.00' }], note: 'target' }, 2));
    await eventually(
      () => stageOf(id),
      (s) => s === 'negotiation',
    );
    const acceptance = accepted(offerId, seller);
    await publish(acceptance, acceptance, submitted);
    await eventually(
      () => stageOf(id),
      (s) => s === 'won',
    );
    // Redelivered and late events: still one link and one move per stage.
    await publish(submitted, acceptance);
    await new Promise((r) => setTimeout(r, 1000));
    const events = await opportunityEvents(id);
    expect(events.map((e) => [e.type, e.data.to ?? e.data.dealId ?? null])).toEqual([
      ['OpportunityOpened', null],
      ['OpportunityStageMoved', 'qualified'],
      ['OpportunityDealLinked', offerId],
      ['OpportunityStageMoved', 'offer'],
      ['OpportunityStageMoved', 'negotiation'],
      ['OpportunityStageMoved', 'won'],
    ]);
    expect(events[3].data).toMatchObject({ movedBy: null, cause: { eventType: 'OfferSubmitted', eventId: submitted.id, dealKind: 'offer', dealId: offerId } });

    // The contract drafted from the acceptance comes into force (contracts topic): recorded once, as signed.
    const contractId = randomUUID();
    const executed = contractExecuted(contractId, offerId, seller, buyer);
    await publish(executed, executed);
    const contracts = async () => (await http(url, 'GET', `/opportunities/${id}`, undefined, as(anna))).body.contracts;
    await eventually(contracts, (cs: unknown[]) => cs.length > 0);
    await publish(executed);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await contracts()).toEqual([
      { contractId, contractValue: '1087500.00', currency: 'EUR', executedAt: (executed.data as { executedAt: string }).executedAt },
    ]);
    expect((await opportunityEvents(id)).filter((e) => e.type === 'OpportunityContractExecuted')).toHaveLength(1);

    // The pipeline: one won, the first touch a conference (the campaign's), the last before the offer a demonstration.
    const pipeline = (await http(url, 'GET', '/pipeline?staleDays=5', undefined, as(ben))).body;
    expect(pipeline.outcomes).toMatchObject({ won: 1, lost: 0, winRate: 100 });
    expect(pipeline.attribution.deals).toEqual([
      expect.objectContaining({
        opportunityId: id,
        won: true,
        firstTouch: expect.objectContaining({ channel: 'conference', campaignId: campaign.body.campaignId }),
        lastTouch: expect.objectContaining({ channel: 'demonstration' }),
      }),
    ]);
    expect(pipeline.pipeline).toEqual([
      expect.objectContaining({ currency: 'EUR', stages: expect.arrayContaining([{ stage: 'won', count: 1, value: '1200000.00', weighted: '1200000.00' }]) }),
    ]);
    expect(pipeline.staleAccounts.accounts).toEqual([expect.objectContaining({ accountId, daysSince: 10 })]);

    // The committee as it stood before the champion was mapped: empty; erasing the contact reaches every map.
    const before = await http(
      url,
      'GET',
      `/accounts/${accountId}/committee?asOf=${new Date(Date.parse(opened.body.stages[0].at) - 60000).toISOString()}`,
      undefined,
      as(anna),
    );
    expect(before.body.committee).toEqual([]);
    const erased = await http(url, 'DELETE', `/accounts/${accountId}/stakeholders/${stakeholderId}/contact`, undefined, as(anna));
    expect(erased.status).toBe(200);
    expect(erased.body.committee[0].contact).toEqual({ status: 'erased' });
    expect((await db.query(`SELECT count(*)::int AS n FROM "${schema}".person_keys WHERE person_id = $1`, [stakeholderId]))[0].n).toBe(0);
    // Again, by the seller or an operator: nothing more is recorded; a wrong operator key is refused.
    const operatorErase = (key: string) =>
      fetch(`${url}/admin/accounts/${accountId}/stakeholders/${stakeholderId}/contact`, { method: 'DELETE', headers: { 'x-admin-key': key } });
    expect((await operatorErase('not-the-key')).status).toBe(401);
    expect((await operatorErase(adminKey())).status).toBe(200);
    expect((await http(url, 'DELETE', `/accounts/${accountId}/stakeholders/${stakeholderId}/contact`, undefined, as(anna))).status).toBe(200);
    const erasures = await db.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE stream_id = $1 AND type = 'ContactErased'`, [
      `account-${accountId}`,
    ]);
    expect(erasures[0].n).toBe(1);
  });

  it("keeps each seller's plan to itself: another seller finds no account, opportunity or figure of it, and the ledger moves only the named seller's", async () => {
    const mine = await target(as(anna), rival, anna.personId); // the seller may target a competitor's parent; any company
    const theirs = await target(as(rivalRep), buyer, rivalRep.personId);
    expect(theirs.status).toBe(201);
    for (const [path, token] of [
      [`/accounts/${mine.body.accountId}`, as(rivalRep)],
      [`/accounts/${mine.body.accountId}/committee`, as(rivalRep)],
      [`/accounts/${theirs.body.accountId}`, as(anna)],
    ] as const)
      expect((await http(url, 'GET', path, undefined, token)).body).toMatchObject({ status: 404, code: 'accounts.account_not_found' });
    const rivalOpp = await http(
      url,
      'POST',
      '/opportunities',
      { accountId: theirs.body.accountId, title: 'Packs', expectedValue: '900000', currency: 'EUR', expectedVolume: 'many' },
      as(rivalRep),
    );
    expect(rivalOpp.status).toBe(201);
    // Anna may not open an opportunity on the rival's account, nor read or move the rival's.
    expect(
      (
        await http(
          url,
          'POST',
          '/opportunities',
          { accountId: theirs.body.accountId, title: 'x', expectedValue: '1', currency: 'EUR', expectedVolume: 'x' },
          as(anna),
        )
      ).status,
    ).toBe(404);
    expect((await http(url, 'GET', `/opportunities/${rivalOpp.body.opportunityId}`, undefined, as(anna))).status).toBe(404);
    expect((await http(url, 'POST', `/opportunities/${rivalOpp.body.opportunityId}/stage`, { to: 'contacted' }, as(anna))).status).toBe(404);
    // An offer by the seller (Volta) to the buyer does not move the rival's opportunity with the same buyer.
    const offerId = randomUUID();
    await publish(offerEvent('OfferSubmitted', offerId, seller, { revision: 0 }));
    // ...but an invitation naming the rival moves it, and an award to another bidder loses it with the reason.
    const tenderId = randomUUID();
    await publish(sampleEvent('SuppliersInvited', { tenderId, buyerId: buyer, supplierIds: [rival] }, [buyer, rival], new Date(), 'offers', 1));
    await eventually(
      () => stageOf(rivalOpp.body.opportunityId, as(rivalRep)),
      (s) => s === 'offer',
    );
    const list = await http(url, 'GET', '/opportunities', undefined, as(rivalRep));
    expect(list.body.items.map((o: any) => o.opportunityId)).toEqual([rivalOpp.body.opportunityId]);
    expect(list.body.items[0].deal).toEqual({ kind: 'tender', id: tenderId });
    const accounts = await http(url, 'GET', '/accounts', undefined, as(rivalRep));
    expect(accounts.body.items.map((a: any) => a.accountId)).toEqual([theirs.body.accountId]);
    const pipeline = (await http(url, 'GET', '/pipeline', undefined, as(rivalRep))).body;
    expect(pipeline.pipeline).toEqual([
      expect.objectContaining({ currency: 'EUR', stages: expect.arrayContaining([expect.objectContaining({ stage: 'offer', count: 1 })]) }),
    ]);
    expect(pipeline.coverage.map((c: any) => c.accountId)).toEqual([theirs.body.accountId]);
  });

  it('follows a tender: invited, bid, lost to another bidder once finally awarded; a provisional award moves nothing until it is final; an old deal moves nothing', async () => {
    const [buyer2, buyer3] = [randomUUID(), randomUUID()];
    const companies = app.get(KnownCompanies);
    companies.apply('CompanyRegistered', { companyId: buyer2, name: 'Fjord Electric Vehicles AS', registrationNumber: 'NO1', country: 'NO', roles: ['buyer'] });
    companies.apply('CompanyRegistered', { companyId: buyer3, name: 'City of Graz', registrationNumber: 'AT1', country: 'AT', roles: ['buyer'] });
    const openWith = async (buyerId: string) => {
      const account = await target(as(anna), buyerId, anna.personId);
      const opened = await http(
        url,
        'POST',
        '/opportunities',
        { accountId: account.body.accountId, title: 'Modules', expectedValue: '1000', currency: 'EUR', expectedVolume: 'x' },
        as(anna),
      );
      return opened.body.opportunityId as string;
    };
    const x = await openWith(buyer2);
    const y = await openWith(buyer3);
    // An offer that was sent before the opportunity existed expires now: not the opportunity's deal.
    await publish(
      sampleEvent(
        'OfferExpired',
        { offerId: randomUUID(), supplierId: seller, buyerId: buyer2, validUntil: new Date().toISOString() },
        [seller, buyer2],
        new Date(),
        'offers',
        1,
      ),
    );
    const tender = (buyerId: string) => ({ tenderId: randomUUID(), buyerId });
    const [t2, t3] = [tender(buyer2), tender(buyer3)];
    const [mine2, theirs2, mine3, theirs3] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const ranked = (supplierId: string, bidId: string, rank: number) => ({
      supplierId,
      bidId,
      rank,
      total: '100.00',
      priceScore: 10,
      averages: null,
      weightedScore: 8,
    });
    const award = (t: { tenderId: string; buyerId: string }, winnerBid: string, loserBid: string, standstillUntil: string | null, winner = rival) => ({
      ...t,
      title: 'Modules',
      supplierId: winner,
      bidId: winnerBid,
      awardedBy: randomUUID(),
      publicProcurement: false,
      currency: 'EUR',
      items: [{ itemId: 'm', description: 'Module', quantity: '1', unit: 'piece', specification: 's', unitPrice: '100.00', lineTotal: '100.00' }],
      total: '100.00',
      weightedScore: 8,
      ranking: [ranked(winner, winnerBid, 1), ranked(winner === rival ? seller : rival, loserBid, 2)],
      standstillUntil,
      lotId: null,
      lotsToAward: 0,
      winningBidIds: [winnerBid],
    });
    for (const [t, bidId] of [
      [t2, mine2],
      [t3, mine3],
    ] as const) {
      await publish(sampleEvent('SuppliersInvited', { ...t, supplierIds: [seller, rival] }, [t.buyerId, seller, rival], new Date(), 'offers', 1));
      await publish(
        sampleEvent(
          'BidSubmitted',
          { ...t, supplierId: seller, bidId, sealed: { ciphertext: 'x', iv: 'y', tag: 'z' }, contentHash: 'a'.repeat(64) },
          [t.buyerId, seller],
          new Date(),
          'offers',
          1,
        ),
      );
    }
    for (const id of [x, y])
      await eventually(
        () => stageOf(id),
        (s) => s === 'negotiation',
      );
    await publish(sampleEvent('TenderAwarded', award(t2, theirs2, mine2, null), [buyer2, seller, rival], new Date(), 'offers', 4));
    const lost = await eventually(
      () => http(url, 'GET', `/opportunities/${x}`, undefined, as(anna)),
      (r) => r.body.stage === 'lost',
    );
    expect(lost.body.deal).toEqual({ kind: 'tender', id: t2.tenderId });
    const [listed] = (await http(url, 'GET', `/opportunities?stage=lost`, undefined, as(anna))).body.items.filter((o: any) => o.opportunityId === x);
    expect(listed.reason).toBe('the tender was awarded to another bidder');
    // Provisional: the award may still be annulled, so nobody is won or lost yet.
    const until = new Date(Date.now() + 10 * DAY).toISOString();
    const provisional = award(t3, mine3, theirs3, until, seller);
    await publish(sampleEvent('TenderAwarded', provisional, [buyer3, seller, rival], new Date(), 'offers', 4));
    await new Promise((r) => setTimeout(r, 1000));
    expect(await stageOf(y)).toBe('negotiation');
    const { lotsToAward: _l, winningBidIds: _w, ...finalised } = provisional;
    await publish(sampleEvent('AwardFinalised', finalised, [buyer3, seller, rival], new Date(), 'offers', 2));
    await eventually(
      () => stageOf(y),
      (s) => s === 'won',
    );
  });

  it('links a prospect to its company when it registers, and then follows the deals with it', async () => {
    const regNo = `HRB ${Math.floor(Math.random() * 1e6)}`;
    const account = await http(
      url,
      'POST',
      '/accounts',
      { target: { kind: 'prospect', name: 'Karosseriewerke Nord GmbH', registrationNumber: regNo, country: 'DE' }, tier: 'key', ownerId: ben.personId },
      as(anna),
    );
    expect(account.status).toBe(201);
    const opened = await http(
      url,
      'POST',
      '/opportunities',
      { accountId: account.body.accountId, title: 'Body modules', expectedValue: '50000', currency: 'EUR', expectedVolume: 'pilot' },
      as(anna),
    );
    expect(opened.body.buyerId).toBeNull();
    // The id the directory gives the company: derived from country and registration number.
    const companyId = companyIdFor('DE', registrationKey(regNo)!);
    await publish(
      sampleEvent(
        'CompanyRegistered',
        { companyId, name: 'Karosseriewerke Nord GmbH', registrationNumber: regNo.replace(' ', ''), country: 'DE', roles: ['buyer'] },
        [companyId],
        new Date(),
        'directory',
        1,
      ),
    );
    await eventually(
      async () => (await http(url, 'GET', `/accounts/${account.body.accountId}`, undefined, as(anna))).body.companyId,
      (c) => c === companyId,
    );
    const offerId = randomUUID();
    await publish(
      sampleEvent('OfferSubmitted', { offerId, supplierId: seller, buyerId: companyId, revision: 0 }, [seller, companyId], new Date(), 'offers', 1),
    );
    await eventually(
      () => stageOf(opened.body.opportunityId),
      (s) => s === 'offer',
    );
  });

  it('keeps a contract in force that arrives before the offer linking its deal, and applies it once the offer comes', async () => {
    // Another buyer: the contracts and offers topics are not ordered with each other.
    const { buyerId: lateBuyer, opportunityId: id } = await newBuyerWithOpportunity('Spät Motoren AG');
    const offerId = randomUUID();
    const contractId = randomUUID();
    const executed = contractExecuted(contractId, offerId, seller, lateBuyer);
    await publish(executed, executed);
    const pending = async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".pending_contracts WHERE deal_id = $1`, [offerId]))[0].n;
    await eventually(pending, (n: number) => n === 1);
    expect((await http(url, 'GET', `/opportunities/${id}`, undefined, as(anna))).body).toMatchObject({ stage: 'identified', contracts: [] });
    // The offer that opened the deal: linked, and the contract kept for it applied.
    await publish(sampleEvent('OfferSubmitted', { offerId, supplierId: seller, buyerId: lateBuyer, revision: 0 }, [seller, lateBuyer], new Date(), 'offers'));
    const view = await eventually(
      async () => (await http(url, 'GET', `/opportunities/${id}`, undefined, as(anna))).body,
      (o: any) => o.contracts.length > 0,
    );
    expect(view).toMatchObject({
      stage: 'won',
      deal: { kind: 'offer', id: offerId },
      contracts: [expect.objectContaining({ contractId, contractValue: '1087500.00' })],
    });
    expect(await pending()).toBe(0);
    // Delivered again: nothing more.
    await publish(executed);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await opportunityEvents(id)).map((e) => e.type)).toEqual([
      'OpportunityOpened',
      'OpportunityDealLinked',
      'OpportunityStageMoved',
      'OpportunityStageMoved',
      'OpportunityContractExecuted',
    ]);
    // A contract with a buyer the seller plans nothing open for is not kept.
    await publish(contractExecuted(randomUUID(), randomUUID(), seller, randomUUID()));
    await new Promise((r) => setTimeout(r, 1000));
    expect((await db.query(`SELECT count(*)::int AS n FROM "${schema}".pending_contracts`))[0].n).toBe(0);
  });

  it('follows a deal whose link the lists do not show yet: a transaction still appending holds them back', async () => {
    const { buyerId: heldBuyer, opportunityId: id } = await newBuyerWithOpportunity('Halt Werke AG');
    await app.get(OpportunityListProjection).catchUp();
    // An append of this store left open: the projectors read nothing committed after it began.
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await new PostgresEventStore(db, schema).append(
        `hold-${randomUUID()}`,
        0,
        [
          {
            id: randomUUID(),
            type: 'CampaignLaunched',
            schemaVersion: 1,
            data: {},
            metadata: { occurredAt: new Date(), parties: [seller], actor: null, correlationId: randomUUID() },
          },
        ],
        { queryRunner: runner },
      );
      const offerId = randomUUID();
      const event = (type: string, extra: Record<string, unknown> = {}, version = 1) =>
        sampleEvent(type, { offerId, supplierId: seller, buyerId: heldBuyer, ...extra }, [seller, heldBuyer], new Date(), 'offers', version);
      await publish(event('OfferSubmitted', { revision: 0 }));
      await eventually(
        async () => (await http(url, 'GET', `/opportunities/${id}`, undefined, as(anna))).body.stage,
        (s) => s === 'offer',
      );
      // The list does not show the link yet; the acceptance still finds the opportunity that follows the deal.
      const [row] = await db.query(`SELECT deal_id FROM "${schema}".opportunity_list WHERE opportunity_id = $1`, [id]);
      expect(row.deal_id).toBeNull();
      await publish(event('OfferRejected', { reason: 'price' }));
      await eventually(
        async () => (await http(url, 'GET', `/opportunities/${id}`, undefined, as(anna))).body.stage,
        (s) => s === 'lost',
      );
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it("finds a seller's touches and a registered prospect's opportunities by index, never reading every seller's rows", async () => {
    const id = "'00000000-0000-0000-0000-000000000000'::uuid";
    const cases = [
      [sellerTouchesSql(app.get(TouchListProjection).table), [id], 'touch_list_seller_idx'],
      [prospectRegisteredSql(app.get(OpportunityListProjection).table), [id, id], 'opportunity_list_account_idx'],
    ] as const;
    for (const [sql, args, index] of cases) {
      const { nodes } = await genericPlan(db, sql, [...args], { asIfLarge: true });
      expect(nodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(nodes.map((n) => n['Index Name'])).toContain(index);
    }
  });

  it('answers bad input with problem+json and writes nothing', async () => {
    const count = async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".events`))[0].n;
    const before = await count();
    for (const [body, code] of [
      [{ target: { kind: 'company', companyId: buyer }, tier: 'platinum', ownerId: anna.personId }, 'validation_failed'],
      [{ target: { kind: 'company', companyId: buyer }, tier: 'key', ownerId: rivalRep.personId }, 'accounts.not_your_person'],
      [{ target: { kind: 'company', companyId: randomUUID() }, tier: 'key', ownerId: anna.personId }, 'accounts.unknown_company'],
      [{ target: { kind: 'industry', naceCode: '29.3.1', name: 'Parts' }, tier: 'key', ownerId: anna.personId }, 'validation_failed'],
      [{ target: { kind: 'prospect', name: 'No number' }, tier: 'key', ownerId: anna.personId }, 'accounts.target_inconsistent'],
    ] as const) {
      const r = await http(url, 'POST', '/accounts', body, as(anna));
      expect(r.status).toBe(400);
      expect(r.type).toMatch(/application\/problem\+json/);
      if (code !== 'validation_failed') expect(r.body.code).toBe(code);
    }
    const industry = await http(
      url,
      'POST',
      '/accounts',
      { target: { kind: 'industry', naceCode: '29.32', name: 'Automotive parts' }, tier: 'growth', ownerId: anna.personId },
      as(anna),
    );
    expect(industry.status).toBe(201);
    expect(
      (
        await http(
          url,
          'POST',
          '/opportunities',
          { accountId: industry.body.accountId, title: 'x', expectedValue: '1', currency: 'EUR', expectedVolume: 'x' },
          as(anna),
        )
      ).body,
    ).toMatchObject({
      status: 400,
      code: 'opportunity.needs_a_company',
    });
    expect(
      (
        await http(
          url,
          'POST',
          `/accounts/${industry.body.accountId}/touches`,
          { channel: 'email', at: new Date(Date.now() + DAY).toISOString(), sellerPeople: [anna.personId], stakeholderIds: [], summary: 'x' },
          as(anna),
        )
      ).body,
    ).toMatchObject({ status: 400, code: 'accounts.touch_in_future' });
    expect(await count()).toBe(before + 1);
    await app.get(AccountListProjection).catchUp();
  });
});
