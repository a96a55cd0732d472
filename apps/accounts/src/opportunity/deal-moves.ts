import type { AwardFinalisedV2, BidSubmittedV1, ContractExecutedV3, DealKind, OfferRejectedV1, SuppliersInvitedV1, TenderAwardedV4 } from '@dealledger/events';
import type { DealCause, DealStage, ExecutedContract, FollowDeal } from './opportunity.commands';

/** What deal-moves reads of a ledger event (an `EventEnvelope` has it). */
export interface DealEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: unknown;
}

export interface StageFromDeal {
  to: DealStage;
  /** Why it was lost; null for any other stage. */
  reason: string | null;
}

/**
 * What one of the ledger's deal events means for the seller's opportunity with its buyer,
 * whatever that opportunity is: the app finds the open opportunities of each seller with the
 * buyer and gives each a FollowDeal (see `followDeal`).
 */
export interface DealMove {
  /** The sellers whose opportunity with the buyer may move. */
  sellerIds: string[];
  buyerId: string;
  dealKind: DealKind;
  dealId: string;
  /** Where the seller's opportunity moves; null: this event does not move it. */
  to(sellerId: string): StageFromDeal | null;
  cause: DealCause;
  /** The deal event's time: when the stage changed. */
  at: string;
  /** A contract of the deal came into force (ContractExecuted). */
  contract?: ExecutedContract;
}

export const AWARDED_TO_ANOTHER = 'the tender was awarded to another bidder';

/** Where an offer event moves its supplier's opportunity; undefined: not an offer event that moves one. */
function offerStage(event: DealEvent): StageFromDeal | undefined {
  switch (event.type) {
    case 'OfferSubmitted':
      return { to: 'offer', reason: null };
    case 'OfferCountered':
    case 'OfferRevised':
      return { to: 'negotiation', reason: null };
    case 'OfferAccepted':
      return { to: 'won', reason: null };
    case 'OfferRejected':
      return { to: 'lost', reason: reasonOf((event.data as OfferRejectedV1).reason?.trim() || 'rejected by the buyer') };
    case 'OfferWithdrawn':
      return { to: 'lost', reason: 'withdrawn' };
    case 'OfferExpired':
      return { to: 'lost', reason: 'the offer expired' };
  }
}

/**
 * Where a final award of the tender (or of one of its lots) leaves its winner: won. A provisional
 * award (a standstill period running) moves nothing yet: it may be annulled, and won and lost are
 * final. The losers are the handler's to close, once no lot is left to award (see FollowDeals).
 */
function awardTo(d: { supplierId: string; standstillUntil?: string | null }, final: boolean): (sellerId: string) => StageFromDeal | null {
  return (sellerId) => (final && sellerId === d.supplierId ? { to: 'won', reason: null } : null);
}

/** The deal events that may start following a deal: a seller's offer sent, an invitation, a bid. Any other moves only an opportunity already following its deal. */
export const OPENING_EVENTS: ReadonlySet<string> = new Set(['OfferSubmitted', 'SuppliersInvited', 'BidSubmitted']);

/** A reason as an opportunity records it (at most 2000 characters: a buyer's long text is cut, never refused). */
export const reasonOf = (text: string) => (text.length > 2000 ? `${text.slice(0, 1999)}…` : text);

/**
 * The move one ledger event makes (a contract in force is recorded on the opportunity following
 * its deal, and wins it if still open), or null for events that move no opportunity: drafts,
 * documents, clarifications, closing, evaluation, complaints, finalised or annulled awards,
 * withdrawn bids (the supplier may bid again), and TenderCancelled, which names no supplier
 * (the app's handler loses the opportunities following that tender: inbound/deals.kafka-handlers.ts).
 */
export function dealMove(event: DealEvent): DealMove | null {
  const deal = (dealKind: DealKind, dealId: string, buyerId: string, sellerIds: string[], to: (sellerId: string) => StageFromDeal | null): DealMove => ({
    sellerIds,
    buyerId,
    dealKind,
    dealId,
    // Only the sellers named: the rule for one seller never speaks for another.
    to: (sellerId) => (sellerIds.includes(sellerId) ? to(sellerId) : null),
    cause: { eventType: event.type, eventId: event.id, dealKind, dealId },
    at: event.occurredAt,
  });
  const stage = offerStage(event);
  if (stage) {
    const d = event.data as { offerId: string; supplierId: string; buyerId: string };
    return deal('offer', d.offerId, d.buyerId, [d.supplierId], () => stage);
  }
  const tender = (d: { tenderId: string; buyerId: string }, sellerIds: string[], to: (sellerId: string) => StageFromDeal | null) =>
    deal('tender', d.tenderId, d.buyerId, sellerIds, to);
  switch (event.type) {
    case 'SuppliersInvited': {
      const d = event.data as SuppliersInvitedV1;
      return tender(d, [...new Set(d.supplierIds)], () => ({ to: 'offer', reason: null }));
    }
    case 'BidSubmitted': {
      const d = event.data as BidSubmittedV1;
      return tender(d, [d.supplierId], () => ({ to: 'negotiation', reason: null }));
    }
    case 'TenderAwarded': {
      const d = event.data as TenderAwardedV4;
      return tender(d, [d.supplierId], awardTo(d, !d.standstillUntil));
    }
    case 'AwardFinalised': {
      const d = event.data as AwardFinalisedV2;
      return tender(d, [d.supplierId], awardTo(d, true));
    }
    case 'ContractExecuted': {
      // Drafted from an accepted offer or a final award: the deal is its origin (a tender's, whichever lot).
      const d = event.data as ContractExecutedV3;
      const move = deal(d.origin.kind, d.origin.id, d.buyerId, [d.supplierId], () => ({ to: 'won', reason: null }));
      return { ...move, contract: { contractId: d.contractId, contractValue: d.contractValue, currency: d.terms.currency, executedAt: d.executedAt } };
    }
    default:
      return null;
  }
}

/** The FollowDeal for one seller's opportunity; null when the event does not move it. */
export function followDeal(move: DealMove, sellerId: string, opportunityId: string, now: Date): FollowDeal | null {
  const stage = move.to(sellerId);
  return stage && { type: 'FollowDeal', opportunityId, cause: move.cause, to: stage.to, reason: stage.reason, at: move.at, now, contract: move.contract };
}
