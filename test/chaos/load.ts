import { randomUUID } from 'node:crypto';
import { uuidV5 } from '@dealledger/domain';
import { tokenFor } from '@dealledger/testing';
import type { Api, Response } from './api';
import { pick, sleep } from './util';

type Json = Record<string, any>;
const chance = (p: number) => Math.random() < p;

export interface Party {
  companyId: string;
  token: string;
}

function party(): Party {
  const companyId = randomUUID();
  // Every signing role in one person keeps the flows short; who may sign what is tested elsewhere.
  return { companyId, token: tokenFor({ companyId, personId: randomUUID(), roles: ['procurement', 'legal', 'executive', 'technical', 'finance'] }) };
}

/** Fixed companies, so that the relationship between each pair accumulates many deals. */
export const companies = {
  suppliers: Array.from({ length: 4 }, party),
  buyers: Array.from({ length: 3 }, party),
  distributors: Array.from({ length: 3 }, party),
};

/** What the load expects downstream, from commands that were acknowledged. */
export interface Expectations {
  /** offerId of every 2xx acceptance: exactly one contract drafted from each. */
  acceptedOffers: Set<string>;
  /** tenderId of every 2xx award. */
  awardedTenders: Set<string>;
  /** contractId -> sku -> quantity called off by 2xx call-offs. */
  calledOff: Map<string, Map<string, number>>;
  /** Contracts with a call-off that never got a definite answer: their totals are not known exactly. */
  uncertain: Set<string>;
  /** lotId of every lot recorded from a resale (2xx): derived from the resale, so one per resale. */
  resaleLots: Map<string, string>;
  /** Tickets never acknowledged, with the moment their response was due: exactly one response breach each. */
  unanswered: Map<string, number>;
  /** Tickets acknowledged (a breach may or may not have come first, at most one). */
  tickets: Set<string>;
}

const tier = (minQuantity: number, unitPrice: string) => ({ minQuantity, unitPrice });
const ITEMS = [
  {
    sku: 'BRK-DISC-330',
    kind: 'component',
    description: 'Brake disc 330 mm',
    unit: 'piece',
    currency: 'EUR',
    tiers: [tier(100, '38.00'), tier(2000, '34.50')],
  },
  {
    sku: 'AL-6061-T6',
    kind: 'raw_material',
    description: 'Aluminium bar 6061-T6',
    unit: 'kg',
    currency: 'EUR',
    tiers: [tier(500, '4.10'), tier(10000, '3.85')],
  },
];
const inDays = (d: number) => new Date(Date.now() + d * 86400000).toISOString();
const RESPONSE_HOURS = 0.002; // 7.2 s: short enough for a breach to fall inside the run

/**
 * Deals as the users make them, many at once: offers negotiated and accepted (or rejected), the
 * contracts drafted from them signed by both sides, call-offs across tiers, lots and resales
 * through distributors, tickets answered in time or left to breach their SLA, and tenders with
 * bids, evaluations and awards. Each flow runs its commands one after another; the Api paces
 * all of them to the offered rate.
 */
export class Load {
  readonly expect: Expectations = {
    acceptedOffers: new Set(),
    awardedTenders: new Set(),
    calledOff: new Map(),
    uncertain: new Set(),
    resaleLots: new Map(),
    unanswered: new Map(),
    tickets: new Set(),
  };
  running = true;
  flows = { offer: 0, tender: 0, completed: 0, abandoned: 0 };

  constructor(private readonly api: Api) {}

