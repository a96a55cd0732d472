import type { OpportunityEvent } from '@dealledger/events';
import { deciderSpec } from '@dealledger/testing';
import { AWARDED_TO_ANOTHER, OPENING_EVENTS, dealMove, followDeal, type DealEvent } from './deal-moves';
import type { OpportunityCommand } from './opportunity.commands';
import { opportunityDecider } from './opportunity.decider';

const { given, history } = deciderSpec(opportunityDecider);

const buyer = 'b0b0b0b0-0000-4000-8000-000000000002';
const s1 = '5e5e5e01-0000-4000-8000-000000000001';
const s2 = '5e5e5e02-0000-4000-8000-000000000002';
const s3 = '5e5e5e03-0000-4000-8000-000000000003';
const stranger = '0d0d0d0d-0000-4000-8000-000000000009';
const offerId = '0f0f0f01-0000-4000-8000-000000000005';
const tenderId = '7e7e7e01-0000-4000-8000-000000000007';
const bid = (n: number) => `b1d0b1d0-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
const opportunityId = '0bb00bb0-0000-4000-8000-000000000004';
const t0 = new Date('2027-03-01T08:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * 86400000).toISOString();

let n = 0;
const event = (type: string, data: Record<string, unknown>, occurredAt = at(1)): DealEvent => ({
  id: `e0e0e0e0-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  type,
  occurredAt,
  data,
});
const offerEvent = (type: string, more: Record<string, unknown> = {}, occurredAt?: string) =>
  event(type, { offerId, supplierId: s1, buyerId: buyer, ...more }, occurredAt);
const ranked = (supplierId: string, bidId: string, rank: number) => ({
  supplierId,
  bidId,
  rank,
  total: '100.00',
  priceScore: 10,
  averages: null,
  weightedScore: 7,
});
/** The award of one lot (or of the whole tender: lotId null) to s1's bid 1 unless said otherwise. */
const awarded = (more: Record<string, unknown> = {}) =>
  event('TenderAwarded', {
    tenderId,
    buyerId: buyer,
    supplierId: s1,
    bidId: bid(1),
    ranking: [ranked(s1, bid(1), 1), ranked(s2, bid(2), 2), ranked(s3, bid(3), 3)],
    lotId: null,
    lotsToAward: 0,
    winningBidIds: [bid(1)],
    ...more,
  });

