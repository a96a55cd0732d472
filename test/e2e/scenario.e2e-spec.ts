import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { readWholeTopic, tokenFor, uniqueName } from '@dealledger/testing';
import { AssignerProtocol } from 'kafkajs';
import { createKafka } from '@dealledger/messaging';
import { PostgresEventStore } from '@dealledger/event-store';
import { AppName, APPS, buildApps, Cluster } from './cluster';
import { adminKey } from '../../apps/relationships/src/rebuild/admin.http.controller';

// The demo scenario, driven through the public HTTP APIs of six separate processes.

const { runDemo } = require('../../scripts/demo');

type Json = Record<string, any>;
// The apps run without ADMIN_KEY: their admin routes take this installation's development key.
const ADMIN = { 'x-admin-key': adminKey() };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the whole ledger across processes, over Kafka (real PostgreSQL and Kafka)', () => {
  let db: DataSource;
  const clusters: Cluster[] = [];

  beforeAll(async () => {
    buildApps();
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
  }, 300000);

  afterAll(async () => {
    for (const c of clusters) {
      await c.stopAll();
      await c.dropSchemas(db);
    }
    await db?.destroy();
  }, 300000);

  /** Waits until every relay has published everything and the read side has stopped changing. */
  async function settle(cluster: Cluster): Promise<void> {
    let last = '';
    let stable = 0;
    for (let i = 0; i < 120 && stable < 3; i++) {
      const pending = await Promise.all(
        APPS.map(async (app) => {
          const s = `"${cluster.schemaOf(app)}"`;
          const [r] = await db.query(
            `SELECT (SELECT coalesce(max(position), 0) FROM ${s}.events) - coalesce((SELECT max(position) FROM ${s}.outbox_checkpoints WHERE name LIKE 'relay:%'), 0) AS behind`,
          );
          return Number(r.behind) > 0;
        }),
      );
      const digest = JSON.stringify(await (await fetch(`${cluster.url('relationships')}/admin/digest`, { headers: ADMIN })).json());
      stable = !pending.some(Boolean) && digest === last ? stable + 1 : 0;
      last = digest;
      await sleep(1000);
    }
  }

  /**
   * What the scenario left, independent of the ids and times a run makes up: every store's
   * events counted by type, and every relationship summary between the demo's companies.
   */
  async function outcome(cluster: Cluster, companies: Json): Promise<{ digest: string; stores: Json; summaries: Json }> {
    const stores: Json = {};
    for (const app of APPS) {
      const rows = await db.query(`SELECT type, count(*)::int AS n FROM "${cluster.schemaOf(app)}".events GROUP BY type ORDER BY type`);
      stores[app] = Object.fromEntries(rows.map((r: Json) => [r.type, r.n]));
    }
    const list = Object.values(companies) as Json[];
    const summaries: Json = {};
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [list[i], list[j]];
        const res = await fetch(`${cluster.url('relationships')}/relationships/${a.companyId}/${b.companyId}`, {
          headers: { authorization: `Bearer ${tokenFor({ companyId: a.companyId, personId: null, roles: [] })}` },
        });
        const { summary } = (await res.json()) as Json;
        if (summary.events === 0) continue;
        const { since: _s, lastActivity: _l, ...rest } = summary;
        summaries[`${a.name} | ${b.name}`] = rest;
      }
    }
    const digest = createHash('sha256').update(JSON.stringify({ stores, summaries })).digest('hex');
    return { digest, stores, summaries };
  }

  async function run(onStep?: (step: string, cluster: Cluster) => Promise<void>, replicas = 1) {
    const cluster = new Cluster(uniqueName('e2e'), {}, replicas);
    clusters.push(cluster);
    await cluster.startAll();
    const log = console.log;
    console.log = () => undefined; // the demo narrates; the test asserts
    let companies: Json;
    try {
      companies = await runDemo(cluster.apps(), { checkEmpty: false, saveKeys: false, onStep: (step: string) => onStep?.(step, cluster) });
    } finally {
      console.log = log;
    }
    await settle(cluster);
    return { cluster, companies: companies!, result: await outcome(cluster, companies!) };
  }

  let uninterrupted: Awaited<ReturnType<typeof run>>;

  it('runs the scenario end to end and the read side tells its story', async () => {
    uninterrupted = await run();
    const { summaries, stores } = uninterrupted.result;
    const { cluster, companies } = uninterrupted;
    const pair = (a: string, b: string) => summaries[`${companies[a].name} | ${companies[b].name}`] ?? summaries[`${companies[b].name} | ${companies[a].name}`];

    // Car maker and tyre maker: an offer, a won tender, two contracts, call-offs across two tiers.
    expect(pair('carmaker', 'tyres')).toMatchObject({
      offers: { made: 1, accepted: 1 },
      tenders: { invited: 1, bid: 1, won: 1, lost: 0 },
      contracts: { executed: 2 },
      callOffs: { count: 3, volume: '10200', value: { EUR: '435000.00' } },
    });
    // The losing bidders lost to it.
    expect(pair('carmaker', 'tyres2').tenders).toMatchObject({ invited: 1, bid: 1, won: 0, lost: 1 });
    // Steel: amended contract, a critical ticket whose response SLA breached, and the major one the
    // engineer opened when a coil failed inspection at receipt (over Kafka, from GoodsReceived).
    expect(pair('carmaker', 'steel')).toMatchObject({ contracts: { executed: 1 }, tickets: { opened: 2 }, sla: { breached: 1 } });
    // After the call-off: two deliveries on time, 2.25 t of 120.5 t rejected, one invoice disputed
    // (more than was accepted), withdrawn, issued again for what was accepted, matched and paid.
    expect(pair('carmaker', 'steel')).toMatchObject({
      callOffs: { count: 1, volume: '120.5' },
      fulfilment: {
        deliveries: { received: 2, onTime: 2, exact: 2 },
        goods: { received: '120.5', accepted: '118.25', rejected: '2.25' },
        invoices: { issued: 2, matched: 1, disputed: 1, withdrawn: 1, paid: 1, paidLate: 0 },
      },
    });
    // Audio: a ticket answered in time, rated 5.
    expect(pair('carmaker', 'audio')).toMatchObject({
      tickets: { opened: 1, resolved: 1, closed: 1 },
      sla: { met: 2, breached: 0, compliancePercent: 100 },
      satisfaction: { average: 5 },
    });
    // The public tender: the city and the battery maker, under a contract signed with a government signatory.
    expect(pair('city', 'batteries')).toMatchObject({ tenders: { won: 1 }, contracts: { executed: 1 } });
    // The resale through the distributor links the battery maker and the second manufacturer; as
    // the maker sees it, the resale happened, but how much moved is the distributor's and buyer's.
    expect(pair('batteries', 'evmaker')).toMatchObject({ resales: { count: 1, volume: '0', throughIntermediaries: 1 } });
    const asBuyer = await fetch(`${cluster.url('relationships')}/relationships/${companies.batteries.companyId}/${companies.evmaker.companyId}`, {
      headers: { authorization: `Bearer ${tokenFor({ companyId: companies.evmaker.companyId, personId: null, roles: [] })}` },
    });
    expect(((await asBuyer.json()) as Json).summary.resales).toMatchObject({ count: 1, volume: '300' });
    expect(stores.contracts).toMatchObject({ ContractExecuted: 7, ContractAmended: 1, CallOffPlaced: 5 });
    expect(stores['service-desk']).toMatchObject({ TicketOpened: 3, SlaBreached: 1, TicketClosed: 1 });
    expect(stores.fulfilment).toEqual({ DeliveryDispatched: 3, GoodsReceived: 3, InvoiceIssued: 3, InvoiceWithdrawn: 1, InvoicePaid: 2 });
    // Nordstahl's account plan for the car maker: its opportunity qualified by hand, then followed
    // the steel offer over Kafka (sent, countered, accepted) once each, whatever was redelivered.
    expect(stores.accounts).toEqual({
      AccountTargeted: 1,
      AccountTeamAssigned: 1,
      StakeholderMapped: 3,
      CampaignLaunched: 1,
      TouchRecorded: 2,
      OpportunityOpened: 1,
      OpportunityDealLinked: 1,
      OpportunityStageMoved: 4,
      // The steel contract in force, recorded once on the opportunity that followed its offer.
      OpportunityContractExecuted: 1,
    });
    const moves = await db.query(`SELECT data FROM "${cluster.schemaOf('accounts')}".events WHERE type = 'OpportunityStageMoved' ORDER BY position`);
    expect(moves.map((m: Json) => [m.data.to, m.data.cause?.eventType ?? null])).toEqual([
      ['qualified', null],
      ['offer', 'OfferSubmitted'],
      ['negotiation', 'OfferCountered'],
      ['won', 'OfferAccepted'],
    ]);
    // The distributor's lot is what passed inspection (790 of 800), at the matched invoice price.
    const [lot] = await db.query(`SELECT data FROM "${cluster.schemaOf('resale')}".events WHERE type = 'LotRecorded' AND data->'source'->>'kind' = 'contract'`);
    expect(lot.data).toMatchObject({ quantity: '790', unitCost: '1095.00', source: { deliveryId: expect.any(String) } });

    const token = tokenFor({ companyId: companies.carmaker.companyId, personId: randomUUID(), roles: ['procurement'] });
    const timeline = (await (
      await fetch(`${cluster.url('relationships')}/relationships/${companies.carmaker.companyId}/${companies.steel.companyId}/timeline`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as Json;
    const types = timeline.items.map((i: Json) => i.type);
    expect(types.indexOf('OfferAccepted')).toBeLessThan(types.indexOf('ContractDrafted'));
    expect(types.indexOf('ContractAmended')).toBeLessThan(types.indexOf('ContractExecuted'));
    expect(types).toContain('SlaBreached');
    // Nordstahl's own touches with the car maker stand in its timeline with it, never in the car maker's.
    expect(types).not.toContain('TouchRecorded');
    const asSteel = tokenFor({ companyId: companies.steel.companyId, personId: randomUUID(), roles: [] });
    const sellers = (await (
      await fetch(`${cluster.url('relationships')}/relationships/${companies.carmaker.companyId}/${companies.steel.companyId}/timeline`, {
        headers: { authorization: `Bearer ${asSteel}` },
      })
    ).json()) as Json;
    const touches = sellers.items.filter((i: Json) => i.type === 'TouchRecorded');
    expect(touches.map((i: Json) => i.summary)).toEqual([
      expect.stringMatching(/^Nordstahl AG reached the account by a conference meeting/),
      expect.stringMatching(/by a demonstration/),
    ]);
    expect(sellers.items.length - touches.length).toBe(types.length);
    const card = (await (
      await fetch(`${cluster.url('relationships')}/scorecards/${companies.tyres.companyId}?buyer=${companies.carmaker.companyId}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as Json;
    expect(card.criteria.price.score).toBeGreaterThan(9);
    expect(card.criteria.reputation.basis).toMatchObject({ tendersWon: 1, tendersLost: 0 });
    // The steel supplier's delivery criterion: on time and exact, 1.87 % rejected, one of two invoices right first time.
    const steelCard = (await (
      await fetch(`${cluster.url('relationships')}/scorecards/${companies.steel.companyId}?buyer=${companies.carmaker.companyId}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as Json;
    expect(steelCard.criteria.delivery.basis).toMatchObject({ onTimeDeliveryPercent: 100, quantityAccuracyPercent: 100, invoiceAccuracyPercent: 50 });
    expect(steelCard.criteria.delivery.score).toBeGreaterThan(8);
  });

  it("lets an outside service keep a copy of the car maker's contracts from its feed (examples/contracts-mirror)", async () => {
    const { cluster, companies } = uninterrupted;
    const dir = mkdtempSync(join(tmpdir(), 'mirror-'));
    try {
      const run = () =>
        execFileSync(process.execPath, [join(__dirname, '..', '..', 'examples', 'contracts-mirror', 'mirror.mjs'), '--once'], {
          env: {
            ...process.env,
            DEALLEDGER_API_KEY: companies.carmaker.apiKey.key,
            DIRECTORY_URL: cluster.url('directory'),
            RELATIONSHIPS_URL: cluster.url('relationships'),
            MIRROR_DIR: dir,
          },
          encoding: 'utf8',
        });
      expect(run()).toMatch(/contracts/);
      const copy = JSON.parse(readFileSync(join(dir, 'contracts.json'), 'utf8'));
      const token = tokenFor({ companyId: companies.carmaker.companyId, personId: null, roles: [] });
      const listed = (
        (await (await fetch(`${cluster.url('contracts')}/contracts?limit=100`, { headers: { authorization: `Bearer ${token}` } })).json()) as Json
      ).items as Json[];
      expect(Object.keys(copy.contracts).sort()).toEqual(listed.map((c) => c.contractId).sort());
      const active = (Object.values(copy.contracts) as Json[]).filter((c) => c.status === 'in_force').map((c) => c.contractId);
      expect(active.sort()).toEqual(
        listed
          .filter((c) => c.status === 'in_force')
          .map((c) => c.contractId)
          .sort(),
      );
      const callOffs = (Object.values(copy.contracts) as Json[]).reduce((n, c) => n + c.callOffs.length, 0);
      const { summaries } = uninterrupted.result;
      const expected = Object.entries(summaries)
        .filter(([pair]) => pair.split(' | ').includes(companies.carmaker.name))
        .reduce((n, [, s]) => n + ((s as Json).callOffs?.count ?? 0), 0);
      expect(expected).toBeGreaterThan(0);
      expect(callOffs).toBe(expected);
      // Run again: it resumes from its cursor and changes nothing.
      const before = readFileSync(join(dir, 'contracts.json'), 'utf8');
      run();
      expect(readFileSync(join(dir, 'contracts.json'), 'utf8')).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('erases a person: after every read model is rebuilt from offset 0, neither name nor e-mail is in any table or on any topic', async () => {
    const { cluster, companies } = uninterrupted;
    const company = companies.carmaker;
    const person = (company.people as Json[]).find((p) => p.name === 'Katrin Vogel')!;
    const directory = cluster.url('directory');
    const asCompany = { authorization: `Bearer ${company.token}` };
    const seen = async () =>
      ((await (await fetch(`${directory}/companies/${company.companyId}`, { headers: asCompany })).json()) as Json).people.find(
        (p: Json) => p.personId === person.personId,
      );
    expect(await seen()).toMatchObject({ name: 'Katrin Vogel', email: person.email, erased: false });

    const erased = await fetch(`${directory}/companies/${company.companyId}/people/${person.personId}/personal-data`, { method: 'DELETE', headers: asCompany });
    expect(erased.ok).toBe(true);
    expect(await seen()).toMatchObject({ personId: person.personId, name: null, erased: true, signingRoles: ['procurement'] });

    // Every read model again from the beginning: the relationships side from Kafka offset 0, each app's lists from its log.
    const rebuilt = await fetch(`${cluster.url('relationships')}/admin/rebuild`, { method: 'POST', headers: ADMIN });
    expect(rebuilt.status).toBe(200);
    const lists: [AppName, string[]][] = [
      ['offers', ['offer_list', 'tender_list', 'tender_bid_list']],
      ['contracts', ['contract_list']],
      ['resale', ['lot_list', 'resale_list']],
      ['service-desk', ['ticket_list']],
    ];
    for (const [app, names] of lists)
      for (const name of names)
        expect((await fetch(`${cluster.url(app)}/admin/read-models/${name}/rebuild`, { method: 'POST', headers: ADMIN })).status).toBe(200);

    const needles = ['Katrin Vogel', person.email as string];
    // The search itself finds what is there in clear: the company's name.
    const [{ named }] = await db.query(`SELECT count(*)::int AS named FROM "${cluster.schemaOf('directory')}".events t WHERE t::text ILIKE '%' || $1 || '%'`, [
      company.name,
    ]);
    expect(named).toBeGreaterThan(0);
    for (const app of APPS) {
      const schema = cluster.schemaOf(app);
      const tables: { table_name: string }[] = await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
        [schema],
      );
      for (const { table_name } of tables) {
        const byteColumns: { column_name: string }[] = await db.query(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND data_type = 'bytea'`,
          [schema, table_name],
        );
        for (const needle of needles) {
          const inBytes = byteColumns.map((c) => `position(convert_to($1, 'UTF8') in coalesce(t."${c.column_name}", ''::bytea)) > 0`);
          const [{ n }] = await db.query(
            `SELECT count(*)::int AS n FROM "${schema}"."${table_name}" t WHERE t::text ILIKE '%' || $1 || '%' ${inBytes.map((c) => `OR ${c}`).join(' ')}`,
            [needle],
          );
          expect([`${schema}.${table_name}`, needle, n]).toEqual([`${schema}.${table_name}`, needle, 0]);
        }
      }
    }
    const kafka = createKafka('e2e-erasure');
    const admin = kafka.admin();
    await admin.connect();
    const topics: string[] = [];
    try {
      for (const topic of (await admin.listTopics()).filter((name) => name.startsWith(`${cluster.prefix}.`))) {
        const held = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
        if (held > 0) topics.push(topic);
      }
    } finally {
      await admin.disconnect();
    }
    expect(topics).toContain(`${cluster.prefix}.directory.events`);
    let companyNameOnTopics = 0;
    for (const topic of topics) {
      for (const { message } of await readWholeTopic(kafka, topic)) {
        const raw = `${message.key?.toString() ?? ''} ${message.value?.toString() ?? ''} ${JSON.stringify(message.headers ?? {})}`;
        for (const needle of needles) expect(raw.includes(needle)).toBe(false);
        if (raw.includes(JSON.stringify(company.name).slice(1, -1))) companyNameOnTopics += 1;
      }
    }
    expect(companyNameOnTopics).toBeGreaterThan(0);
    // The log is untouched: every store's hash chain verifies.
    for (const app of APPS) expect([app, (await new PostgresEventStore(db, cluster.schemaOf(app)).verify()).ok]).toEqual([app, true]);
  });

  it('loses and doubles nothing when an app is killed with -9 mid-scenario and restarted', async () => {
    // The uninterrupted ledger's outcome is kept; its processes need not share the machine from here on.
    await uninterrupted?.cluster.stopAll();
    const interrupted = await run(async (step, cluster) => {
      if (step === 'deals') {
        // The contracts app is drafting contracts from the accepted offers right now.
        await cluster.kill9('contracts');
        await cluster.start('contracts');
      }
      if (step === 'contracts') {
        // The read side is mid-projection too, and fulfilment is learning the call-offs.
        await cluster.kill9('relationships');
        await cluster.kill9('fulfilment');
        await cluster.start('relationships');
        await cluster.start('fulfilment');
      }
    });
    expect(interrupted.result.stores).toEqual(uninterrupted.result.stores);
    expect(interrupted.result.summaries).toEqual(uninterrupted.result.summaries);
    expect(interrupted.result.digest).toBe(uninterrupted.result.digest);
    await interrupted.cluster.stopAll();
  });

  /** A replica's /health, or null once it answers no more (killed). */
  async function health(cluster: Cluster, app: AppName, replica: number): Promise<Json | null> {
    try {
      return (await (await fetch(`${cluster.replicaUrl(app, replica)}/health`)).json()) as Json;
    } catch {
      return null;
    }
  }

  /** Polls `probe` until it returns something other than undefined. */
  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const got = await probe();
      if (got !== undefined) return got;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(250);
    }
  }

  /** The run's consumer groups (not the per-process token readers): state and partitions held by each member. */
  async function consumerGroups(cluster: Cluster): Promise<Record<string, { state: string; partitions: number[] }>> {
    const admin = createKafka('e2e-groups').admin();
    await admin.connect();
    try {
      const ids = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(`${cluster.prefix}.`) && !id.includes('.tokens.'));
      const { groups } = await admin.describeGroups(ids);
      return Object.fromEntries(
        groups.map((g) => [
          g.groupId.slice(cluster.prefix.length + 1),
          {
            state: g.state,
            partitions: g.members.map((m) =>
              Object.values(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}).reduce((n, ps) => n + ps.length, 0),
            ),
          },
        ]),
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** The consumer groups of the apps that read other contexts' topics (directory and offers read none). */
  const CONSUMER_GROUPS = ['accounts', 'contracts', 'fulfilment', 'relationships', 'relationships.touches', 'resale', 'service-desk'];

  it('runs on two replicas of every app, one of each killed with -9 midway: relays take over, groups share partitions, nothing lost or doubled', async () => {
    // Half the apps lose a replica once the deals are made (the contracts app drafting from them),
    // the other half once contracts are called off (fulfilment and the read side taking them in).
    const killAt: Record<string, AppName[]> = {
      deals: ['directory', 'offers', 'contracts', 'accounts'],
      contracts: ['relationships', 'fulfilment', 'resale', 'service-desk'],
    };
    const killed = new Map<AppName, number>();
    const takeoverMs = new Map<AppName, number>();
    let groups: Record<string, { state: string; partitions: number[] }> = {};
    const replicated = await run(async (step, cluster) => {
      if (step === 'companies') {
        // Exactly one relay per store publishes; the other replica stands by.
        for (const app of APPS)
          await until(`${app}: one active relay, one standing by`, async () => {
            const roles = await Promise.all([0, 1].map(async (i) => (await health(cluster, app, i))?.relay?.role));
            return [...roles].sort().join() === 'active,standby' ? true : undefined;
          });
        // Both replicas are in every group, each with partitions of its own.
        groups = await until('every consumer group shared by both replicas', async () => {
          const seen = await consumerGroups(cluster);
          const shared = Object.values(seen).every((g) => g.state === 'Stable' && g.partitions.length === 2 && g.partitions.every((n) => n > 0));
          return Object.keys(seen).sort().join() === CONSUMER_GROUPS.join() && shared ? seen : undefined;
        });
      }
      await Promise.all(
        (killAt[step] ?? []).map(async (app) => {
          // The replica publishing this store's events goes: the other must take over.
          const roles = await Promise.all([0, 1].map(async (i) => (await health(cluster, app, i))?.relay?.role));
          const active = roles.indexOf('active');
          expect([app, roles.filter((r) => r === 'active').length]).toEqual([app, 1]);
          await cluster.kill9(app, active);
          const from = Date.now();
          await until(
            `${app}'s other replica to become the active relay`,
            async () => ((await health(cluster, app, 1 - active))?.relay?.role === 'active' ? true : undefined),
            30000,
          );
          takeoverMs.set(app, Date.now() - from);
          killed.set(app, active);
        }),
      );
    }, 2);
    const { cluster, companies, result } = replicated;
    console.log(`two replicas each: relay takeover after kill -9, ms: ${JSON.stringify(Object.fromEntries(takeoverMs))}; groups: ${JSON.stringify(groups)}`);
    expect(Object.keys(groups).sort()).toEqual(CONSUMER_GROUPS);
    expect([...killed.keys()].sort()).toEqual([...APPS].sort());
    for (const [app, ms] of takeoverMs) expect([app, ms < 15000]).toEqual([app, true]);
    // The same story as on one replica each: every store by event type (the SLA breach, which
    // both service-desk replicas' deadline checks saw due, is there once), every summary.
    expect(result.stores).toEqual(uninterrupted.result.stores);
    expect(result.summaries).toEqual(uninterrupted.result.summaries);
    expect(result.digest).toBe(uninterrupted.result.digest);

    // Idempotency keys hold across replicas: the killed offers replica back, a command sent to
    // one replica and then again to the other, then to both at once, makes one offer each time,
    // and every answer is what was stored. (The bodies differ in validUntil on purpose: the one
    // stored first stands, and the other answer must say so, not what it would have decided.)
    await cluster.start('offers', 3, killed.get('offers')!);
    // Fixed once: a run crossing midnight must compare with what it sent.
    const today = Math.floor(Date.now() / 86400000) * 86400000;
    const validUntil = (days: number) => new Date(today + days * 86400000).toISOString();
    const offer = (key: string, replica: number, days: number) =>
      fetch(`${cluster.replicaUrl('offers', replica)}/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${companies.steel.person}`, 'idempotency-key': key },
        body: JSON.stringify({
          buyerId: companies.carmaker.companyId,
          items: [
            {
              sku: 'DC04-COIL-0.8',
              kind: 'raw_material',
              description: 'Cold-rolled coil 0.8 mm',
              unit: 't',
              currency: 'EUR',
              tiers: [{ minQuantity: '10', unitPrice: '910.00' }],
            },
          ],
          validUntil: validUntil(days),
          paymentTerms: '60 days net',
          deliveryTerms: 'DAP',
        }),
      }).then(async (r) => [r.status, await r.json()] as [number, Json]);
    const stored = async (offerId: string) =>
      ((await db.query(`SELECT data FROM "${cluster.schemaOf('offers')}".events WHERE stream_id = $1`, [`offer-${offerId}`])) as Json[]).map(
        (e) => e.data.validUntil,
      );
    const first = await offer('replicas-in-turn', 0, 10);
    expect(first[0]).toBe(201);
    expect(await offer('replicas-in-turn', 1, 11)).toEqual(first);
    expect(await stored(first[1].offerId)).toEqual([validUntil(10)]);
    const both = await Promise.all([offer('replicas-at-once', 0, 20), offer('replicas-at-once', 1, 21)]);
    expect(both[0][0]).toBe(201);
    expect(both[1]).toEqual(both[0]);
    const [kept] = await stored(both[0][1].offerId);
    expect([validUntil(20), validUntil(21)]).toContain(kept);
    expect(await stored(both[0][1].offerId)).toEqual([kept]);
    await cluster.stopAll();
  }, 600000);
});
