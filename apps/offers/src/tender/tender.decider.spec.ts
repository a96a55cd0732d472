import { fold } from '@dealledger/domain';
import { eventCatalog, type BidPrice, type TenderEvent } from '@dealledger/events';
import type { Requester } from '@dealledger/domain';
import { deciderSpec } from '@dealledger/testing';
import type { TenderCommand } from './tender.commands';
import { MAX_TENDER_DOCUMENTS, partiesOf, priceScores, rank, tenderDecider, TenderState } from './tender.decider';
import { tenderView } from './tender.stream';
import { awardStandstillChange } from './standstill/award-standstill.rule';

const { given } = deciderSpec(tenderDecider);

const tenderId = '7e7e7e7e-0000-4000-8000-000000000001';
const buyer = 'b0b0b0b0-0000-4000-8000-000000000002';
const s1 = '51515151-0000-4000-8000-000000000003';
const s2 = '52525252-0000-4000-8000-000000000004';
const s3 = '53535353-0000-4000-8000-000000000005';
const outsider = '99999999-0000-4000-8000-000000000006';
const before = new Date('2027-04-01T10:00:00Z');
const deadline = '2027-04-15T12:00:00.000Z';
const after = new Date('2027-04-16T08:00:00Z');

const person = (companyId: string, n: number, roles: string[]): Requester => ({
  companyId,
  personId: `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`,
  roles,
});
const procurement = person(buyer, 10, ['procurement']);
const engineer = person(buyer, 11, ['technical']);
const official = person(buyer, 12, ['government']);
const rep = (supplier: string) => person(supplier, supplier === s1 ? 21 : supplier === s2 ? 22 : 23, ['executive']);

