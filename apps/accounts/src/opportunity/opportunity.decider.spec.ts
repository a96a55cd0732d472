import type { Requester } from '@dealledger/domain';
import type { OpportunityEvent, OpportunityStage } from '@dealledger/events';
import { deciderSpec } from '@dealledger/testing';
import type { DealStage, FollowDeal, MoveStage, OpportunityCommand } from './opportunity.commands';
import { opportunityDecider, partiesOf } from './opportunity.decider';

const { given, history } = deciderSpec(opportunityDecider);

const seller = '5e5e5e5e-0000-4000-8000-000000000001';
const buyer = 'b0b0b0b0-0000-4000-8000-000000000002';
const stranger = '0d0d0d0d-0000-4000-8000-000000000009';
const accountId = 'acc0acc0-0000-4000-8000-000000000003';
const opportunityId = '0bb00bb0-0000-4000-8000-000000000004';
const offer1 = '0f0f0f01-0000-4000-8000-000000000005';
const offer2 = '0f0f0f02-0000-4000-8000-000000000006';
const tender1 = '7e7e7e01-0000-4000-8000-000000000007';
const p = (companyId: string, n: number): Requester => ({ companyId, personId: `00000000-0000-4000-8000-0000000000${n}`, roles: [] });
const rep = p(seller, 10);
const t0 = new Date('2027-03-01T08:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * 86400000);
const eventId = (n: number) => `e0e0e0e0-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;

const openOpportunity = (over: Partial<Extract<OpportunityCommand, { type: 'OpenOpportunity' }>> = {}): OpportunityCommand => ({
  type: 'OpenOpportunity',
  opportunityId,
  sellerId: seller,
  accountId,
  buyerId: buyer,
  title: 'Steel plates for the 2028 line',
  expectedValue: '250000.00',
  currency: 'EUR',
  expectedVolume: '400 tonnes a year',
  requester: rep,
  now: t0,
  ...over,
});
const moveTo = (to: OpportunityStage, over: Partial<MoveStage> = {}): OpportunityCommand => ({
  type: 'MoveStage',
  opportunityId,
  to,
  reason: null,
  requester: rep,
  now: at(1),
  ...over,
});
/** The app's command for a ledger event (n: its id) of offer1, unless another deal is given. */
const follow = (n: number, to: DealStage, over: Partial<FollowDeal> = {}): OpportunityCommand => ({
  type: 'FollowDeal',
  opportunityId,
  cause: { eventType: 'OfferSubmitted', eventId: eventId(n), dealKind: 'offer', dealId: offer1 },
  to,
  reason: to === 'lost' ? 'rejected by the buyer' : null,
  at: at(n).toISOString(),
  now: at(n + 0.5),
  ...over,
});

const opened = history(openOpportunity());
const qualified = history(openOpportunity(), moveTo('qualified'));
const offered = history(openOpportunity(), follow(2, 'offer'));

describe('opportunity decider', () => {
  describe('opening', () => {
    it('opens at identified (the stage is implied), by a person of the seller', () => {
      expect(opened).toEqual([
        {
          type: 'OpportunityOpened',
          data: {
            opportunityId,
            sellerId: seller,
            accountId,
            buyerId: buyer,
            title: 'Steel plates for the 2028 line',
            expectedValue: '250000.00',
            currency: 'EUR',
            expectedVolume: '400 tonnes a year',
            openedBy: rep.personId,
          },
        },
      ]);
      expect(given(opened).state).toMatchObject({ status: 'open', stage: 'identified', deal: null, stages: [{ stage: 'identified', at: null }], causes: [] });
    });
    it('takes an expected value of 0 and a prospect without a buyer', () => {
      const [e] = given([]).when(openOpportunity({ expectedValue: '0', buyerId: null })).events;
      expect(e.data).toMatchObject({ expectedValue: '0', buyerId: null });
    });
    it('refuses another company, a company key, a negative or malformed value, no title, and an id twice', () => {
      given([])
        .when(openOpportunity({ requester: p(stranger, 30) }))
        .thenThrows('forbidden:opportunity.seller_only');
      given([])
        .when(openOpportunity({ requester: { companyId: seller, personId: null, roles: [] } }))
        .thenThrows('forbidden:opportunity.person_required');
      for (const expectedValue of ['-1', '1.23456', '12,5', '', '1e6'])
        given([]).when(openOpportunity({ expectedValue })).thenThrows('invalid:opportunity.expected_value');
      given([])
        .when(openOpportunity({ title: '  ' }))
        .thenThrows('invalid:opportunity.title_required');
      given(opened).when(openOpportunity()).thenThrows('conflict:opportunity.already_exists');
    });
  });

  describe('moving by hand', () => {
    it('moves forward among identified, contacted and qualified, skipping allowed, and records who and when', () => {
      given(opened)
        .when(moveTo('contacted'))
        .then([
          {
            type: 'OpportunityStageMoved',
            data: {
              opportunityId,
              sellerId: seller,
              from: 'identified',
              to: 'contacted',
              reason: null,
              movedBy: rep.personId,
              cause: null,
              at: at(1).toISOString(),
            },
          },
        ]);
      expect(qualified[1].data).toMatchObject({ from: 'identified', to: 'qualified' });
      expect(given(qualified).state).toMatchObject({
        stage: 'qualified',
        stages: [
          { stage: 'identified', at: null },
          { stage: 'qualified', at: at(1).toISOString() },
        ],
      });
    });
    it('marks it lost from any open stage, with a reason', () => {
      for (const h of [opened, qualified, offered]) {
        const [e] = given(h).when(moveTo('lost', { reason: 'the buyer chose a local mill' })).events;
        expect(e.data).toMatchObject({ to: 'lost', reason: 'the buyer chose a local mill', movedBy: rep.personId, cause: null });
      }
      const lost = history(openOpportunity(), moveTo('lost', { reason: 'budget cut' }));
      expect(given(lost).state).toMatchObject({ status: 'lost', stage: 'lost' });
    });
    it('refuses lost without a reason', () => {
      given(opened).when(moveTo('lost')).thenThrows('invalid:opportunity.reason_required');
      given(opened)
        .when(moveTo('lost', { reason: ' ' }))
        .thenThrows('invalid:opportunity.reason_required');
    });
    it('refuses won, offer and negotiation: they follow the ledger’s deal', () => {
      given(offered).when(moveTo('won')).thenThrows('conflict:opportunity.won_follows_the_deal');
      given(qualified).when(moveTo('won')).thenThrows('conflict:opportunity.won_follows_the_deal');
      given(qualified).when(moveTo('offer')).thenThrows('conflict:opportunity.stage_follows_the_deal');
      given(offered).when(moveTo('negotiation')).thenThrows('conflict:opportunity.stage_follows_the_deal');
    });
    it('refuses a move backwards, to the current stage, and any move once won or lost', () => {
      given(qualified).when(moveTo('contacted')).thenThrows('conflict:opportunity.invalid_move');
      given(offered).when(moveTo('qualified')).thenThrows('conflict:opportunity.invalid_move');
      given(qualified).when(moveTo('qualified')).thenThrows('conflict:opportunity.already_at_stage');
      given(opened).when(moveTo('identified')).thenThrows('conflict:opportunity.already_at_stage');
      const won = history(openOpportunity(), follow(2, 'won'));
      const lost = history(openOpportunity(), moveTo('lost', { reason: 'budget cut' }));
      given(won)
        .when(moveTo('lost', { reason: 'changed our mind' }))
        .thenThrows('conflict:opportunity.invalid_move');
      given(lost).when(moveTo('contacted')).thenThrows('conflict:opportunity.invalid_move');
      given(lost)
        .when(moveTo('lost', { reason: 'again' }))
        .thenThrows('conflict:opportunity.invalid_move');
    });
    it('is not found by another company or before it is opened; a company key of the seller may not move it', () => {
      given(opened)
        .when(moveTo('contacted', { requester: p(stranger, 30) }))
        .thenThrows('not_found:opportunity.not_found');
      given([]).when(moveTo('contacted')).thenThrows('not_found:opportunity.not_found');
      given(opened)
        .when(moveTo('contacted', { requester: { companyId: seller, personId: null, roles: [] } }))
        .thenThrows('forbidden:opportunity.person_required');
    });
  });

  describe('following the deal', () => {
    it('links the first deal, then moves at the deal event’s time, with its cause and no person', () => {
      given(qualified)
        .when(follow(2, 'offer'))
        .then([
          { type: 'OpportunityDealLinked', data: { opportunityId, sellerId: seller, dealKind: 'offer', dealId: offer1 } },
          {
            type: 'OpportunityStageMoved',
            data: {
              opportunityId,
              sellerId: seller,
              from: 'qualified',
              to: 'offer',
              reason: null,
              movedBy: null,
              cause: { eventType: 'OfferSubmitted', eventId: eventId(2), dealKind: 'offer', dealId: offer1 },
              at: at(2).toISOString(),
            },
          },
        ]);
      expect(given(offered).state).toMatchObject({ deal: { kind: 'offer', id: offer1 }, stage: 'offer', causes: [eventId(2)] });
    });
    it('moves a linked opportunity on without linking again, through negotiation to won or lost', () => {
      const negotiating = [...offered, ...given(offered).when(follow(3, 'negotiation')).events];
      expect(negotiating.slice(offered.length).map((e) => e.type)).toEqual(['OpportunityStageMoved']);
      const [won] = given(negotiating).when(follow(4, 'won')).events;
      expect(won.data).toMatchObject({ from: 'negotiation', to: 'won', movedBy: null });
      const [lost] = given(negotiating).when(follow(4, 'lost')).events;
      expect(lost.data).toMatchObject({ from: 'negotiation', to: 'lost', reason: 'rejected by the buyer' });
      expect(given([...negotiating, won]).state).toMatchObject({
        status: 'won',
        stages: [
          { stage: 'identified', at: null },
          { stage: 'offer', at: at(2).toISOString() },
          { stage: 'negotiation', at: at(3).toISOString() },
          { stage: 'won', at: at(4).toISOString() },
        ],
      });
    });
    it('moves nothing twice: a replayed cause emits no events, even one that would move it', () => {
      given(offered).when(follow(2, 'offer')).then([]);
      // The same event id, whatever it is said to mean now.
      given(offered).when(follow(2, 'negotiation')).then([]);
    });
    it('ignores a move to the current stage or backwards (a late event)', () => {
      given(offered).when(follow(5, 'offer')).then([]);
      const negotiating = history(openOpportunity(), follow(2, 'offer'), follow(3, 'negotiation'));
      given(negotiating).when(follow(5, 'offer')).then([]);
    });
    it('keeps won and lost final: a late revision after won, a rejection after lost by hand', () => {
      const won = history(openOpportunity(), follow(2, 'offer'), follow(3, 'won'));
      given(won).when(follow(4, 'negotiation')).then([]);
      given(won).when(follow(4, 'lost')).then([]);
      const lostByHand = history(openOpportunity(), moveTo('lost', { reason: 'budget cut' }));
      given(lostByHand).when(follow(2, 'offer')).then([]);
    });
    it('ignores another deal of the same pair once linked to one', () => {
      given(offered)
        .when(follow(3, 'negotiation', { cause: { eventType: 'OfferCountered', eventId: eventId(3), dealKind: 'offer', dealId: offer2 } }))
        .then([]);
      given(offered)
        .when(follow(3, 'won', { cause: { eventType: 'TenderAwarded', eventId: eventId(3), dealKind: 'tender', dealId: offer1 } }))
        .then([]);
    });
    it('links a tender as it links an offer, at any first stage (a bid on an open tender)', () => {
      const [link, moved] = given(opened).when(
        follow(2, 'negotiation', { cause: { eventType: 'BidSubmitted', eventId: eventId(2), dealKind: 'tender', dealId: tender1 } }),
      ).events;
      expect(link).toEqual({ type: 'OpportunityDealLinked', data: { opportunityId, sellerId: seller, dealKind: 'tender', dealId: tender1 } });
      expect(moved.data).toMatchObject({ from: 'identified', to: 'negotiation' });
    });
    it('moves an opportunity opened while its buyer was a prospect (the handler found it once it registered), and finds none that was never opened', () => {
      const prospect = history(openOpportunity({ buyerId: null }));
      expect(
        given(prospect)
          .when(follow(2, 'offer'))
          .events.map((e) => e.type),
      ).toEqual(['OpportunityDealLinked', 'OpportunityStageMoved']);
      given([]).when(follow(2, 'offer')).thenThrows('not_found:opportunity.not_found');
    });
  });

  describe('a contract of its deal in force (ContractExecuted)', () => {
    const signed = { contractId: 'c0c0c0c0-0000-4000-8000-000000000011', contractValue: '245000.00', currency: 'EUR', executedAt: at(9).toISOString() };
    const executed = (n: number, over: Partial<FollowDeal> = {}) =>
      follow(n, 'won', { cause: { eventType: 'ContractExecuted', eventId: eventId(n), dealKind: 'offer', dealId: offer1 }, contract: signed, ...over });
    const won = history(openOpportunity(), follow(2, 'offer'), follow(4, 'won'));
    it('records the contract on a won opportunity, once however often it is delivered', () => {
      const then = given(won).when(executed(9));
      expect(then.events).toEqual([
        {
          type: 'OpportunityContractExecuted',
          data: {
            opportunityId,
            sellerId: seller,
            ...signed,
            cause: { eventType: 'ContractExecuted', eventId: eventId(9), dealKind: 'offer', dealId: offer1 },
          },
        },
      ]);
      given([...won, ...then.events])
        .when(executed(9))
        .then([]);
      // Another contract of the same deal (a second lot won) is recorded too.
      expect(
        given([...won, ...then.events]).when(executed(10, { contract: { ...signed, contractId: 'c0c0c0c0-0000-4000-8000-000000000012' } })).events,
      ).toHaveLength(1);
    });
    it('wins an opportunity still open on its deal, and records the contract', () => {
      const then = given(offered).when(executed(9));
      expect(then.events.map((e) => e.type)).toEqual(['OpportunityStageMoved', 'OpportunityContractExecuted']);
      expect(then.events[0].data).toMatchObject({ from: 'offer', to: 'won', movedBy: null, cause: { eventType: 'ContractExecuted' } });
    });
    it('records nothing on a lost opportunity, one following another deal, or one following none (a contract does not link)', () => {
      const lost = history(openOpportunity(), follow(2, 'offer'), follow(3, 'lost'));
      given(lost).when(executed(9)).then([]);
      given(won)
        .when(executed(9, { cause: { eventType: 'ContractExecuted', eventId: eventId(9), dealKind: 'offer', dealId: offer2 } }))
        .then([]);
      given(qualified).when(executed(9)).then([]);
    });
  });

  it('never dates a move before the stage it leaves: a deal event handled late takes the last stage’s time', () => {
    // Qualified by hand on day 5; the offer event of day 3 arrives afterwards.
    const late = history(openOpportunity(), moveTo('qualified', { now: at(5) }));
    const [, movedEvent] = given(late).when(follow(3, 'offer')).events;
    expect(movedEvent.data).toMatchObject({ from: 'qualified', to: 'offer', at: at(5).toISOString() });
    // In time, it keeps the deal event's own.
    expect(given(late).when(follow(6, 'offer')).events[1].data).toMatchObject({ at: at(6).toISOString() });
  });
  it('records a reason only for a loss', () => {
    expect(given(opened).when(moveTo('contacted', { reason: 'met at the fair' })).events[0].data).toMatchObject({ to: 'contacted', reason: null });
  });
  it('has the seller as its only party', () => {
    const events: OpportunityEvent[] = [...opened, ...given(opened).when(follow(2, 'offer')).events];
    expect(events.map(partiesOf)).toEqual([[seller], [seller], [seller]]);
  });
});
