import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually, http, tokenFor, uniqueName } from '@dealledger/testing';
import { buildApps, Cluster } from './cluster';

// Lists and the inbox across processes: commands in the offers and contracts apps, the contract
// drafted over Kafka, the inbox kept by the relationships app from every topic.

type Json = Record<string, any>;
const apps = ['offers', 'contracts', 'relationships'] as const;

describe('the inbox and the lists follow the events across processes (real PostgreSQL and Kafka)', () => {
  const cluster = new Cluster(uniqueName('inbox'));
  let db: DataSource;
  const supplier = randomUUID();
  const buyer = randomUUID();
  const stranger = randomUUID();
  const person = (companyId: string, roles: string[]) => tokenFor({ companyId, personId: randomUUID(), roles });
  const seller = person(supplier, ['executive', 'sales']);
  const purchaser = person(buyer, ['procurement']);
  const counsel = person(buyer, ['legal']);
  const engineer = person(buyer, ['technical']);
  const outsider = person(stranger, ['procurement', 'executive', 'legal']);

  beforeAll(async () => {
    buildApps();
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
    await cluster.startAll(apps);
  }, 300000);

  afterAll(async () => {
    await cluster.stopAll();
    await cluster.dropSchemas(db, apps);
    await db?.destroy();
  });

  const inbox = async (token: string) => (await http(cluster.url('relationships'), 'GET', '/inbox?limit=200', undefined, token)).body as { items: Json[] };
  /** The inbox items about one resource, as `kind` strings, once they read `expected`. */
  const waitFor = (token: string, resource: string, expected: string[]) =>
    eventually(
      async () => (await inbox(token)).items.filter((i) => i.resource.startsWith(resource)).map((i) => i.kind),
      (kinds) => JSON.stringify(kinds) === JSON.stringify(expected),
      30000,
    );
  const offers = (path: string, token: string, body?: unknown, method = 'POST') => http(cluster.url('offers'), method, path, body, token);
  const contracts = (path: string, token: string, body?: unknown, method = 'POST') => http(cluster.url('contracts'), method, path, body, token);

  it('opens each item when its event flows and closes it when the action happens, for the right people only', async () => {
    const tiers = [{ minQuantity: 100, unitPrice: '12.00' }];
    const terms = {
      items: [{ sku: 'SEAL-77', kind: 'component', description: 'Door seal, EPDM', unit: 'piece', currency: 'EUR', tiers }],
      validUntil: new Date(Date.now() + 20 * 86400000).toISOString(),
      paymentTerms: '30 days net',
      deliveryTerms: 'DAP',
    };
    const drafted = await offers('/offers', seller, { ...terms, buyerId: buyer });
    expect(drafted.status).toBe(201);
    const offer = `/offers/${drafted.body.offerId}`;

    // A draft waits for nobody but is in the supplier's list.
    // (The list follows the log a moment after the command: another process reads it as any client does.)
    await eventually(
      async () => (await offers(`/offers?role=sent`, seller, undefined, 'GET')).body.items.map((i: Json) => i.offerId),
      (listed) => JSON.stringify(listed) === JSON.stringify([drafted.body.offerId]),
      30000,
    );
    expect((await offers(`${offer}/submit`, seller, {})).status).toBe(200);
    expect(await waitFor(purchaser, offer, ['answer_offer'])).toEqual(['answer_offer']);
    // Every person of the buyer may answer an offer; nobody elsewhere sees it.
    expect(await waitFor(counsel, offer, ['answer_offer'])).toEqual(['answer_offer']);
    expect((await inbox(outsider)).items).toEqual([]);
    expect((await inbox(seller)).items.filter((i) => i.resource.startsWith(offer))).toEqual([]);

    expect((await offers(`${offer}/counter`, purchaser, { proposals: [{ sku: 'SEAL-77', unitPrice: '11.00' }], note: 'volume' })).status).toBe(200);
    await waitFor(purchaser, offer, []);
    await waitFor(seller, offer, ['revise_offer']);
    expect(
      (
        await offers(`${offer}/revise`, seller, {
          ...terms,
          items: [{ ...terms.items[0], tiers: [{ minQuantity: 100, unitPrice: '11.50' }] }],
          note: 'met halfway',
        })
      ).status,
    ).toBe(200);
    await waitFor(seller, offer, []);
    await waitFor(purchaser, offer, ['answer_offer']);

    expect((await offers(`${offer}/accept`, purchaser, { revision: 1, quantities: [{ sku: 'SEAL-77', quantity: 1000 }] })).status).toBe(200);
    await waitFor(purchaser, offer, []);

    // The contracts app drafts the contract from the acceptance (over Kafka): signatures are owed by role.
    const [contract] = (
      await eventually(
        () => contracts(`/contracts?party=${supplier}`, purchaser, undefined, 'GET'),
        (r) => r.body.items?.length === 1,
        30000,
      )
    ).body.items as Json[];
    const owed: { companyId: string; role: string }[] = contract.awaitingSignatures;
    expect(owed.length).toBeGreaterThan(0);
    const resource = `/contracts/${contract.contractId}`;
    const buyerRoles = owed.filter((o) => o.companyId === buyer).map((o) => o.role);
    expect(buyerRoles).toContain('procurement');
    await waitFor(purchaser, resource, ['sign_contract']);
    // A person holding none of the roles owed has nothing to sign.
    if (!buyerRoles.includes('technical')) await waitFor(engineer, resource, []);
    expect((await inbox(outsider)).items).toEqual([]);

    const people: Record<string, string> = { procurement: purchaser, legal: counsel, technical: engineer };
    const { termsHash } = (await contracts(resource, purchaser, undefined, 'GET')).body;
    for (const { companyId, role } of owed) {
      const token = companyId === buyer ? (people[role] ?? person(buyer, [role])) : person(supplier, [role]);
      const signed = await contracts(`${resource}/signatures`, token, { role, termsHash });
      expect(signed.status).toBe(200);
      if (companyId === buyer && role === 'procurement') await waitFor(purchaser, resource, []);
    }
    await waitFor(seller, resource, []);
    await waitFor(counsel, resource, []);
    await eventually(
      async () => (await contracts(`/contracts?status=in_force`, seller, undefined, 'GET')).body.items.map((c: Json) => c.contractId),
      (inForce) => JSON.stringify(inForce) === JSON.stringify([contract.contractId]),
      30000,
    );

    // The relationship's figures, kept per event, as each side and nobody else sees them.
    const counterparties = await eventually(
      async () => (await http(cluster.url('relationships'), 'GET', '/relationships/counterparties', undefined, purchaser)).body,
      (b) => b.items?.[0]?.summary?.offers?.accepted === 1,
      30000,
    );
    expect(counterparties.items.map((i: Json) => i.companyId)).toEqual([supplier]);
    expect((await http(cluster.url('relationships'), 'GET', '/relationships/counterparties', undefined, outsider)).body.items).toEqual([]);
    expect((await offers('/offers', outsider, undefined, 'GET')).body.items).toEqual([]);
    expect((await contracts('/contracts', outsider, undefined, 'GET')).body.items).toEqual([]);
  });
});
