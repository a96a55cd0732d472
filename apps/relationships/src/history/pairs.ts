import type { TimelineEvent } from './timeline-event';

/** Tender events: between the buyer and each supplier named in them (pairs), sealed from other suppliers (visibility). */
export const TENDER_TYPES: ReadonlySet<string> = new Set([
  'TenderOpened',
  'SuppliersInvited',
  'BidSubmitted',
  'BidWithdrawn',
  'TenderClosed',
  'BidEvaluated',
  'TenderAwarded',
  'TenderCancelled',
  'TenderDocumentAttached',
  'ClarificationRequested',
  'ClarificationAnswered',
  'AwardComplaintFiled',
  'AwardComplaintResolved',
  'AwardAnnulled',
  'AwardFinalised',
  'LotCancelled',
]);

/** A pair is stored once, smallest id first. */
export function pairKey(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/**
 * The pairs of companies an event concerns: every pair of its parties — so a resale through an
 * intermediary links maker, intermediary and buyer — except in tenders, where the invited
 * suppliers are competitors, not partners: there each supplier pairs with the buyer only.
 */
export function pairsOf(event: Pick<TimelineEvent, 'type' | 'parties' | 'data'>): [string, string][] {
  const parties = [...new Set(event.parties)];
  const pairs = new Map<string, [string, string]>();
  const add = (a: string, b: string) => {
    if (a === b) return;
    const k = pairKey(a, b);
    pairs.set(k.join(':'), k);
  };
  if (TENDER_TYPES.has(event.type) && typeof event.data?.buyerId === 'string') {
    for (const p of parties) add(event.data.buyerId, p);
  } else {
    for (let i = 0; i < parties.length; i++) for (let j = i + 1; j < parties.length; j++) add(parties[i], parties[j]);
  }
  return [...pairs.values()];
}
