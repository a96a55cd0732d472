import type { OfferEvent } from '@dealledger/events';

/** What the list keeps of an offer; one row per offer. */
export interface OfferListRow {
  offerId: string;
  supplierId: string;
  buyerId: string;
  status: OfferListStatus;
  skus: string[];
  validUntil: string;
  revision: number;
  /** Ever submitted: the buyer sees it from then on, whatever becomes of it. */
  submitted: boolean;
  /** What full-text search finds it by: skus and item descriptions. */
  text: string;
}

export const OFFER_LIST_STATUSES = ['draft', 'submitted', 'countered', 'accepted', 'rejected', 'withdrawn', 'expired'] as const;
export type OfferListStatus = (typeof OFFER_LIST_STATUSES)[number];

/**
 * How an offer event changes its list row (pure, as the decider's evolve; the statuses are
 * the decider's). `created`: the row starts here; otherwise only the named fields change.
 */
export function offerListChange(event: OfferEvent): { created: OfferListRow } | { changed: Partial<OfferListRow> & { offerId: string } } | null {
  switch (event.type) {
    case 'OfferDrafted': {
      const d = event.data;
      const skus = d.items.map((i) => i.sku);
      return {
        created: {
          offerId: d.offerId,
          supplierId: d.supplierId,
          buyerId: d.buyerId,
          status: 'draft',
          skus,
          validUntil: d.validUntil,
          revision: 0,
          submitted: false,
          text: textOf(d.items),
        },
      };
    }
    case 'OfferSubmitted':
      return { changed: { offerId: event.data.offerId, status: 'submitted', submitted: true } };
    case 'OfferCountered':
      return { changed: { offerId: event.data.offerId, status: 'countered' } };
    case 'OfferRevised': {
      const d = event.data;
      return {
        changed: {
          offerId: d.offerId,
          status: 'submitted',
          skus: d.items.map((i) => i.sku),
          validUntil: d.validUntil,
          revision: d.revision,
          text: textOf(d.items),
        },
      };
    }
    case 'OfferAccepted':
      return { changed: { offerId: event.data.offerId, status: 'accepted' } };
    case 'OfferRejected':
      return { changed: { offerId: event.data.offerId, status: 'rejected' } };
    case 'OfferWithdrawn':
      return { changed: { offerId: event.data.offerId, status: 'withdrawn' } };
    case 'OfferExpired':
      return { changed: { offerId: event.data.offerId, status: 'expired' } };
    case 'OfferDocumentAttached':
      // No listed field changes: the documents are on GET /offers/:id.
      return null;
    default:
      return null;
  }
}

const textOf = (items: { sku: string; description: string }[]) => items.map((i) => `${i.sku} ${i.description}`).join(' ');