const items = [
  { itemId: 'lot-1', description: 'All-season tyre 225/45 R17', quantity: '20000', unit: 'piece', specification: 'EU label B/B/70dB' },
  { itemId: 'lot-2', description: 'Winter tyre 225/45 R17', quantity: '8000', unit: 'piece', specification: '3PMSF' },
];
const weights = { price: 40, quality: 25, reputation: 10, service: 15, partnership: 10 };
const opened: TenderEvent = {
  type: 'TenderOpened',
  data: {
    tenderId,
    buyerId: buyer,
    title: 'Tyres 2028',
    items,
    submissionDeadline: deadline,
    weights,
    publicProcurement: false,
    currency: 'EUR',
    procedure: 'invited',
    standstillDays: 0,
    lots: [],
  },
};
const invited: TenderEvent = { type: 'SuppliersInvited', data: { tenderId, buyerId: buyer, supplierIds: [s1, s2, s3] } };
const sealed = { ciphertext: 'x', iv: 'y', tag: 'z' };
const hash = (n: number) => String(n).repeat(64).slice(0, 64);
const bidId = (n: number) => `bbbbbbbb-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
const bid = (supplierId: string, n: number): TenderEvent => ({
  type: 'BidSubmitted',
  data: { tenderId, buyerId: buyer, supplierId, bidId: bidId(n), sealed, contentHash: hash(n) },
});
const prices = (a: string, b: string): BidPrice[] => [
  { itemId: 'lot-1', unitPrice: a },
  { itemId: 'lot-2', unitPrice: b },
];

const openCmd = (over: Partial<Extract<TenderCommand, { type: 'OpenTender' }>> = {}): TenderCommand => ({
  type: 'OpenTender',
  tenderId,
  buyerId: buyer,
  title: 'Tyres 2028',
  items,
  submissionDeadline: deadline,
  weights,
  publicProcurement: false,
  currency: 'EUR',
  procedure: 'invited',
  standstillDays: 0,
  lots: [],
  requester: procurement,
  now: before,
  ...over,
});
const submit = (supplier: string, n: number, p = prices('50.00', '60.00'), at = before): TenderCommand => ({
  type: 'SubmitBid',
  tenderId,
  bidId: bidId(n),
  prices: p,
  sealed,
  contentHash: hash(n),
  requester: rep(supplier),
  now: at,
});
const closeCmd = (opened: { supplierId: string; n: number; p: BidPrice[] }[], at = after): TenderCommand => ({
  type: 'CloseTender',
  tenderId,
  openedBids: opened.map((o) => ({ supplierId: o.supplierId, bidId: bidId(o.n), contentHash: hash(o.n), prices: o.p })),
  requester: procurement,
  now: at,
});
const evaluateCmd = (supplierId: string, by: Requester, score: number): TenderCommand => ({
  type: 'EvaluateBid',
  tenderId,
  supplierId,
  scores: { quality: score, reputation: score, service: score, partnership: score },
  requester: by,
  now: after,
});

// Three bids: s1 the cheapest, s2 the dearest, s3 in between.
const bids = [bid(s1, 1), bid(s2, 2), bid(s3, 3)];
const closing = [
  { supplierId: s1, n: 1, p: prices('50.00', '60.00') }, // 1,000,000 + 480,000 = 1,480,000
  { supplierId: s2, n: 2, p: prices('60.00', '70.00') }, // 1,200,000 + 560,000 = 1,760,000
  { supplierId: s3, n: 3, p: prices('55.00', '62.00') }, // 1,100,000 + 496,000 = 1,596,000
];
const closedEvents = (): TenderEvent[] => {
  const g = given([opened, invited, ...bids]);
  return [opened, invited, ...bids, ...g.when(closeCmd(closing)).events];
};

describe('tender decider', () => {
  describe('opening', () => {
    it('opens a tender with criteria weights that sum to 100', () => {
      given([]).when(openCmd()).then([opened]);
    });
    it('refuses weights that do not sum to 100', () => {
      given([])
        .when(openCmd({ weights: { ...weights, price: 50 } }))
        .thenThrows('invalid:tender.weights_must_sum_to_100');
    });
    it('refuses a deadline in the past', () => {
      given([])
        .when(openCmd({ submissionDeadline: '2027-03-01T00:00:00Z' }))
        .thenThrows('invalid:tender.deadline_in_past');
    });
    it('refuses a tender for another buyer', () => {
      given([])
        .when(openCmd({ requester: rep(s1) }))
        .thenThrows('forbidden:tender.buyer_only');
    });
    it('refuses duplicate items', () => {
      given([])
        .when(openCmd({ items: [items[0], items[0]] }))
        .thenThrows('invalid:tender.duplicate_item');
    });
    it('refuses a second tender with the same id', () => {
      given([opened]).when(openCmd()).thenThrows('conflict:tender.already_exists');
    });
  });

  describe('while open', () => {
    it('invites suppliers, each once and each in an event of its own, to which only it and the buyer are party', () => {
      const events = given([opened]).when({ type: 'InviteSuppliers', tenderId, supplierIds: [s1, s2, s3, s1], requester: procurement, now: before }).events;
      expect(events).toEqual([s1, s2, s3].map((s) => ({ type: 'SuppliersInvited', data: { tenderId, buyerId: buyer, supplierIds: [s] } })));
      expect(events.map((e) => partiesOf(e, fold(tenderDecider, [opened])))).toEqual([
        [buyer, s1],
        [buyer, s2],
        [buyer, s3],
      ]);
      given([opened, invited])
        .when({ type: 'InviteSuppliers', tenderId, supplierIds: [s1], requester: procurement, now: before })
        .thenThrows('conflict:tender.already_invited');
    });
    it('does not invite the buyer itself, nor take invitations from others', () => {
      given([opened])
        .when({ type: 'InviteSuppliers', tenderId, supplierIds: [buyer], requester: procurement, now: before })
        .thenThrows('invalid:tender.buyer_cannot_bid');
      given([opened, invited])
        .when({ type: 'InviteSuppliers', tenderId, supplierIds: [outsider], requester: rep(s1), now: before })
        .thenThrows('forbidden:tender.buyer_only');
    });
    it('records a sealed bid from an invited supplier, without its prices', () => {
      const { events } = given([opened, invited]).when(submit(s1, 1));
      expect(events).toEqual([bid(s1, 1)]);
      expect(JSON.stringify(events)).not.toContain('50.00');
    });
    it('hides the tender from uninvited companies', () => {
      given([opened, invited])
        .when({ ...submit(s1, 1), requester: person(outsider, 30, []) } as TenderCommand)
        .thenThrows('not_found:tender.not_found');
    });
    it('refuses a bid after the deadline', () => {
      given([opened, invited])
        .when(submit(s1, 1, prices('1.00', '1.00'), after))
        .thenThrows('conflict:tender.deadline_passed');
    });
    it('refuses a bid that leaves an item unpriced, prices an unknown item or prices at zero', () => {
      given([opened, invited])
        .when(submit(s1, 1, [{ itemId: 'lot-1', unitPrice: '1.00' }]))
        .thenThrows('invalid:tender.item_not_priced');
      given([opened, invited])
        .when(submit(s1, 1, [...prices('1.00', '1.00'), { itemId: 'lot-9', unitPrice: '1.00' }]))
        .thenThrows('invalid:tender.unknown_item');
      given([opened, invited])
        .when(submit(s1, 1, prices('0.00', '1.00')))
        .thenThrows('invalid:tender.price_not_positive');
    });
    it('refuses a bid whose total could not be recorded at the close (so no bidder can block it)', () => {
      // 20,000 x 99,999,999,999,999.99 (+ 8,000 x 1.00) is beyond 10^18; 20,000 x 49,999,999,999,999.00 + 8,000 is not.
      given([opened, invited])
        .when(submit(s1, 1, prices('99999999999999.99', '1.00')))
        .thenThrows('invalid:tender.total_too_large');
      expect(given([opened, invited]).when(submit(s1, 1, prices('49999999999999.00', '1.00'))).error).toBeNull();
    });
    it('replaces a bid on resubmission', () => {
      const state = given([opened, invited, bid(s1, 1), bid(s1, 4)]).state as Extract<TenderState, { status: 'open' }>;
      expect(state.bids[s1].bidId).toBe(bidId(4));
      expect(Object.keys(state.bids)).toEqual([s1]);
    });
    it('lets a bidder withdraw before the deadline, not after', () => {
      expect(given([opened, invited, bid(s1, 1)]).when({ type: 'WithdrawBid', tenderId, requester: rep(s1), now: before }).events[0].type).toBe('BidWithdrawn');
      given([opened, invited, bid(s1, 1)])
        .when({ type: 'WithdrawBid', tenderId, requester: rep(s1), now: after })
        .thenThrows('conflict:tender.deadline_passed');
      given([opened, invited])
        .when({ type: 'WithdrawBid', tenderId, requester: rep(s2), now: before })
        .thenThrows('conflict:tender.no_bid');
    });
    it('does not close before the deadline', () => {
      given([opened, invited, ...bids])
        .when(closeCmd(closing, before))
        .thenThrows('conflict:tender.deadline_not_reached');
    });
    it('cannot be evaluated or awarded before it closes', () => {
      given([opened, invited, ...bids])
        .when(evaluateCmd(s1, engineer, 8))
        .thenThrows('conflict:tender.invalid_transition');
      given([opened, invited, ...bids])
        .when({ type: 'AwardTender', tenderId, supplierId: s1, lotId: null, requester: procurement, now: after })
        .thenThrows('conflict:tender.invalid_transition');
    });
  });

  describe('closing', () => {
    it('opens every current bid and scores price: the lowest total gets 10, others in proportion', () => {
      const { events } = given([opened, invited, ...bids]).when(closeCmd(closing));
      const closed = events[0] as Extract<TenderEvent, { type: 'TenderClosed' }>;
      expect(closed.data.bids.map((b) => [b.supplierId, b.total, b.priceScore])).toEqual([
        [s1, '1480000.00', 10],
        [s2, '1760000.00', 8.41],
        [s3, '1596000.00', 9.27],
      ]);
    });
    it('refuses opened content that does not match the sealed hash', () => {
      const forged = [{ ...closing[0], n: 1 }, closing[1], closing[2]].map((o) => ({ ...o }));
      const cmd = closeCmd(forged) as Extract<TenderCommand, { type: 'CloseTender' }>;
      cmd.openedBids[0].contentHash = hash(7);
      given([opened, invited, ...bids])
        .when(cmd)
        .thenThrows('conflict:tender.bid_content_mismatch');
    });
    it('is closed by the buyer only', () => {
      given([opened, invited, ...bids])
        .when({ ...closeCmd(closing), requester: rep(s1) } as TenderCommand)
        .thenThrows('forbidden:tender.buyer_only');
    });
  });

  describe('evaluation and award', () => {
    it('averages several evaluators and ranks by the weighted total', () => {
      const evaluations = [
        ...given(closedEvents()).when(evaluateCmd(s1, engineer, 6)).events,
        ...given(closedEvents()).when(evaluateCmd(s1, procurement, 8)).events,
        ...given(closedEvents()).when(evaluateCmd(s3, engineer, 9)).events,
      ];
      const state = given([...closedEvents(), ...evaluations]).state as Extract<TenderState, { status: 'closed' }>;
      const ranking = rank(state);
      // s1: 10*0.40 + 7*0.60 = 8.2 ; s3: 9.27*0.40 + 9*0.60 = 9.11 ; s2 unevaluated.
      expect(ranking.map((r) => [r.supplierId, r.rank, r.weightedScore])).toEqual([
        [s3, 1, 9.11],
        [s1, 2, 8.2],
        [s2, 3, null],
      ]);
      expect(ranking[1].averages).toEqual({ quality: 7, reputation: 7, service: 7, partnership: 7 });
    });
    it("replaces an evaluator's earlier scores for the same bid", () => {
      const first = given(closedEvents()).when(evaluateCmd(s1, engineer, 2)).events;
      const second = given([...closedEvents(), ...first]).when(evaluateCmd(s1, engineer, 9)).events;
      const state = given([...closedEvents(), ...first, ...second]).state as Extract<TenderState, { status: 'closed' }>;
      expect(state.evaluations).toHaveLength(1);
      expect(state.evaluations[0].scores.quality).toBe(9);
    });
    it('takes evaluations only from people of the buyer, for bids that exist', () => {
      given(closedEvents())
        .when(evaluateCmd(s1, rep(s1), 10))
        .thenThrows('forbidden:tender.evaluator_not_buyer');
      given(closedEvents())
        .when(evaluateCmd(s1, { companyId: buyer, personId: null, roles: [] }, 10))
        .thenThrows('forbidden:tender.evaluator_not_buyer');
      given(closedEvents())
        .when(evaluateCmd(outsider, engineer, 10))
        .thenThrows('conflict:tender.no_bid');
    });
    it('awards an evaluated bid with its items, prices and the ranking', () => {
      const ev = given(closedEvents()).when(evaluateCmd(s3, engineer, 9)).events;
      const { events, error } = given([...closedEvents(), ...ev]).when({
        type: 'AwardTender',
        tenderId,
        supplierId: s3,
        lotId: null,
        requester: procurement,
        now: after,
      });
      expect(error).toBeNull();
      const awarded = events[0] as Extract<TenderEvent, { type: 'TenderAwarded' }>;
      expect(awarded.data).toMatchObject({
        supplierId: s3,
        bidId: bidId(3),
        awardedBy: procurement.personId,
        currency: 'EUR',
        total: '1596000.00',
        weightedScore: 9.11,
        items: [
          { itemId: 'lot-1', quantity: '20000', unitPrice: '55.00', lineTotal: '1100000.00' },
          { itemId: 'lot-2', quantity: '8000', unitPrice: '62.00', lineTotal: '496000.00' },
        ],
      });
      expect(awarded.data.ranking[0].supplierId).toBe(s3);
    });
    it('refuses to award an unevaluated bid', () => {
      given(closedEvents())
        .when({ type: 'AwardTender', tenderId, supplierId: s2, lotId: null, requester: procurement, now: after })
        .thenThrows('conflict:tender.bid_not_evaluated');
    });
    it('refuses an award without the procurement role', () => {
      const ev = given(closedEvents()).when(evaluateCmd(s3, engineer, 9)).events;
      given([...closedEvents(), ...ev])
        .when({ type: 'AwardTender', tenderId, supplierId: s3, lotId: null, requester: engineer, now: after })
        .thenThrows('forbidden:tender.procurement_role_required');
    });
    it('needs a government evaluator of the awarded bid itself before a public procurement is awarded', () => {
      const publicOpened = { ...opened, data: { ...opened.data, publicProcurement: true } } as TenderEvent;
      const base = [publicOpened, invited, ...bids];
      const closed = [...base, ...given(base).when(closeCmd(closing)).events];
      const byEngineer = given(closed).when(evaluateCmd(s3, engineer, 9)).events;
      const award: TenderCommand = { type: 'AwardTender', tenderId, supplierId: s3, lotId: null, requester: procurement, now: after };
      given([...closed, ...byEngineer])
        .when(award)
        .thenThrows('conflict:tender.government_evaluator_required');
      // The official scored another bid: that vouches nothing for this one.
      const onOther = given([...closed, ...byEngineer]).when(evaluateCmd(s1, official, 7)).events;
      given([...closed, ...byEngineer, ...onOther])
        .when(award)
        .thenThrows('conflict:tender.government_evaluator_required');
      const byOfficial = given([...closed, ...byEngineer, ...onOther]).when(evaluateCmd(s3, official, 8)).events;
      expect(given([...closed, ...byEngineer, ...onOther, ...byOfficial]).when(award).error).toBeNull();
    });
    it('cannot be awarded twice', () => {
      const ev = given(closedEvents()).when(evaluateCmd(s3, engineer, 9)).events;
      const aw = given([...closedEvents(), ...ev]).when({
        type: 'AwardTender',
        tenderId,
        supplierId: s3,
        lotId: null,
        requester: procurement,
        now: after,
      }).events;
      given([...closedEvents(), ...ev, ...aw])
        .when({ type: 'AwardTender', tenderId, supplierId: s1, lotId: null, requester: procurement, now: after })
        .thenThrows('conflict:tender.invalid_transition');
    });
  });

  describe('cancelling', () => {
    it('is done by the buyer with a reason, while open or closed', () => {
      expect(given([opened, invited]).when({ type: 'CancelTender', tenderId, reason: 'budget cut', requester: procurement, now: before }).events[0].type).toBe(
        'TenderCancelled',
      );
      expect(given(closedEvents()).when({ type: 'CancelTender', tenderId, reason: 'budget cut', requester: procurement, now: after }).error).toBeNull();
      given([opened]).when({ type: 'CancelTender', tenderId, reason: '', requester: procurement, now: before }).thenThrows('invalid:tender.reason_required');
      given([opened, invited])
        .when({ type: 'CancelTender', tenderId, reason: 'x', requester: rep(s1), now: before })
        .thenThrows('forbidden:tender.buyer_only');
    });
  });

  describe('documents', () => {
    const spec = { name: 'Tyre specification.pdf', sha256: 'a'.repeat(64), size: 2048, mediaType: 'application/pdf' };
    const sha = (n: number) => n.toString(16).padStart(64, '0');
    const attach = (requester: Requester = engineer, document = spec, at = before): TenderCommand => ({
      type: 'AttachTenderDocument',
      tenderId,
      document,
      requester,
      now: at,
    });
    const attached = (document = spec): TenderEvent => ({
      type: 'TenderDocumentAttached',
      data: { tenderId, buyerId: buyer, document, attachedBy: engineer.personId! },
    });

    it('are attached by any person of the buyer while the tender is open, before and after invitations and bids', () => {
      given([opened]).when(attach()).then([attached()]);
      given([opened, invited, ...bids])
        .when(attach())
        .then([attached()]);
      expect(eventCatalog.validate('TenderDocumentAttached', 1, attached().data)).toEqual([]);
    });
    it('record only the document itself, as resolved, and who attached it', () => {
      given([opened])
        .when(attach(engineer, { ...spec, uploadedBy: buyer } as typeof spec))
        .then([attached()]);
    });
    it('are kept in the state through the close, and concern the buyer and every supplier invited so far', () => {
      const events = [opened, invited, attached(), ...bids];
      const state = given([...events, ...given(events).when(closeCmd(closing)).events]).state;
      expect(state).toMatchObject({ status: 'closed', documents: [{ ...spec, attachedBy: engineer.personId }] });
      expect(partiesOf(attached(), given([opened, invited]).state)).toEqual([buyer, s1, s2, s3]);
    });
    it('are not attached by an invited supplier, nor seen by an uninvited company', () => {
      given([opened, invited])
        .when(attach(rep(s1)))
        .thenThrows('forbidden:tender.buyer_only');
      given([opened, invited])
        .when(attach(person(outsider, 30, [])))
        .thenThrows('not_found:tender.not_found');
      given([]).when(attach()).thenThrows('not_found:tender.not_found');
    });
    it('are attached by a person, not with a company key', () => {
      given([opened])
        .when(attach({ companyId: buyer, personId: null, roles: [] }))
        .thenThrows('forbidden:tender.person_required');
    });
    it('are not attached after the deadline, when no one could bid on them any more', () => {
      given([opened, invited])
        .when(attach(engineer, spec, after))
        .thenThrows('conflict:tender.deadline_passed');
    });
    it('are not attached once the tender is closed, awarded or cancelled', () => {
      given(closedEvents())
        .when(attach(engineer, spec, after))
        .thenThrows('conflict:tender.invalid_transition');
      const cancelled: TenderEvent = { type: 'TenderCancelled', data: { tenderId, buyerId: buyer, reason: 'budget' } };
      given([opened, invited, cancelled]).when(attach()).thenThrows('conflict:tender.invalid_transition');
      const evaluated = [...closedEvents(), ...given(closedEvents()).when(evaluateCmd(s1, engineer, 8)).events];
      const awarded = given(evaluated).when({ type: 'AwardTender', tenderId, supplierId: s1, lotId: null, requester: procurement, now: after }).events;
      expect(awarded.map((e) => e.type)).toEqual(['TenderAwarded']);
      given([...evaluated, ...awarded])
        .when(attach(engineer, spec, after))
        .thenThrows('conflict:tender.invalid_transition');
    });
    it('refuse the same content twice, under any name', () => {
      given([opened, attached()])
        .when(attach(procurement, { ...spec, name: 'copy.pdf' }))
        .thenThrows('conflict:tender.document_already_attached');
    });
    it(`hold at most ${MAX_TENDER_DOCUMENTS} per tender`, () => {
      const full = Array.from({ length: MAX_TENDER_DOCUMENTS }, (_, i) => attached({ ...spec, sha256: sha(i + 1) }));
      given([opened, ...full.slice(1)])
        .when(attach())
        .then([attached()]);
      given([opened, ...full])
        .when(attach())
        .thenThrows('conflict:tender.too_many_documents');
    });
  });

  describe('with decimal quantities (version 2)', () => {
    // Cable by the metre, steel by the tonne.
    const decimalItems = [
      { itemId: 'lot-1', description: 'Cable NYY-J 5x16', quantity: '1250.5', unit: 'm', specification: 'VDE' },
      { itemId: 'lot-2', description: 'Steel plate S355', quantity: '2.5', unit: 't', specification: 'EN 10025' },
    ];
    const decimalOpened: TenderEvent = { ...opened, data: { ...opened.data, items: decimalItems } } as TenderEvent;

    it('opens a tender for fractional quantities, recorded in canonical form', () => {
      const { events } = given([]).when(openCmd({ items: [{ ...decimalItems[0], quantity: '1250.50' }, decimalItems[1]] }));
      expect(events).toEqual([decimalOpened]);
    });
    it('totals a bid exactly, each line rounded half-up to 4 decimals', () => {
      // 1250.5 m x 12.3457 = 15438.29785 -> 15438.2979 ; 2.5 t x 940.0003 = 2350.00075 -> 2350.0008
      const base = [decimalOpened, invited, bid(s1, 1)];
      const closed = given(base).when(closeCmd([{ supplierId: s1, n: 1, p: prices('12.3457', '940.0003') }])).events[0] as Extract<
        TenderEvent,
        { type: 'TenderClosed' }
      >;
      expect(closed.data.bids[0].total).toBe('17788.2987');
      const evaluated = given([...base, closed]).when(evaluateCmd(s1, engineer, 8)).events;
      const awarded = given([...base, closed, ...evaluated]).when({
        type: 'AwardTender',
        tenderId,
        supplierId: s1,
        lotId: null,
        requester: procurement,
        now: after,
      }).events[0] as Extract<TenderEvent, { type: 'TenderAwarded' }>;
      expect(awarded.data.items.map((i) => [i.quantity, i.lineTotal])).toEqual([
        ['1250.5', '15438.2979'],
        ['2.5', '2350.0008'],
      ]);
      expect(awarded.data.total).toBe('17788.2987');
    });
    it('folds a tender opened at version 1 (integer quantities), upcast as the store reads it, to the same decisions', () => {
      const v1 = { ...opened.data, items: items.map((i) => ({ ...i, quantity: Number(i.quantity) })) };
      const upcast = { type: 'TenderOpened', data: eventCatalog.upcast('TenderOpened', 1, v1).data } as unknown as TenderEvent;
      expect(upcast).toEqual(opened);
      given([upcast, invited, ...bids])
        .when(closeCmd(closing))
        .then(given([opened, invited, ...bids]).when(closeCmd(closing)).events);
    });
  });

  it('scores prices in proportion to the lowest total', () => {
    expect(priceScores(['100.00', '200.00', '125.00'])).toEqual([10, 5, 8]);
  });

  describe('open procedures and clarifications', () => {
    const notice: TenderEvent = { ...opened, data: { ...opened.data, procedure: 'open' } } as TenderEvent;
    const clarificationId = 'c1a71f1c-0000-4000-8000-000000000001';
    const askCmd = (who: Requester, at = before, question = 'May the tyres carry 3PMSF instead of M+S?', id = clarificationId): TenderCommand => ({
      type: 'AskClarification',
      tenderId,
      clarificationId: id,
      question,
      requester: who,
      now: at,
    });
    const answerCmd = (who: Requester = procurement, at = before, id = clarificationId): TenderCommand => ({
      type: 'AnswerClarification',
      tenderId,
      clarificationId: id,
      answer: 'Yes: 3PMSF meets the specification.',
      requester: who,
      now: at,
    });
    const asked: TenderEvent = {
      type: 'ClarificationRequested',
      data: { tenderId, buyerId: buyer, clarificationId, supplierId: outsider, question: 'May the tyres carry 3PMSF instead of M+S?' },
    };
    const answered: TenderEvent = {
      type: 'ClarificationAnswered',
      data: {
        tenderId,
        buyerId: buyer,
        clarificationId,
        question: 'May the tyres carry 3PMSF instead of M+S?',
        answer: 'Yes: 3PMSF meets the specification.',
        answeredBy: procurement.personId!,
      },
    };

    it('records the procedure; a version-2 tender reads as invited only', () => {
      expect(given([]).when(openCmd({ procedure: 'open' })).events[0].data).toMatchObject({ procedure: 'open' });
      const { procedure: _p, standstillDays: _s, lots: _l, ...v2 } = opened.data as { procedure: string; standstillDays: number; lots: unknown[] };
      expect(eventCatalog.upcast('TenderOpened', 2, v2)).toMatchObject({ schemaVersion: 4, data: { procedure: 'invited', standstillDays: 0, lots: [] } });
      expect(eventCatalog.validate('TenderOpened', 4, notice.data)).toEqual([]);
    });
    it('lets any registered company but the buyer bid on a published notice, uninvited; an invited-only tender still refuses them', () => {
      given([notice])
        .when(submit(outsider, 9))
        .then([{ type: 'BidSubmitted', data: { tenderId, buyerId: buyer, supplierId: outsider, bidId: bidId(9), sealed, contentHash: hash(9) } }]);
      given([opened]).when(submit(outsider, 9)).thenThrows('not_found:tender.not_found');
      given([notice])
        .when({ ...submit(outsider, 9), requester: procurement } as TenderCommand)
        .thenThrows('invalid:tender.buyer_cannot_bid');
    });
    it('takes questions before the deadline from those who may bid, and the buyer alone learns who asked', () => {
      given([notice])
        .when(askCmd(rep(outsider)))
        .then([asked]);
      given([opened, invited])
        .when(askCmd(rep(s1)))
        .then([{ ...asked, data: { ...asked.data, supplierId: s1 } } as TenderEvent]);
      given([opened, invited])
        .when(askCmd(rep(outsider)))
        .thenThrows('not_found:tender.not_found');
      given([notice]).when(askCmd(procurement)).thenThrows('invalid:tender.buyer_cannot_bid');
      given([notice])
        .when(askCmd(rep(outsider), after))
        .thenThrows('conflict:tender.deadline_passed');
      given([notice])
        .when(askCmd(rep(outsider), before, '  '))
        .thenThrows('invalid:tender.text_required');
      given([notice, asked])
        .when(askCmd(rep(outsider)))
        .thenThrows('conflict:tender.clarification_exists');
      expect(partiesOf(asked, given([notice]).state)).toEqual([buyer, outsider]);
    });
    it('publishes the answer with the question to every supplier known to be interested, without the asker', () => {
      given([notice, asked]).when(answerCmd()).then([answered]);
      expect(answered.data).not.toHaveProperty('supplierId');
      const state = given([opened, invited, bid(s1, 1), { ...asked, data: { ...asked.data, supplierId: s2 } } as TenderEvent]).state;
      expect(partiesOf(answered, state).sort()).toEqual([buyer, s1, s2, s3].sort());
      expect(partiesOf(answered, given([notice, asked]).state)).toEqual([buyer, outsider]);
    });
    it('is answered once, by a person of the buyer, before the deadline', () => {
      given([notice, asked, answered]).when(answerCmd()).thenThrows('conflict:tender.already_answered');
      given([notice]).when(answerCmd()).thenThrows('not_found:tender.clarification_not_found');
      given([notice, asked])
        .when(answerCmd(rep(outsider)))
        .thenThrows('forbidden:tender.buyer_only');
      given([notice, asked])
        .when(answerCmd({ companyId: buyer, personId: null, roles: [] }))
        .thenThrows('forbidden:tender.person_required');
      given([notice, asked]).when(answerCmd(procurement, after)).thenThrows('conflict:tender.deadline_passed');
    });
    it('limits the questions one supplier may ask', () => {
      const many = Array.from(
        { length: 20 },
        (_, i): TenderEvent =>
          ({
            ...asked,
            data: { ...asked.data, clarificationId: `c1a71f1c-0000-4000-8000-0000000001${String(i).padStart(2, '0')}` },
          }) as TenderEvent,
      );
      given([notice, ...many])
        .when(askCmd(rep(outsider), before, 'one more?', 'c1a71f1c-0000-4000-8000-000000000999'))
        .thenThrows('conflict:tender.too_many_questions');
      given([notice, ...many])
        .when(askCmd(rep(s1), before, 'mine?', 'c1a71f1c-0000-4000-8000-000000000998'))
        .then([
          {
            type: 'ClarificationRequested',
            data: { tenderId, buyerId: buyer, clarificationId: 'c1a71f1c-0000-4000-8000-000000000998', supplierId: s1, question: 'mine?' },
          },
        ]);
    });
  });

  describe('standstill and complaints', () => {
    const withStandstill = (): TenderEvent[] => {
      const o = { ...opened, data: { ...opened.data, standstillDays: 10 } } as TenderEvent;
      const closedEv = given([o, invited, ...bids]).when(closeCmd(closing)).events;
      const base = [o, invited, ...bids, ...closedEv];
      const evaluated = [...given(base).when(evaluateCmd(s3, engineer, 9)).events, ...given(base).when(evaluateCmd(s1, engineer, 6)).events];
      return [...base, ...evaluated];
    };
    const awardTo = (supplierId: string, at = after): TenderCommand => ({
      type: 'AwardTender',
      tenderId,
      supplierId,
      lotId: null,
      requester: procurement,
      now: at,
    });
    const until = new Date(after.getTime() + 10 * 86400000).toISOString();
    const day = (n: number) => new Date(after.getTime() + n * 86400000);
    const awarded = (): TenderEvent[] => {
      const b = withStandstill();
      return [...b, ...given(b).when(awardTo(s3)).events];
    };
    const cid = 'c0c0c0c0-0000-4000-8000-00000000c001';
    const complain = (who: Requester, at = day(1), id = cid): TenderCommand => ({
      type: 'FileComplaint',
      tenderId,
      complaintId: id,
      grounds: 'The winning bid prices lot-2 below cost',
      lotId: null,
      requester: who,
      now: at,
    });
    const resolve = (upheld: boolean, at = day(2), id = cid): TenderCommand => ({
      type: 'ResolveComplaint',
      tenderId,
      complaintId: id,
      upheld,
      resolution: upheld ? 'Upheld: lot-2 was priced below cost' : 'Dismissed: the price is sustainable',
      requester: procurement,
      now: at,
    });
    const finalise = (at: Date): TenderCommand => ({ type: 'FinaliseAward', tenderId, lotId: null, now: at });

    it('makes the award provisional until the end of the standstill period; without one it is final at once', () => {
      const [e] = given(withStandstill()).when(awardTo(s3)).events;
      expect(e).toMatchObject({ type: 'TenderAwarded', data: { supplierId: s3, standstillUntil: until } });
      expect(given(withStandstill()).when(awardTo(s3)).events).toHaveLength(1);
      const final = given(closedEvents()).when(evaluateCmd(s3, engineer, 9)).events;
      expect(given([...closedEvents(), ...final]).when(awardTo(s3)).events[0].data).toMatchObject({ standstillUntil: null });
      given([])
        .when(openCmd({ standstillDays: 61 }))
        .thenThrows('invalid:tender.standstill_days');
    });
    it('takes a complaint from a bidder whose opened bid lost, during the period, one open at a time', () => {
      given(awarded())
        .when(complain(rep(s1)))
        .then([
          {
            type: 'AwardComplaintFiled',
            data: {
              tenderId,
              buyerId: buyer,
              complaintId: cid,
              supplierId: s1,
              filedBy: rep(s1).personId!,
              grounds: 'The winning bid prices lot-2 below cost',
              lotId: null,
            },
          },
        ]);
      given(awarded())
        .when(complain(rep(s3)))
        .thenThrows('forbidden:tender.not_a_losing_bidder');
      given(awarded())
        .when(complain(rep(outsider)))
        .thenThrows('not_found:tender.not_found');
      given(awarded())
        .when(complain(rep(s1), new Date(until)))
        .thenThrows('conflict:tender.standstill_over');
      given(awarded())
        .when(complain({ companyId: s1, personId: null, roles: [] }))
        .thenThrows('forbidden:tender.person_required');
      const filed = [...awarded(), ...given(awarded()).when(complain(rep(s1))).events];
      given(filed)
        .when(complain(rep(s1), day(1), 'c0c0c0c0-0000-4000-8000-00000000c002'))
        .thenThrows('conflict:tender.complaint_open');
      expect(partiesOf(filed[filed.length - 1], given(filed).state)).toEqual([buyer, s1]);
    });
    it('becomes final past the period with no complaint open, carrying the award as it was', () => {
      const a = awarded();
      given(a)
        .when(finalise(day(9)))
        .thenThrows('conflict:tender.standstill_running');
      const [f] = given(a).when(finalise(new Date(until))).events;
      // The award as recorded, without what it said then of the other lots.
      const { lotsToAward: _l, winningBidIds: _w, ...award } = a[a.length - 1].data as unknown as Record<string, unknown>;
      expect(f).toEqual({ type: 'AwardFinalised', data: { ...award, standstillUntil: until } });
      given([...a, f])
        .when(finalise(day(12)))
        .thenThrows('conflict:tender.invalid_transition');
      const filed = [...a, ...given(a).when(complain(rep(s1))).events];
      given(filed)
        .when(finalise(day(12)))
        .thenThrows('conflict:tender.complaint_open');
    });
    it('lets the award stand when the complaint is dismissed, and final once the period ends', () => {
      const filed = [...awarded(), ...given(awarded()).when(complain(rep(s1))).events];
      const dismissed = given(filed).when(resolve(false)).events;
      expect(dismissed).toEqual([
        {
          type: 'AwardComplaintResolved',
          data: {
            tenderId,
            buyerId: buyer,
            complaintId: cid,
            supplierId: s1,
            resolvedBy: procurement.personId!,
            upheld: false,
            resolution: 'Dismissed: the price is sustainable',
            openComplaints: 0,
            standstillUntil: until,
            lotId: null,
          },
        },
      ]);
      expect(given([...filed, ...dismissed]).when(finalise(day(11))).events[0].type).toBe('AwardFinalised');
      given([...filed, ...dismissed])
        .when(resolve(false))
        .thenThrows('conflict:tender.complaint_resolved');
      given(filed)
        .when({ ...resolve(false), requester: rep(s1) } as TenderCommand)
        .thenThrows('forbidden:tender.buyer_only');
      given(filed)
        .when({ ...resolve(true), requester: engineer } as TenderCommand)
        .thenThrows('forbidden:tender.procurement_role_required');
    });
    it('sets the award aside when the complaint is upheld: the tender is closed again and may be awarded anew', () => {
      const filed = [...awarded(), ...given(awarded()).when(complain(rep(s1))).events];
      const upheld = given(filed).when(resolve(true)).events;
      expect(upheld.map((e) => e.type)).toEqual(['AwardComplaintResolved', 'AwardAnnulled']);
      // The annulment goes to every bidder: the reason says what happened, not what the complaint said.
      expect(upheld[1].data).toMatchObject({
        supplierId: s3,
        bidId: bidId(3),
        bidders: expect.arrayContaining([s1, s2, s3]),
        reason: 'A complaint about the award was upheld',
      });
      const after2 = [...filed, ...upheld];
      expect(given(after2).state.status).toBe('closed');
      const reawarded = given(after2).when(awardTo(s1, day(3))).events;
      expect(reawarded[0]).toMatchObject({ type: 'TenderAwarded', data: { supplierId: s1, standstillUntil: day(13).toISOString() } });
      given(after2)
        .when(finalise(day(12)))
        .thenThrows('conflict:tender.invalid_transition');
    });
    it('keeps the standstill deadline from the events alone', () => {
      const a = awarded();
      const filed = given(a).when(complain(rep(s1))).events;
      const dismissed = given([...a, ...filed]).when(resolve(false)).events;
      expect(awardStandstillChange(a[a.length - 1])).toEqual({ due: until, key: null });
      expect(awardStandstillChange(filed[0])).toEqual({ clear: null });
      expect(awardStandstillChange(dismissed[0])).toEqual({ due: until, key: null });
      const upheld = given([...a, ...filed]).when(resolve(true)).events;
      expect(upheld.map(awardStandstillChange)).toEqual([{ clear: null }, { clear: null }]);
      expect(awardStandstillChange(opened)).toBe('keep');
      // Two complaints: the first dismissed while the other is open holds the award; the last one dismissed sets the end again.
      const c2 = 'c0c0c0c0-0000-4000-8000-00000000c002';
      const two = [...a, ...filed, ...given([...a, ...filed]).when(complain(rep(s2), day(1), c2)).events];
      const first = given(two).when(resolve(false)).events;
      expect(first[0].data).toMatchObject({ openComplaints: 1 });
      expect(awardStandstillChange(first[0])).toEqual({ clear: null });
      const second = given([...two, ...first]).when(resolve(false, day(3), c2)).events;
      expect(awardStandstillChange(second[0])).toEqual({ due: until, key: null });
    });
  });
  describe('lots, each awarded on its own', () => {
    const lots = [
      { lotId: '1', title: 'All-season tyres', itemIds: ['lot-1'] },
      { lotId: '2', title: 'Winter tyres', itemIds: ['lot-2'] },
    ];
    const inLots = (over: Partial<Extract<TenderCommand, { type: 'OpenTender' }>> = {}) => given([]).when(openCmd({ lots, ...over })).events[0];
    // s1 bids on both lots, s2 on lot 2 only, s3 on lot 1 only: each lot is priced among its own bids.
    const lotClosing = [
      { supplierId: s1, n: 1, p: prices('50.00', '60.00') }, // lot 1: 1,000,000; lot 2: 480,000
      { supplierId: s2, n: 2, p: [{ itemId: 'lot-2', unitPrice: '48.00' }] }, // lot 2: 384,000
      { supplierId: s3, n: 3, p: [{ itemId: 'lot-1', unitPrice: '40.00' }] }, // lot 1: 800,000
    ];
    const closedInLots = (standstillDays = 0): TenderEvent[] => {
      const base = [inLots({ standstillDays }), invited, ...bids];
      const closed = [...base, ...given(base).when(closeCmd(lotClosing)).events];
      const evaluated = [s1, s2, s3].flatMap((s) => given(closed).when(evaluateCmd(s, engineer, 8)).events);
      return [...closed, ...evaluated];
    };
    const awardLot = (supplierId: string, lotId: string | null, at = after): TenderCommand => ({
      type: 'AwardTender',
      tenderId,
      supplierId,
      lotId,
      requester: procurement,
      now: at,
    });
    const awarded = (e: TenderEvent[]) => e[0] as Extract<TenderEvent, { type: 'TenderAwarded' }>;

    it('records the lots; every item in exactly one lot, each lot named once and not empty', () => {
      expect(inLots().data).toMatchObject({ lots });
      given([])
        .when(openCmd({ lots: [lots[0], { ...lots[1], itemIds: ['lot-1', 'lot-2'] }] }))
        .thenThrows('invalid:tender.item_in_two_lots');
      given([])
        .when(openCmd({ lots: [lots[0]] }))
        .thenThrows('invalid:tender.item_without_lot');
      given([])
        .when(openCmd({ lots: [lots[0], { ...lots[1], itemIds: ['lot-2', 'lot-9'] }] }))
        .thenThrows('invalid:tender.unknown_item');
      given([])
        .when(openCmd({ lots: [lots[0], { ...lots[1], lotId: '1' }] }))
        .thenThrows('invalid:tender.duplicate_lot');
      given([])
        .when(openCmd({ lots: [lots[0], { ...lots[1], itemIds: [] }] }))
        .thenThrows('invalid:tender.empty_lot');
    });
    it('takes bids on whole lots: some lots, never part of one', () => {
      given([inLots(), invited])
        .when(submit(s2, 2, [{ itemId: 'lot-2', unitPrice: '48.00' }]))
        .then([bid(s2, 2)]);
      const oneLot = { ...inLots({ lots: [{ lotId: 'A', title: 'All tyres', itemIds: ['lot-1', 'lot-2'] }] }) } as TenderEvent;
      given([oneLot, invited])
        .when(submit(s2, 2, [{ itemId: 'lot-1', unitPrice: '48.00' }]))
        .thenThrows('invalid:tender.item_not_priced');
      // A tender awarded whole still needs every item priced.
      given([opened, invited])
        .when(submit(s2, 2, [{ itemId: 'lot-1', unitPrice: '48.00' }]))
        .thenThrows('invalid:tender.item_not_priced');
    });
    it('scores price within each lot; a bid on several lots shows the mean of its lot scores', () => {
      const base = [inLots(), invited, ...bids];
      const closed = given(base).when(closeCmd(lotClosing)).events[0] as Extract<TenderEvent, { type: 'TenderClosed' }>;
      expect(closed.data.bids.map((b) => [b.supplierId, b.total, b.priceScore])).toEqual([
        [s1, '1480000.00', 8],
        [s2, '384000.00', 10],
        [s3, '800000.00', 10],
      ]);
      const state = given([...base, closed]).state as Extract<TenderState, { status: 'closed' }>;
      expect(rank(state, lots[0]).map((r) => [r.supplierId, r.total, r.priceScore])).toEqual([
        [s3, '800000.00', 10],
        [s1, '1000000.00', 8],
      ]);
      expect(rank(state, lots[1]).map((r) => [r.supplierId, r.total, r.priceScore])).toEqual([
        [s2, '384000.00', 10],
        [s1, '480000.00', 8],
      ]);
    });
    it('awards each lot to a bid on it, with that lot’s items, total and ranking; the tender is awarded once every lot is', () => {
      const c = closedInLots();
      given(c).when(awardLot(s3, null)).thenThrows('invalid:tender.lot_required');
      given(c).when(awardLot(s3, '9')).thenThrows('invalid:tender.unknown_lot');
      given(c).when(awardLot(s2, '1')).thenThrows('conflict:tender.no_bid');
      const first = given(c).when(awardLot(s3, '1')).events;
      expect(awarded(first).data).toMatchObject({
        lotId: '1',
        supplierId: s3,
        bidId: bidId(3),
        total: '800000.00',
        items: [{ itemId: 'lot-1', unitPrice: '40.00', lineTotal: '800000.00' }],
        lotsToAward: 1,
        winningBidIds: [bidId(3)],
      });
      expect(awarded(first).data.items).toHaveLength(1);
      expect(awarded(first).data.ranking.map((r) => r.supplierId)).toEqual([s3, s1]);
      expect(eventCatalog.validate('TenderAwarded', 4, awarded(first).data)).toEqual([]);
      const one = [...c, ...first];
      expect(given(one).state.status).toBe('closed');
      given(one).when(awardLot(s1, '1')).thenThrows('conflict:tender.lot_awarded');
      given(one).when({ type: 'CancelTender', tenderId, reason: 'budget', requester: procurement, now: after }).thenThrows('conflict:tender.lots_awarded');
      const second = given(one).when(awardLot(s2, '2')).events;
      expect(awarded(second).data).toMatchObject({ lotId: '2', supplierId: s2, total: '384000.00', lotsToAward: 0, winningBidIds: [bidId(3), bidId(2)] });
      expect(given([...one, ...second]).state.status).toBe('awarded');
      // A tender awarded whole takes no lot.
      const whole = given(closedEvents()).when(evaluateCmd(s3, engineer, 9)).events;
      given([...closedEvents(), ...whole])
        .when(awardLot(s3, '1'))
        .thenThrows('invalid:tender.no_lots');
      expect(awarded(given([...closedEvents(), ...whole]).when(awardLot(s3, null)).events).data).toMatchObject({
        lotId: null,
        lotsToAward: 0,
        winningBidIds: [bidId(3)],
      });
    });
    it('shows each party its lots: a private lot’s award to the buyer and its winner only', () => {
      const c = closedInLots();
      const all = [...c, ...given(c).when(awardLot(s3, '1')).events];
      const both = [...all, ...given(all).when(awardLot(s2, '2')).events];
      const state = given(both).state;
      const asBuyer = tenderView(state, procurement, tenderId) as any;
      expect(asBuyer.lots.map((l: any) => [l.lotId, l.award.supplierId, l.ranking.length])).toEqual([
        ['1', s3, 2],
        ['2', s2, 2],
      ]);
      expect(asBuyer.award).toBeUndefined();
      const asS2 = tenderView(state, rep(s2), tenderId) as any;
      expect(asS2.lots.map((l: any) => [l.lotId, l.award?.supplierId ?? null, l.ranking.map((r: any) => r.supplierId)])).toEqual([
        ['1', null, []],
        ['2', s2, [s2]],
      ]);
      expect(asS2.lots[1].award.weightedScore).toBeUndefined();
    });

    it('cancels a lot that will not be awarded: the tender is awarded once every lot is awarded or cancelled', () => {
      const c = closedInLots();
      const cancelLot = (lotId: string, by: Requester = procurement, reason = 'No bid meets the load index'): TenderCommand => ({
        type: 'CancelLot',
        tenderId,
        lotId,
        reason,
        requester: by,
        now: after,
      });
      // Cancelling the only lot left while none is awarded is cancelling the tender.
      const one = [...c, ...given(c).when(cancelLot('2')).events];
      expect(one[one.length - 1]).toEqual({
        type: 'LotCancelled',
        data: {
          tenderId,
          buyerId: buyer,
          lotId: '2',
          reason: 'No bid meets the load index',
          cancelledBy: procurement.personId,
          lotsToAward: 1,
          winningBidIds: [],
        },
      });
      given(one).when(cancelLot('1')).thenThrows('conflict:tender.cancel_the_tender');
      given(one).when(cancelLot('2')).thenThrows('conflict:tender.lot_cancelled');
      given(one).when(awardLot(s2, '2')).thenThrows('conflict:tender.lot_cancelled');
      given(c).when(cancelLot('1', engineer)).thenThrows('forbidden:tender.procurement_role_required');
      given(c)
        .when(cancelLot('1', procurement, ' '))
        .thenThrows('invalid:tender.reason_required');
      const awarded1 = given(one).when(awardLot(s3, '1')).events;
      expect(awarded(awarded1).data).toMatchObject({ lotId: '1', lotsToAward: 0 });
      expect(given([...one, ...awarded1]).state.status).toBe('awarded');
      // In the other order: the last lot cancelled after the first was awarded.
      const first = [...c, ...given(c).when(awardLot(s3, '1')).events];
      const [last] = given(first).when(cancelLot('2')).events;
      expect(last.data).toMatchObject({ lotsToAward: 0, winningBidIds: [bidId(3)] });
      expect(given([...first, last]).state.status).toBe('awarded');
      given(closedEvents()).when(cancelLot('1')).thenThrows('invalid:tender.no_lots');
    });
    it('freezes what an award recorded: no evaluation of a bid whose every lot is decided, and the view shows the recorded ranking', () => {
      const c = closedInLots();
      const one = [...c, ...given(c).when(awardLot(s3, '1')).events];
      // s3 bid on lot 1 only, now awarded: its evaluation is closed; s1 bid on lot 2 too, still open.
      given(one)
        .when(evaluateCmd(s3, engineer, 1))
        .thenThrows('conflict:tender.evaluation_closed');
      const rescored = [...one, ...given(one).when(evaluateCmd(s1, engineer, 10)).events];
      const view = tenderView(given(rescored).state, procurement, tenderId) as any;
      expect(view.lots[0].ranking.map((r: any) => [r.supplierId, r.weightedScore])).toEqual(
        awarded(one.slice(c.length)).data.ranking.map((r) => [r.supplierId, r.weightedScore]),
      );
    });
    it('refuses an item priced twice in one bid', () => {
      given([inLots(), invited])
        .when(
          submit(s1, 1, [
            { itemId: 'lot-1', unitPrice: '5.00' },
            { itemId: 'lot-1', unitPrice: '7.00' },
          ]),
        )
        .thenThrows('invalid:tender.duplicate_price');
    });

    describe('a standstill and complaints per lot', () => {
      const until = new Date(after.getTime() + 10 * 86400000).toISOString();
      const day = (n: number) => new Date(after.getTime() + n * 86400000);
      const cid = 'c0c0c0c0-0000-4000-8000-00000000c101';
      const complain = (who: Requester, lotId: string | null, id = cid): TenderCommand => ({
        type: 'FileComplaint',
        tenderId,
        complaintId: id,
        grounds: 'The winner does not meet the load index',
        lotId,
        requester: who,
        now: day(1),
      });
      const both = (): TenderEvent[] => {
        const c = closedInLots(10);
        const one = [...c, ...given(c).when(awardLot(s3, '1')).events];
        return [...one, ...given(one).when(awardLot(s2, '2')).events];
      };

      it('takes a complaint about one lot from a losing bidder on that lot', () => {
        const b = both();
        const [filed] = given(b).when(complain(rep(s1), '1')).events;
        expect(filed).toMatchObject({ type: 'AwardComplaintFiled', data: { lotId: '1', supplierId: s1 } });
        given(b)
          .when(complain(rep(s2), '1'))
          .thenThrows('forbidden:tender.not_a_losing_bidder');
        given(b)
          .when(complain(rep(s1), null))
          .thenThrows('invalid:tender.lot_required');
        const c = closedInLots(10);
        const one = [...c, ...given(c).when(awardLot(s3, '1')).events];
        given(one)
          .when(complain(rep(s1), '2'))
          .thenThrows('conflict:tender.lot_not_awarded');
      });
      it('finalises a lot past its period while another lot’s complaint is open; upholding it annuls that lot only', () => {
        const b = both();
        const filed = [...b, ...given(b).when(complain(rep(s1), '1')).events];
        const finalise = (lotId: string | null, at: Date): TenderCommand => ({ type: 'FinaliseAward', tenderId, lotId, now: at });
        const [final2] = given(filed).when(finalise('2', new Date(until))).events;
        expect(final2).toMatchObject({ type: 'AwardFinalised', data: { lotId: '2', supplierId: s2, standstillUntil: until } });
        expect(final2.data).not.toHaveProperty('lotsToAward');
        expect(eventCatalog.validate('AwardFinalised', 2, final2.data)).toEqual([]);
        given(filed)
          .when(finalise('1', new Date(until)))
          .thenThrows('conflict:tender.complaint_open');
        const done2 = [...filed, final2];
        const upheld = given(done2).when({
          type: 'ResolveComplaint',
          tenderId,
          complaintId: cid,
          upheld: true,
          resolution: 'Upheld: the load index is below spec',
          requester: procurement,
          now: day(2),
        }).events;
        expect(upheld.map((e) => [e.type, (e.data as { lotId: string | null }).lotId])).toEqual([
          ['AwardComplaintResolved', '1'],
          ['AwardAnnulled', '1'],
        ]);
        expect(upheld[1].data).toMatchObject({ supplierId: s3, bidders: [s3, s1] });
        const reopened = given([...done2, ...upheld]).state as Extract<TenderState, { status: 'closed' }>;
        expect(reopened.status).toBe('closed');
        expect(Object.keys(reopened.awards)).toEqual(['2']);
        expect(reopened.awards['2'].award.final).toBe(true);
        const again = given([...done2, ...upheld]).when(awardLot(s1, '1', day(3))).events;
        expect(awarded(again).data).toMatchObject({ lotId: '1', supplierId: s1, lotsToAward: 0, winningBidIds: [bidId(2), bidId(1)] });
      });
      it('keeps one standstill deadline per lot, from the events alone', () => {
        const b = both();
        expect(awardStandstillChange(b[b.length - 1])).toEqual({ due: until, key: '2' });
        const [filed] = given(b).when(complain(rep(s1), '1')).events;
        expect(awardStandstillChange(filed)).toEqual({ clear: '1' });
        expect(awardStandstillChange({ type: 'TenderCancelled', data: { tenderId, buyerId: buyer, reason: 'x' } })).toBe('clear');
      });
    });
  });
});