describe('deal moves', () => {
  describe('offers: the supplier’s opportunity with the buyer', () => {
    it.each([
      ['OfferSubmitted', {}, 'offer', null],
      ['OfferCountered', {}, 'negotiation', null],
      ['OfferRevised', {}, 'negotiation', null],
      ['OfferAccepted', {}, 'won', null],
      ['OfferRejected', { reason: 'price too high' }, 'lost', 'price too high'],
      ['OfferRejected', { reason: '  ' }, 'lost', 'rejected by the buyer'],
      ['OfferWithdrawn', { reason: 'capacity gone' }, 'lost', 'withdrawn'],
      ['OfferExpired', { validUntil: at(30) }, 'lost', 'the offer expired'],
    ])('%s %j moves it to %s (reason %s)', (type, more, to, reason) => {
      const e = offerEvent(type, more, at(3));
      const move = dealMove(e)!;
      expect(move).toMatchObject({
        sellerIds: [s1],
        buyerId: buyer,
        dealKind: 'offer',
        dealId: offerId,
        cause: { eventType: type, eventId: e.id, dealKind: 'offer', dealId: offerId },
        at: at(3),
      });
      expect(move.to(s1)).toEqual({ to, reason });
      expect(move.to(stranger)).toBeNull();
    });
  });

  describe('contracts: one in force records itself on the opportunity following its deal', () => {
    const executed = (origin: { kind: string; id: string }) =>
      event(
        'ContractExecuted',
        {
          contractId: 'c0c0c0c0-0000-4000-8000-000000000011',
          supplierId: s1,
          buyerId: buyer,
          origin: { ...origin, eventId: bid(9) },
          terms: { currency: 'EUR' },
          contractValue: '245000.00',
          executedAt: at(9),
        },
        at(9),
      );
    it.each([
      ['offer', offerId],
      ['tender', tenderId],
    ])('from %s: the supplier’s, as won, with what was signed', (kind, id) => {
      const e = executed({ kind, id });
      const move = dealMove(e)!;
      expect(move).toMatchObject({ sellerIds: [s1], buyerId: buyer, dealKind: kind, dealId: id, cause: { eventType: 'ContractExecuted', eventId: e.id } });
      expect([s1, s2].map((s) => move.to(s))).toEqual([{ to: 'won', reason: null }, null]);
      const command = followDeal(move, s1, opportunityId, new Date(at(9)));
      expect(command?.contract).toEqual({ contractId: 'c0c0c0c0-0000-4000-8000-000000000011', contractValue: '245000.00', currency: 'EUR', executedAt: at(9) });
    });
    it('is not an opening act: it moves only an opportunity already following the deal', () => {
      expect(OPENING_EVENTS.has('ContractExecuted')).toBe(false);
    });
  });

  describe('tenders', () => {
    it('an invitation moves every invited supplier to offer', () => {
      const move = dealMove(event('SuppliersInvited', { tenderId, buyerId: buyer, supplierIds: [s1, s2, s1] }))!;
      expect(move).toMatchObject({ sellerIds: [s1, s2], buyerId: buyer, dealKind: 'tender', dealId: tenderId });
      expect([s1, s2, s3].map((s) => move.to(s))).toEqual([{ to: 'offer', reason: null }, { to: 'offer', reason: null }, null]);
    });
    it('a bid moves its supplier to negotiation', () => {
      const move = dealMove(event('BidSubmitted', { tenderId, buyerId: buyer, supplierId: s2, bidId: bid(2) }))!;
      expect(move.sellerIds).toEqual([s2]);
      expect([s2, s1].map((s) => move.to(s))).toEqual([{ to: 'negotiation', reason: null }, null]);
    });
    it('a final award: its winner won; the other bidders are the handler’s to close once no lot is left', () => {
      const move = dealMove(awarded())!;
      expect(move.sellerIds).toEqual([s1]);
      expect([s1, s2, s3, stranger].map((s) => move.to(s))).toEqual([{ to: 'won', reason: null }, null, null, null]);
    });
    it('a provisional award (a standstill period running) moves nobody; its AwardFinalised moves the winner', () => {
      expect(dealMove(awarded({ standstillUntil: at(20) }))!.to(s1)).toBeNull();
      const final = dealMove(event('AwardFinalised', { tenderId, buyerId: buyer, supplierId: s1, bidId: bid(1), lotId: 'A', standstillUntil: at(20) }))!;
      expect(final).toMatchObject({ sellerIds: [s1], dealKind: 'tender', dealId: tenderId });
      expect(final.to(s1)).toEqual({ to: 'won', reason: null });
    });
    it('cuts a long rejection reason rather than refusing the move', () => {
      const move = dealMove(offerEvent('OfferRejected', { reason: 'x'.repeat(2500) }))!;
      expect(move.to(s1)!.reason).toHaveLength(2000);
    });
    it('opens a deal only with an offer sent, an invitation or a bid', () => {
      expect([...OPENING_EVENTS].sort()).toEqual(['BidSubmitted', 'OfferSubmitted', 'SuppliersInvited']);
    });
    it('an award of a lot with lots left: the winner won, the others wait for the last lot', () => {
      const move = dealMove(awarded({ lotId: 'A', lotsToAward: 1, winningBidIds: [bid(1)] }))!;
      expect([s1, s2, s3].map((s) => move.to(s))).toEqual([{ to: 'won', reason: null }, null, null]);
    });
    it('the last lot: its winner won; the others are left to the handler', () => {
      // s1 won lot A before; s2 wins lot B, the last.
      const move = dealMove(awarded({ lotId: 'B', supplierId: s2, bidId: bid(2), lotsToAward: 0, winningBidIds: [bid(1), bid(2)] }))!;
      expect([s1, s2, s3].map((s) => move.to(s))).toEqual([null, { to: 'won', reason: null }, null]);
      expect(AWARDED_TO_ANOTHER).toBe('the tender was awarded to another bidder');
    });
  });

  it.each([
    ['TenderCancelled (it names no supplier)', event('TenderCancelled', { tenderId, buyerId: buyer, reason: 'budget cut' })],
    ['BidWithdrawn (the supplier may bid again)', event('BidWithdrawn', { tenderId, buyerId: buyer, supplierId: s1, bidId: bid(1) })],
    ['OfferDrafted', offerEvent('OfferDrafted')],
    ['OfferDocumentAttached', offerEvent('OfferDocumentAttached')],
    ['TenderOpened', event('TenderOpened', { tenderId, buyerId: buyer })],
    ['TenderClosed', event('TenderClosed', { tenderId, buyerId: buyer, bids: [] })],
    ['AwardAnnulled', event('AwardAnnulled', { tenderId, buyerId: buyer, supplierId: s1, bidId: bid(1), bidders: [s1, s2] })],
    ['a contracts event', event('ContractDrafted', { contractId: offerId })],
  ])('%s moves nothing', (_what, e) => {
    expect(dealMove(e)).toBeNull();
  });

  describe('through the decider', () => {
    const open = (sellerId: string): OpportunityCommand => ({
      type: 'OpenOpportunity',
      opportunityId,
      sellerId,
      accountId: 'acc0acc0-0000-4000-8000-000000000003',
      buyerId: buyer,
      title: 'Bolts',
      expectedValue: '1000',
      currency: 'EUR',
      expectedVolume: '1 million a year',
      requester: { companyId: sellerId, personId: '00000000-0000-4000-8000-000000000010', roles: [] },
      now: t0,
    });
    const now = new Date(at(10));
    /** What the app does for one seller's opportunity: the events, none when the event does not move it. */
    const apply = (h: OpportunityEvent[], sellerId: string, e: DealEvent): OpportunityEvent[] => {
      const c = followDeal(dealMove(e)!, sellerId, opportunityId, now);
      return c ? given(h).when(c).events : [];
    };

    it('links on the first deal event and moves at its time', () => {
      const submitted = offerEvent('OfferSubmitted', { revision: 0 }, at(2));
      const events = apply(history(open(s1)), s1, submitted);
      expect(events.map((e) => e.type)).toEqual(['OpportunityDealLinked', 'OpportunityStageMoved']);
      expect(events[1].data).toMatchObject({
        from: 'identified',
        to: 'offer',
        at: at(2),
        movedBy: null,
        cause: { eventType: 'OfferSubmitted', eventId: submitted.id, dealKind: 'offer', dealId: offerId },
      });
    });
    it('a replayed event moves nothing; a late revision after the acceptance moves nothing', () => {
      let h = history(open(s1));
      const submitted = offerEvent('OfferSubmitted', { revision: 0 });
      const accepted = offerEvent('OfferAccepted');
      for (const e of [submitted, accepted]) h = [...h, ...apply(h, s1, e)];
      expect(given(h).state).toMatchObject({ status: 'won' });
      expect(apply(h, s1, accepted)).toEqual([]);
      expect(apply(h, s1, offerEvent('OfferRevised', { revision: 1 }))).toEqual([]);
    });
    it('a seller that wins any lot ends won, whatever the order of the lots', () => {
      // Lot A to s2 first, then lot B to s1, the last: each winner is moved by its own award.
      const lotA = awarded({ lotId: 'A', supplierId: s2, bidId: bid(2), lotsToAward: 1, winningBidIds: [bid(2)] });
      const lotB = awarded({ lotId: 'B', supplierId: s1, bidId: bid(1), lotsToAward: 0, winningBidIds: [bid(2), bid(1)] });
      const outcome = (sellerId: string) => {
        let h = history(open(sellerId));
        for (const e of [lotA, lotB]) h = [...h, ...(dealMove(e)!.to(sellerId) ? apply(h, sellerId, e) : [])];
        return given(h).state;
      };
      expect([s1, s2, s3].map((s) => outcome(s))).toMatchObject([{ status: 'won' }, { status: 'won' }, { status: 'open' }]);
    });
  });
});
