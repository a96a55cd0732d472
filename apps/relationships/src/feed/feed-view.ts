import type { EventEnvelope } from '@dealledger/events';
import { eventAsSeenBy, SUPPLIER_ONLY_UNTIL_SUBMITTED } from '../history/visibility';
import { timelineEventOf } from '../projection/rows';

/** One company's view of an event, as its feed and webhooks give it. */
export interface FeedEntry {
  company: string;
  event: EventEnvelope;
  /** Data or parties were cut for this company (the hash covers the uncut event). */
  redacted: boolean;
}

const offerOf = (e: EventEnvelope) => (e.data as { offerId: string }).offerId;

/** Offers the batch's events need the history of: which were submitted before, which drafts were held back. */
export function offersToCheck(events: EventEnvelope[]): string[] {
  return [...new Set(events.filter((e) => SUPPLIER_ONLY_UNTIL_SUBMITTED.has(e.type) || e.type === 'OfferSubmitted').map(offerOf))];
}

/**
 * Every party's entry of each event, in order: what that party may see of it, with the same
 * rules as the timeline (another hop's prices, other bidders, a draft offer stay hidden).
 * A draft is the supplier's until submitted: the buyer's feed gets it just before the first
 * submission, so the offer's content reaches it in stream order.
 * `submitted`: offers submitted before this batch; `drafts`: their held-back OfferDrafted events.
 */
export function feedEntriesOf(events: EventEnvelope[], submitted: ReadonlySet<string>, drafts: ReadonlyMap<string, EventEnvelope>): FeedEntry[] {
  const seen = new Set(submitted);
  const held = new Map(drafts);
  const entries: FeedEntry[] = [];
  for (const e of events) {
    if (e.type === 'OfferDrafted') held.set(offerOf(e), e);
    if (e.type === 'OfferSubmitted' && !seen.has(offerOf(e))) {
      seen.add(offerOf(e));
      const draft = held.get(offerOf(e));
      const supplier = (e.data as { supplierId: string }).supplierId;
      if (draft) for (const company of new Set(draft.parties)) if (company !== supplier) entries.push({ company, event: draft, redacted: false });
    }
    const te = timelineEventOf(e);
    for (const company of new Set(e.parties)) {
      const [visible] = eventAsSeenBy(te, company, (offerId) => seen.has(offerId));
      if (!visible) continue;
      const redacted = visible.data !== te.data || visible.parties !== te.parties;
      entries.push({ company, event: redacted ? { ...e, parties: visible.parties, data: visible.data } : e, redacted });
    }
  }
  return entries;
}
