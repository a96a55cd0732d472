import { sum } from '@dealledger/domain';
import type { TimelineEvent } from './timeline-event';

/** What happened between two companies, as counts and sums; amounts per currency. */
export interface RelationshipSummary {
  since: string | null;
  lastActivity: string | null;
  events: number;
  offers: { made: number; accepted: number; rejected: number; withdrawn: number; expired: number };
  tenders: { invited: number; bid: number; won: number; lost: number };
  contracts: { executed: number; value: Record<string, string>; renewals: number; terminated: number };
  callOffs: { count: number; volume: number; value: Record<string, string> };
  resales: { count: number; volume: number; throughIntermediaries: number };
  tickets: { opened: number; resolved: number; closed: number };
  sla: { met: number; breached: number; compliancePercent: number | null };
  satisfaction: { ratings: number; average: number | null };
}

const add = (m: Record<string, string>, currency: string, amount: string) => {
  m[currency] = sum([m[currency] ?? '0', amount]);
};
const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Folds a pair's events (in timeline order) into its summary. Pure: the same events always
 * give the same summary, which is what makes "as of" a filter on the events. `pair` says whose
 * wins and losses a tender award is (its parties include the competitors).
 */
export function summarize(events: TimelineEvent[], pair?: [string, string]): RelationshipSummary {
  const s: RelationshipSummary = {
    since: null,
    lastActivity: null,
    events: 0,
    offers: { made: 0, accepted: 0, rejected: 0, withdrawn: 0, expired: 0 },
    tenders: { invited: 0, bid: 0, won: 0, lost: 0 },
    contracts: { executed: 0, value: {}, renewals: 0, terminated: 0 },
    callOffs: { count: 0, volume: 0, value: {} },
    resales: { count: 0, volume: 0, throughIntermediaries: 0 },
    tickets: { opened: 0, resolved: 0, closed: 0 },
    sla: { met: 0, breached: 0, compliancePercent: null },
    satisfaction: { ratings: 0, average: null },
  };
  const submittedOffers = new Set<string>();
  const biddenTenders = new Set<string>();
  /** Each SLA deadline counts once: `ticket:kind:due` -> met or missed. */
  const deadlines = new Map<string, 'met' | 'missed'>();
  const resolutionDue = new Map<string, string>();
  let satisfactionTotal = 0;

  for (const e of events) {
    const d = e.data;
    s.events += 1;
    s.since ??= e.occurredAt;
    s.lastActivity = e.occurredAt;
    switch (e.type) {
      case 'OfferSubmitted':
        submittedOffers.add(d.offerId);
        s.offers.made = submittedOffers.size;
        break;
      case 'OfferAccepted':
        s.offers.accepted += 1;
        break;
      case 'OfferRejected':
        s.offers.rejected += 1;
        break;
      case 'OfferWithdrawn':
        s.offers.withdrawn += 1;
        break;
      case 'OfferExpired':
        s.offers.expired += 1;
        break;
      case 'SuppliersInvited':
        // Once per invitation of the pair's supplier (older events named everyone invited so far).
        if (!pair || d.supplierIds.some((id: string) => pair.includes(id))) s.tenders.invited += 1;
        break;
      case 'BidSubmitted':
        biddenTenders.add(d.tenderId);
        s.tenders.bid = biddenTenders.size;
        break;
      case 'TenderAwarded': {
        const bidders: string[] = d.ranking.map((r: { supplierId: string }) => r.supplierId);
        const inPair = (pair ?? e.parties).filter((p) => p !== d.buyerId);
        // In a pair (buyer, supplier) this is a win or a loss for that supplier.
        if (inPair.includes(d.supplierId) && bidders.includes(d.supplierId)) s.tenders.won += 1;
        s.tenders.lost += inPair.filter((p) => p !== d.supplierId && bidders.includes(p)).length;
        break;
      }
      case 'ContractExecuted':
        s.contracts.executed += 1;
        add(s.contracts.value, d.terms.currency, d.contractValue);
        break;
      case 'ContractRenewed':
        s.contracts.renewals += 1;
        break;
      case 'ContractTerminated':
        s.contracts.terminated += 1;
        break;
      case 'CallOffPlaced':
        s.callOffs.count += 1;
        for (const l of d.lines) s.callOffs.volume += l.quantity;
        add(s.callOffs.value, d.currency, d.total);
        break;
      case 'LotResold':
        s.resales.count += 1;
        // As the maker sees a resale between others: that it happened, not how much moved.
        if (typeof d.quantity === 'number') s.resales.volume += d.quantity;
        if (d.ownerId !== d.originSupplierId) s.resales.throughIntermediaries += 1;
        break;
      case 'TicketOpened':
        s.tickets.opened += 1;
        resolutionDue.set(d.ticketId, d.resolutionDueAt);
        break;
      case 'TicketReopened':
        resolutionDue.set(d.ticketId, d.resolutionDueAt);
        break;
      case 'TicketAcknowledged': {
        const k = `${d.ticketId}:response`;
        if (!deadlines.has(k)) deadlines.set(k, d.withinSla ? 'met' : 'missed');
        break;
      }
      case 'TicketResolved': {
        s.tickets.resolved += 1;
        const k = `${d.ticketId}:resolution:${resolutionDue.get(d.ticketId)}`;
        if (!deadlines.has(k)) deadlines.set(k, d.withinSla ? 'met' : 'missed');
        break;
      }
      case 'SlaBreached': {
        const k = d.kind === 'response' ? `${d.ticketId}:response` : `${d.ticketId}:resolution:${d.dueAt}`;
        deadlines.set(k, 'missed');
        break;
      }
      case 'TicketClosed':
        s.tickets.closed += 1;
        s.satisfaction.ratings += 1;
        satisfactionTotal += d.satisfaction;
        break;
    }
  }
  const outcomes = [...deadlines.values()];
  s.sla.met = outcomes.filter((o) => o === 'met').length;
  s.sla.breached = outcomes.length - s.sla.met;
  s.sla.compliancePercent = outcomes.length ? round2((100 * s.sla.met) / outcomes.length) : null;
  s.satisfaction.average = s.satisfaction.ratings ? round2(satisfactionTotal / s.satisfaction.ratings) : null;
  return s;
}
