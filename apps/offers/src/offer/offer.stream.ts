import { fold } from '@dealledger/domain';
import type { OfferEvent } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import type { Requester } from '@dealledger/domain';
import { offerDecider, OfferState } from './offer.decider';
import { OfferErrors } from './offer.errors';

export const offerStreamId = (offerId: string) => `offer-${offerId}`;

export async function loadOffer(store: PostgresEventStore, offerId: string): Promise<{ state: OfferState; version: number; updatedAt: string | null }> {
  const recorded = await store.readStream(offerStreamId(offerId));
  return {
    state: fold(
      offerDecider,
      recorded.map((r) => ({ type: r.type, data: r.data }) as OfferEvent),
    ),
    version: recorded.length,
    updatedAt: recorded[recorded.length - 1]?.recordedAt ?? null,
  };
}

/** What a party sees; others get 404, as if the offer did not exist. */
export function offerView(state: OfferState, viewer: Requester, offerId: string) {
  if (state.status === 'none' || (viewer.companyId !== state.supplierId && viewer.companyId !== state.buyerId)) throw OfferErrors.notFound(offerId);
  // A draft is the supplier's until it is submitted: the buyer learns of it then (and never of one withdrawn or expired unsent).
  if (!state.submitted && viewer.companyId !== state.supplierId) throw OfferErrors.notFound(offerId);
  return state;
}
