import type { TenderEvent } from '@dealledger/events';
import type { TenderListStatus } from './tender-list';

/** What the list keeps of a bid; one row per submitted bid (a resubmission is a new bid). */
export interface TenderBidListRow {
  bidId: string;
  tenderId: string;
  buyerId: string;
  supplierId: string;
  status: TenderBidStatus;
  tenderStatus: TenderListStatus;
  contentHash: string;
  /** The bid's total once the tender closed and opened it. */
  total: string | null;
}

/**
 * `replaced`: the supplier submitted another bid to the same tender, which took this one's place
 * (the decider keeps one current bid per supplier). `won` / `lost`: the bid that was current
 * when the tender was awarded; every bidder learns whether it won (a loser of a private tender
 * sees that it was awarded, not to whom). In a tender in lots, `won` is a bid that won at least
 * one lot, decided once every lot is awarded (until then its bids stay `submitted`).
 */
export const TENDER_BID_STATUSES = ['submitted', 'replaced', 'withdrawn', 'won', 'lost'] as const;
export type TenderBidStatus = (typeof TENDER_BID_STATUSES)[number];

export type TenderBidListChange =
  /** A new row; the supplier's bid current in that tender before it becomes `replaced`. */
  | { submitted: TenderBidListRow }
  | { withdrawn: { bidId: string } }
  /**
   * The tender's status on every bid of it; at close each opened bid's total; at award (of its
   * last lot) the winning bids are `won` and every other current one `lost`.
   */
  | {
      tender: {
        tenderId: string;
        tenderStatus: Exclude<TenderListStatus, 'open'>;
        totals?: { bidId: string; total: string }[];
        /** Every bid holding an award of the tender (one per lot at most). */
        winningBidIds?: string[];
        /** The award was set aside: its won and lost bids are current again. */
        awardAnnulled?: true;
      };
    };

/** How a tender event changes the bid list (pure, as the decider's evolve). */
export function tenderBidListChange(event: TenderEvent): TenderBidListChange | null {
  switch (event.type) {
    case 'BidSubmitted': {
      const d = event.data;
      return {
        submitted: {
          bidId: d.bidId,
          tenderId: d.tenderId,
          buyerId: d.buyerId,
          supplierId: d.supplierId,
          status: 'submitted',
          // Bids are accepted only while the tender is open.
          tenderStatus: 'open',
          contentHash: d.contentHash,
          total: null,
        },
      };
    }
    case 'BidWithdrawn':
      return { withdrawn: { bidId: event.data.bidId } };
    case 'TenderClosed':
      return { tender: { tenderId: event.data.tenderId, tenderStatus: 'closed', totals: event.data.bids.map((b) => ({ bidId: b.bidId, total: b.total })) } };
    case 'TenderAwarded':
    case 'LotCancelled':
      // Lots still to decide: the tender is still closed, and no bid has won or lost yet.
      if (event.data.lotsToAward > 0) return null;
      return { tender: { tenderId: event.data.tenderId, tenderStatus: 'awarded', winningBidIds: event.data.winningBidIds } };
    case 'TenderCancelled':
      return { tender: { tenderId: event.data.tenderId, tenderStatus: 'cancelled' } };
    case 'AwardAnnulled':
      return { tender: { tenderId: event.data.tenderId, tenderStatus: 'closed', awardAnnulled: true } };
    case 'TenderDocumentAttached':
      // The tender's documents change no bid.
      return null;
    default:
      return null;
  }
}
