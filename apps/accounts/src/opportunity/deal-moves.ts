import type { BidSubmittedV1, DealKind, OfferRejectedV1, SuppliersInvitedV1, TenderAwardedV4 } from '@dealledger/events';
import type { DealCause, DealStage, FollowDeal } from './opportunity.commands';

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
      return { to: 'lost', reason: (event.data as OfferRejectedV1).reason?.trim() || 'rejected by the buyer' };
    case 'OfferWithdrawn':
      return { to: 'lost', reason: 'withdrawn' };
    case 'OfferExpired':
      return { to: 'lost', reason: 'the offer expired' };
  }
}

/**
 * Where a tender award leaves each ranked bidder. The winner of the award (of the tender, or
 * of one of its lots) has won. Won and lost are final, so a bidder is lost only once no lot
 * is left to award and none of its bids holds an award: a seller that wins any lot ends won,
 * whatever order the lots are awarded in. Limits: a bidder ranked only on an earlier lot is
 * not in the last lot's ranking and stays where it is; an award later annulled (AwardAnnulled)
 * takes nothing back.
 */
function awardTo(d: TenderAwardedV4): (sellerId: string) => StageFromDeal | null {
  // Awards recorded before lots read as a whole award (as the upcaster makes them).
  const lotsToAward = d.lotsToAward ?? 0;
  const winning = new Set(d.winningBidIds ?? [d.bidId]);
  return (sellerId) => {
    if (sellerId === d.supplierId) return { to: 'won', reason: null };
    const bids = d.ranking.filter((r) => r.supplierId === sellerId);
    if (!bids.length || lotsToAward > 0 || bids.some((r) => winning.has(r.bidId))) return null;
    return { to: 'lost', reason: AWARDED_TO_ANOTHER };
  };
}

/**
 * The move one ledger event makes, or null for events that move no opportunity: drafts,
 * documents, clarifications, closing, evaluation, complaints, finalised or annulled awards,
 * withdrawn bids (the supplier may bid again), and TenderCancelled, which names no supplier
 * (the opportunities following the tender stay where they are; a person marks them lost).
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
      return tender(d, [...new Set([d.supplierId, ...d.ranking.map((r) => r.supplierId)])], awardTo(d));
    }
    default:
      return null;
  }
}

/** The FollowDeal for one seller's opportunity; null when the event does not move it. */
export function followDeal(move: DealMove, sellerId: string, opportunityId: string, now: Date): FollowDeal | null {
  const stage = move.to(sellerId);
  return stage && { type: 'FollowDeal', opportunityId, cause: move.cause, to: stage.to, reason: stage.reason, at: move.at, now };
}
