import type { EventEnvelope } from '@dealledger/events';
import { envelopeHash } from '@dealledger/messaging';
import { eventAsSeenBy, SUPPLIER_ONLY_UNTIL_SUBMITTED } from '../history/visibility';
import { timelineEventOf } from '../projection/rows';

/** An envelope as a feed gives it: a cut one has no `hash` or `previousHash` (see `cut`). */
export type FeedEnvelope = Omit<EventEnvelope, 'hash' | 'previousHash'> & Partial<Pick<EventEnvelope, 'hash' | 'previousHash'>>;

/** One company's view of an event, as its feed and webhooks give it. */
export interface FeedEntry {
  company: string;
  event: FeedEnvelope;
  /** Data, parties or the actor's person were cut for this company. */
  redacted: boolean;
  /**
   * The event exactly as recorded: its `hash` checks. False when it was cut, or recorded at an
   * older schema version than the one given (its hash covers that form, as on the topic).
   */
  asRecorded: boolean;
}

export const offerOf = (e: EventEnvelope) => (e.data as { offerId: string }).offerId;

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
      if (draft)
        for (const company of new Set(draft.parties))
          if (company !== supplier) entries.push({ company, event: draft, redacted: false, asRecorded: recorded(draft) });
    }
    const te = timelineEventOf(e);
    for (const company of new Set(e.parties)) {
      const [visible] = eventAsSeenBy(te, company, (offerId) => seen.has(offerId));
      if (!visible) continue;
      const personal = clearPersonalData(e);
      if (personal) entries.push({ company, event: cut(e, e.parties, personal), redacted: true, asRecorded: false });
      else if (visible.data !== te.data || visible.parties !== te.parties)
        entries.push({ company, event: cut(e, visible.parties, visible.data), redacted: true, asRecorded: false });
      else entries.push({ company, event: e, redacted: false, asRecorded: recorded(e) });
    }
  }
  return entries;
}

/** Whether the envelope is the event as recorded: its own hash checks (not so once upcast). */
function recorded(e: EventEnvelope): boolean {
  return envelopeHash(e) === e.hash;
}

/**
 * The event with what the viewer may not see taken out. The hash goes too: it covers the uncut
 * event, and one hidden field of few possible values (a price the viewer can bracket, a score
 * from 1 to 10) could be found by hashing every guess. So does the actor's person: it would
 * name whom the data leaves out (the buyer's evaluator of a bid).
 */
function cut(e: EventEnvelope, parties: string[], data: unknown): FeedEnvelope {
  const { hash: _h, previousHash: _p, ...rest } = e;
  return { ...rest, parties, data, actor: e.actor && { companyId: e.actor.companyId, personId: null } };
}

/**
 * A person recorded before names were sealed (PersonAdded v1, upcast as `alg: 'clear'`) would
 * be copied into the feed in clear and outlive an erasure there: the feed keeps only the ids
 * and roles.
 */
function clearPersonalData(e: EventEnvelope): unknown {
  const d = e.data as { personal?: { alg?: string } };
  if (e.type !== 'PersonAdded' || d.personal?.alg !== 'clear') return null;
  const { personal: _personal, ...rest } = d;
  return rest;
}
