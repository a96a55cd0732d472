import { TENDER_TYPES } from './pairs';
import type { TimelineEvent } from './timeline-event';

/**
 * An event as `viewer` may see it. The read side keeps what every party's figures need (a
 * supplier's price score comes from the tender's close, its losses from the award), but a
 * bidder is shown only its own part of a tender: not who else was invited or bid, nor their
 * prices, scores or rank; the buyer's evaluation of its bid stays the buyer's. A public tender's
 * award is published as public procurement rules publish it (winner, items, value); a private
 * one's only to the winner; an annulment names the annulled winner to that winner alone. A
 * complaint stays between the complainant and the buyer. A draft offer is the supplier's until
 * submitted. A resale links the original maker with the buyer downstream (its goods reached
 * them), but what each hop cost, fetched and earned, and how much moved, stays with the two
 * sides of that hop.
 */
/** Offer events a buyer sees only of an offer that was submitted. */
export const SUPPLIER_ONLY_UNTIL_SUBMITTED: ReadonlySet<string> = new Set(['OfferDrafted', 'OfferWithdrawn', 'OfferExpired']);

export function asSeenBy(events: TimelineEvent[], viewer: string): TimelineEvent[] {
  const submitted = new Set(events.filter((e) => e.type === 'OfferSubmitted').map((e) => e.data.offerId));
  return events.flatMap((e) => eventAsSeenBy(e, viewer, (offerId) => submitted.has(offerId)));
}

/** One event as `viewer` sees it (none, or one); `submitted` tells whether an offer was ever submitted. */
export function eventAsSeenBy(e: TimelineEvent, viewer: string, submitted: (offerId: string) => boolean): TimelineEvent[] {
  const d = e.data;
  // An offer is the supplier's until submitted: its draft, and its withdrawal or expiry unsent.
  if (SUPPLIER_ONLY_UNTIL_SUBMITTED.has(e.type) && d.supplierId !== viewer && !submitted(d.offerId)) return [];
  if (e.type === 'LotRecorded' || e.type === 'LotResold') {
    const sides = [d.ownerId, e.type === 'LotRecorded' ? d.sellerId : d.buyerId];
    if (sides.includes(viewer)) return [e];
    // What is left of the lot too: two of them in a row tell how much the hop moved.
    const { quantity: _q, unitCost: _c, unitPrice: _p, margin: _m, remaining: _r, ...rest } = d;
    return [{ ...e, data: rest }];
  }
  // The supplier's escalation note is its own team's; the buyer learns the level.
  if (e.type === 'TicketEscalated' && d.supplierId !== viewer) {
    const { note: _n, ...rest } = d;
    return [{ ...e, data: rest }];
  }
  if (!TENDER_TYPES.has(e.type) || d.buyerId === viewer) return [e];
  const parties = e.parties.filter((p) => p === d.buyerId || p === viewer);
  switch (e.type) {
    case 'SuppliersInvited':
      return [{ ...e, parties, data: { ...d, supplierIds: d.supplierIds.filter((s: string) => s === viewer) } }];
    case 'TenderClosed':
      // Its own bid without its price score: 10 × lowest / own total would tell the lowest total.
      return [
        {
          ...e,
          parties,
          data: {
            ...d,
            ownBidOnly: true,
            bids: d.bids.filter((b: { supplierId: string }) => b.supplierId === viewer).map(({ priceScore: _p, ...b }: { priceScore: number }) => b),
          },
        },
      ];
    case 'BidEvaluated': {
      const { scores: _s, evaluatorId: _e, evaluatorRoles: _r, ...rest } = d;
      return [{ ...e, parties, data: rest }];
    }
    // A final award is the same award again: cut the same way.
    case 'TenderAwarded':
    case 'AwardFinalised': {
      // Rank and total of its own entry (and a public award's winner), not the scores behind them.
      const ranking = d.ranking
        .filter((r: { supplierId: string }) => r.supplierId === viewer || (d.publicProcurement && r.supplierId === d.supplierId))
        .map(({ supplierId, total, rank }: { supplierId: string; total: string; rank: number }) => ({ supplierId, total, rank }));
      // The awarded score is the buyer's evaluation too.
      const { weightedScore: _ws, ...published } = d;
      if (d.publicProcurement) return [{ ...e, parties: [...new Set([...parties, d.supplierId])], data: { ...published, ranking } }];
      // Of a private tender's bids holding an award (a tender in lots has several), only its own
      // (it may have won another lot): the others are rivals' bids, which it is never shown.
      const mine = new Set<string>(d.ranking.filter((r: { supplierId: string }) => r.supplierId === viewer).map((r: { bidId: string }) => r.bidId));
      if (d.supplierId === viewer) mine.add(d.bidId);
      const winning = d.winningBidIds === undefined ? {} : { winningBidIds: d.winningBidIds.filter((id: string) => mine.has(id)) };
      if (d.supplierId === viewer) return [{ ...e, parties: [...new Set([...parties, d.supplierId])], data: { ...published, ranking, ...winning } }];
      const { items: _i, total: _t, weightedScore: _w, supplierId: _winner, bidId: _b, winningBidIds: _wb, ...rest } = d;
      return [{ ...e, parties, data: { ...rest, ranking, ...winning } }];
    }
    case 'AwardAnnulled': {
      // As a private award: the annulled winner only to itself, of the bidders only the viewer (what its
      // tally takes back). The event says nothing of public procurement, and a public award's winner
      // was published with the award already.
      const bidders = d.bidders.filter((s: string) => s === viewer);
      if (d.supplierId === viewer) return [{ ...e, parties, data: { ...d, bidders } }];
      const { supplierId: _winner, bidId: _b, ...rest } = d;
      return [{ ...e, parties, data: { ...rest, bidders } }];
    }
    case 'LotCancelled': {
      // Which bids hold the other lots' awards is the buyer's to know (the event does not say whether the tender is public).
      const { winningBidIds: _w, ...rest } = d;
      return [{ ...e, parties, data: rest }];
    }
    case 'AwardComplaintResolved': {
      // How many complaints are still open would tell the complainant of its rivals' complaints.
      const { openComplaints: _o, ...rest } = d;
      return [{ ...e, parties, data: rest }];
    }
    default:
      return [{ ...e, parties }];
  }
}