  /** Keeps `concurrency` flows going until stop(). */
  async run(concurrency: number): Promise<void> {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (this.running) {
          try {
            if (chance(0.2)) await this.tenderFlow();
            else await this.offerFlow();
            this.flows.completed += 1;
          } catch (err) {
            if (!(err instanceof Abandoned)) throw err;
            this.flows.abandoned += 1;
          }
        }
      }),
    );
  }

  stop(): void {
    this.running = false;
  }

  /** A command that must succeed for the flow to go on; the flow ends when it does not (or the run is over). */
  private async must(...args: Parameters<Api['command']>): Promise<Json> {
    if (!this.running) throw new Abandoned();
    const r = await this.api.command(...args);
    if (!r || r.status >= 300) throw new Abandoned();
    return r.json;
  }

  private async contractFor(origin: string, as: Party): Promise<Json> {
    for (;;) {
      if (!this.running) throw new Abandoned();
      const r = await this.api.query('contracts', `/contracts?origin=${origin}`, as.token, 30000);
      if (r && Array.isArray(r.json) && r.json.length) return r.json[0];
      await sleep(250);
    }
  }

  async offerFlow(): Promise<void> {
    this.flows.offer += 1;
    const supplier = pick(companies.suppliers);
    const viaDistributor = chance(0.35);
    const buyer = viaDistributor ? pick(companies.distributors) : pick(companies.buyers);
    const terms = { validUntil: inDays(30), paymentTerms: '60 days net', deliveryTerms: 'DAP, Incoterms 2020' };
    const offer = await this.must('offers', 'draft offer', '/offers', { buyerId: buyer.companyId, items: ITEMS, ...terms }, supplier);
    const id = offer.offerId;
    await this.must('offers', 'submit offer', `/offers/${id}/submit`, {}, supplier);
    let revision = 0;
    if (chance(0.4)) {
      await this.must(
        'offers',
        'counter offer',
        `/offers/${id}/counter`,
        { proposals: [{ sku: ITEMS[0].sku, unitPrice: '33.00' }], note: 'index fell' },
        buyer,
      );
      const revised = [{ ...ITEMS[0], tiers: [tier(100, '37.00'), tier(2000, '33.90')] }, ITEMS[1]];
      await this.must('offers', 'revise offer', `/offers/${id}/revise`, { items: revised, ...terms, note: 'met halfway' }, supplier);
      revision = 1;
    }
    if (chance(0.12)) {
      await this.must('offers', 'reject offer', `/offers/${id}/reject`, { reason: 'budget moved to next year' }, buyer);
      return;
    }
    await this.must(
      'offers',
      'accept offer',
      `/offers/${id}/accept`,
      {
        revision,
        quantities: [
          { sku: ITEMS[0].sku, quantity: 3000 },
          { sku: ITEMS[1].sku, quantity: 20000 },
        ],
      },
      buyer,
    );
    this.expect.acceptedOffers.add(id);
    let contract = await this.contractFor(`offer:${id}`, buyer);
    const withTicket = chance(0.3);
    if (withTicket) {
      const sla = [{ severity: 'critical', responseHours: RESPONSE_HOURS, resolutionHours: 12 }];
      contract = await this.must('contracts', 'amend contract', `/contracts/${contract.contractId}/amendments`, { sla, note: 'Line-stop response' }, supplier);
    }
    contract = await this.sign(contract, buyer, supplier);
    const callOffs: Json[] = [];
    for (let i = 0; i < 2; i++) {
      const lines = [
        { sku: ITEMS[0].sku, quantity: 100 + Math.floor(Math.random() * 900) },
        { sku: ITEMS[1].sku, quantity: 500 + Math.floor(Math.random() * 5000) },
      ];
      if (!this.running) throw new Abandoned();
      const placed = await this.api.command('contracts', 'place call-off', `/contracts/${contract.contractId}/call-offs`, { lines }, buyer);
      if (!placed) this.expect.uncertain.add(contract.contractId); // no answer: it may or may not have been placed
      if (!placed || placed.status >= 300) throw new Abandoned();
      const bySku = this.expect.calledOff.get(contract.contractId) ?? new Map<string, number>();
      for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.quantity);
      this.expect.calledOff.set(contract.contractId, bySku);
      callOffs.push({ ...placed.json, lines });
    }
    if (viaDistributor) await this.resell(buyer, supplier, contract, callOffs[0]);
    if (withTicket) await this.ticket(contract, buyer, supplier);
  }

  private async sign(contract: Json, buyer: Party, supplier: Party): Promise<Json> {
    let current = contract;
    for (const [role, who] of [
      ['procurement', buyer],
      ['legal', buyer],
      ['executive', supplier],
    ] as const) {
      // A person of its own for each role (four eyes).
      const signer = { companyId: who.companyId, token: tokenFor({ companyId: who.companyId, personId: randomUUID(), roles: [role] }) };
      current = await this.must('contracts', 'sign contract', `/contracts/${contract.contractId}/signatures`, { role, termsHash: current.termsHash }, signer);
    }
    return current;
  }

  /**
   * The supplier delivers the call-off's first line, the distributor receives it (all accepted)
   * and records it as a lot, resells part to another distributor, which records its own lot.
   */
  private async resell(distributor: Party, supplier: Party, contract: Json, callOff: Json): Promise<void> {
    const line = callOff.lines[0];
    const notYet = (r: Response) => r.status === 404 || r.status === 409; // the app has not learned the contract, call-off or receipt yet
    const path = `/call-offs/${callOff.callOffId}`;
    const dispatched = await this.must(
      'fulfilment',
      'dispatch delivery',
      `${path}/deliveries`,
      { lines: [{ sku: line.sku, quantity: line.quantity }], carrier: 'Chaos Freight', expectedArrival: inDays(2) },
      supplier,
      (r: Response) => r.status === 404,
    );
    const deliveryId = dispatched.deliveries[dispatched.deliveries.length - 1].deliveryId;
    await this.must(
      'fulfilment',
      'receive goods',
      `${path}/deliveries/${deliveryId}/receipt`,
      { lines: [{ sku: line.sku, received: line.quantity, accepted: line.quantity }] },
      distributor,
    );
    const lot = await this.must(
      'resale',
      'record lot',
      '/lots',
      { source: { kind: 'contract', contractId: contract.contractId, callOffId: callOff.callOffId, deliveryId }, sku: line.sku, quantity: line.quantity },
      distributor,
      notYet,
    );
    const next = pick(companies.distributors.filter((d) => d !== distributor));
    const quantity = Math.max(1, Math.floor(line.quantity / 3));
    const sale = await this.must('resale', 'resell', `/lots/${lot.lotId}/resales`, { buyerId: next.companyId, quantity, unitPrice: '41.00' }, distributor);
    const downstream = await this.must(
      'resale',
      'record lot from resale',
      '/lots',
      { source: { kind: 'resale', upstreamLotId: lot.lotId, resaleId: sale.resaleId } },
      next,
      notYet,
    );
    this.expect.resaleLots.set(sale.resaleId, downstream.lotId);
    if (downstream.lotId !== uuidV5(`lot:resale:${sale.resaleId}`))
      throw new Error(`lot ${downstream.lotId} of resale ${sale.resaleId} is not the one derived from it`);
  }

  /** A critical ticket: answered at once (and resolved and closed), or left unanswered until its response SLA breaches. */
  private async ticket(contract: Json, buyer: Party, supplier: Party): Promise<void> {
    const notYet = (r: Response) => r.status === 404 || r.status === 409; // the service desk has not learned the executed contract yet
    const opened = await this.must(
      'service-desk',
      'open ticket',
      '/tickets',
      { contractId: contract.contractId, sku: ITEMS[0].sku, severity: 'critical', description: 'Discs warp on the test bench' },
      buyer,
      notYet,
    );
    const id = opened.ticketId;
    if (chance(0.5)) {
      this.expect.unanswered.set(id, Date.parse(opened.responseDueAt));
      return;
    }
    this.expect.tickets.add(id);
    await this.must('service-desk', 'acknowledge ticket', `/tickets/${id}/acknowledge`, {}, supplier);
    await this.must('service-desk', 'resolve ticket', `/tickets/${id}/resolve`, { resolution: 'Batch replaced' }, supplier);
    await this.must('service-desk', 'close ticket', `/tickets/${id}/close`, { satisfaction: 4, comment: 'Quick' }, buyer);
  }

  async tenderFlow(): Promise<void> {
    this.flows.tender += 1;
    const buyer = pick(companies.buyers);
    const [a, b] = [...companies.suppliers].sort(() => Math.random() - 0.5);
    const deadline = Date.now() + 5000;
    const tender = await this.must(
      'offers',
      'open tender',
      '/tenders',
      {
        title: 'Wheel bearings, next model year',
        items: [{ itemId: 'lot-1', description: 'Wheel bearing unit', quantity: 20000, unit: 'piece', specification: 'ISO 15243' }],
        submissionDeadline: new Date(deadline).toISOString(),
        weights: { price: 50, quality: 20, reputation: 10, service: 10, partnership: 10 },
        publicProcurement: false,
        currency: 'EUR',
      },
      buyer,
    );
    const id = tender.tenderId;
    await this.must('offers', 'invite to tender', `/tenders/${id}/invitations`, { supplierIds: [a.companyId, b.companyId] }, buyer);
    await this.must('offers', 'bid', `/tenders/${id}/bids`, { prices: [{ itemId: 'lot-1', unitPrice: '21.40' }] }, a);
    await this.must('offers', 'bid', `/tenders/${id}/bids`, { prices: [{ itemId: 'lot-1', unitPrice: '22.10' }] }, b);
    await sleep(Math.max(0, deadline - Date.now()) + 200);
    await this.must('offers', 'close tender', `/tenders/${id}/close`, {}, buyer);
    for (const s of [a, b]) {
      await this.must(
        'offers',
        'evaluate bid',
        `/tenders/${id}/evaluations`,
        { supplierId: s.companyId, scores: { quality: 8, reputation: 7, service: 8, partnership: 7 } },
        buyer,
      );
    }
    await this.must('offers', 'award tender', `/tenders/${id}/award`, { supplierId: a.companyId }, buyer);
    this.expect.awardedTenders.add(id);
    const contract = await this.contractFor(`tender:${id}`, buyer);
    await this.sign(contract, buyer, a);
  }
}

/** A flow stops at a command that did not succeed, or when the run is over. */
export class Abandoned extends Error {}
