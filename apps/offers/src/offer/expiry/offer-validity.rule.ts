import type { OfferEvent } from '@dealledger/events';
import type { DeadlineChange, DeadlineRule } from '@dealledger/domain';

/** An open offer is due to expire at its validity end; a closed one at nothing. */
export function offerValidityChange(event: OfferEvent): DeadlineChange {
  switch (event.type) {
    case 'OfferDrafted':
    case 'OfferRevised':
      return { due: event.data.validUntil };
    case 'OfferSubmitted':
    case 'OfferCountered':
    case 'OfferDocumentAttached':
      return 'keep';
    case 'OfferAccepted':
    case 'OfferRejected':
    case 'OfferWithdrawn':
    case 'OfferExpired':
      return 'clear';
  }
}

export const OFFER_VALIDITY: DeadlineRule = { kind: 'offer-validity', streamType: 'offer', change: (e) => offerValidityChange(e as OfferEvent) };
