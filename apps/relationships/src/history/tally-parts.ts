import type { Tally } from './summary';
import type { TimelineEvent } from './timeline-event';
import { has, put } from './sparse';

/**
 * A tally in two parts: its counts and sums, and the members of its sets, filed under the offer,
 * tender, ticket or invoice each is about. The sets grow with a pair's history (every offer
 * submitted, every invoice), and stored in the tally's row they made every event rewrite them
 * all: a pair with thousands of offers wrote a tally of hundreds of kilobytes per event. Kept
 * apart, an event reads and writes only the members of what it names (`entitiesOf`), and the
 * counts are kept as the sets change (see `recount`), so nothing needs a whole set.
 */

/** A tally's members about one thing: set name -> key -> value (`fulfilment.gross`, `deadlines`...). */
export type Members = Record<string, Record<string, unknown>>;

const SETS = ['submittedOffers', 'biddenTenders', 'deadlines', 'resolutionDue', 'hiddenDrafts'] as const;
const FULFILMENT_SETS = ['gross', 'withdrawnInvoices'] as const;
/** What an event names: the things whose members it may read or change. */
const ENTITY_FIELDS = ['offerId', 'tenderId', 'ticketId', 'invoiceId'];

/** A deadline is filed under its ticket (`<ticket>:response`, `<ticket>:resolution:<due>`); every other key is the thing's id. */
const entityOfKey = (set: string, key: string) => (set === 'deadlines' && key.includes(':') ? key.slice(0, key.indexOf(':')) : key);

/** The things an event names; the tally's rules read and write the members of these only. */
export function entitiesOf(e: TimelineEvent): string[] {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  for (const f of ENTITY_FIELDS) if (typeof d[f] === 'string' && !out.includes(d[f] as string)) out.push(d[f] as string);
  return out;
}

/** The tally without its sets' members (what its row keeps), and the members by thing. */
export function splitTally(t: Tally): { counts: Tally; members: Map<string, Members> } {
  const members = new Map<string, Members>();
  const file = (set: string, source: Record<string, unknown>) => {
    for (const key of Object.keys(source)) {
      const entity = entityOfKey(set, key);
      const m = members.get(entity) ?? members.set(entity, {}).get(entity)!;
      if (!has(m, set)) m[set] = {};
      put(m[set], key, source[key]);
    }
  };
  for (const set of SETS) file(set, t[set]);
  if (t.fulfilment) for (const set of FULFILMENT_SETS) file(`fulfilment.${set}`, t.fulfilment[set]);
  const counts: Tally = { ...t, submittedOffers: {}, biddenTenders: {}, deadlines: {}, resolutionDue: {}, hiddenDrafts: {} };
  if (t.fulfilment) counts.fulfilment = { ...t.fulfilment, gross: {}, withdrawnInvoices: {} };
  return { counts, members };
}

/** `counts` (a tally read from its row, its sets empty) with `members` put back in its sets, in place. */
export function joinTally(counts: Tally, members: Iterable<Members>): Tally {
  for (const m of members)
    for (const set of Object.keys(m)) {
      const target = (
        set.startsWith('fulfilment.')
          ? counts.fulfilment?.[set.slice('fulfilment.'.length) as (typeof FULFILMENT_SETS)[number]]
          : counts[set as (typeof SETS)[number]]
      ) as Record<string, unknown> | undefined;
      if (!target || !has(m, set)) continue;
      for (const key of Object.keys(m[set])) put(target, key, m[set][key]);
    }
  return counts;
}
