import type { TenderEvent, TenderItemV2 } from '@dealledger/events';

/** What the list keeps of a tender; one row per tender. */
export interface TenderListRow {
  tenderId: string;
  buyerId: string;
  title: string;
  status: TenderListStatus;
  publicProcurement: boolean;
  /** `open`: a published notice every registered company sees (GET /tenders/notices). */
  procedure: 'invited' | 'open';
  currency: string;
  submissionDeadline: string;
  itemIds: string[];
  /** Who may see the tender besides its buyer (as GET /tenders/:id); never shown to a supplier. */
  invited: string[];
  /**
   * The winning supplier once awarded whole. A tender in lots has one winner per lot (the same
   * supplier may win several): it stays null, and GET /tenders/:id shows each lot's award.
   */
  awardedTo: string | null;
  /** What full-text search finds it by: title, item ids, descriptions and specifications. */
  text: string;
}

/** The decider's statuses of an existing tender. */
export const TENDER_LIST_STATUSES = ['open', 'closed', 'awarded', 'cancelled'] as const;
export type TenderListStatus = (typeof TENDER_LIST_STATUSES)[number];

export type TenderListChange =
  | { created: TenderListRow }
  /** Status changes: the only ones that move the row's `updatedAt`, which every party sees. */
  | { changed: { tenderId: string; status: TenderListStatus; awardedTo?: string; awardAnnulled?: true } }
  /** Suppliers added to `invited`; what a supplier sees of the row does not change. */
  | { invited: { tenderId: string; supplierIds: string[] } };

/**
 * How a tender event changes its list row (pure, as the decider's evolve). Bids and evaluations
 * change nothing here: a row every invited supplier sees must not move when a rival bids.
 */
export function tenderListChange(event: TenderEvent): TenderListChange | null {
  switch (event.type) {
    case 'TenderOpened': {
      const d = event.data;
      return {
        created: {
          tenderId: d.tenderId,
          buyerId: d.buyerId,
          title: d.title,
          status: 'open',
          publicProcurement: d.publicProcurement,
          procedure: d.procedure,
          currency: d.currency,
          submissionDeadline: d.submissionDeadline,
          itemIds: d.items.map((i) => i.itemId),
          invited: [],
          awardedTo: null,
          text: textOf(d.title, d.items),
        },
      };
    }
    case 'SuppliersInvited':
      return { invited: { tenderId: event.data.tenderId, supplierIds: event.data.supplierIds } };
    case 'TenderClosed':
      return { changed: { tenderId: event.data.tenderId, status: 'closed' } };
    case 'TenderAwarded': {
      const d = event.data;
      // A lot awarded while others wait leaves the tender closed: it is awarded with its last lot.
      if (d.lotsToAward > 0) return null;
      return { changed: { tenderId: d.tenderId, status: 'awarded', ...(d.lotId === null && { awardedTo: d.supplierId }) } };
    }
    case 'TenderCancelled':
      return { changed: { tenderId: event.data.tenderId, status: 'cancelled' } };
    case 'AwardAnnulled':
      // Closed again, to be awarded anew: the tender, or one of its lots (the others' awards stand).
      return { changed: { tenderId: event.data.tenderId, status: 'closed', awardAnnulled: true } };
    case 'LotCancelled':
      // The last lot decided: the tender is awarded (a lot of it at least; a tender nobody is awarded is cancelled instead).
      return event.data.lotsToAward > 0 ? null : { changed: { tenderId: event.data.tenderId, status: 'awarded' } };
    case 'TenderDocumentAttached':
    case 'ClarificationRequested':
    case 'ClarificationAnswered':
    case 'AwardComplaintFiled':
    case 'AwardComplaintResolved':
    case 'AwardFinalised':
      // No listed field changes: documents and clarifications are on GET /tenders/:id.
      return null;
    default:
      return null;
  }
}

const textOf = (title: string, items: TenderItemV2[]) => [title, ...items.map((i) => `${i.itemId} ${i.description} ${i.specification}`)].join(' ');

/**
 * The award as a party sees it (as GET /tenders/:id): the buyer always; a supplier when it won,
 * or when the tender is a public procurement, whose award is published.
 */
export function awardSeenBy(row: Pick<TenderListRow, 'buyerId' | 'publicProcurement' | 'awardedTo'>, companyId: string): string | null {
  if (row.awardedTo === null) return null;
  return row.buyerId === companyId || row.publicProcurement || row.awardedTo === companyId ? row.awardedTo : null;
}
