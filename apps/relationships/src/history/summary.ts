import { addQuantities, compareQuantities, difference, normaliseQuantity, quantityFrom, ratio, sum, sumQuantities } from '@dealledger/domain';
import type { TimelineEvent } from './timeline-event';
import { eventAsSeenBy } from './visibility';
import { has } from './sparse';

/** What happened between two companies, as counts and sums; amounts per currency. */
export interface RelationshipSummary {
  since: string | null;
  lastActivity: string | null;
  events: number;
  offers: { made: number; accepted: number; rejected: number; withdrawn: number; expired: number };
  tenders: { invited: number; bid: number; won: number; lost: number };
  contracts: { executed: number; value: Record<string, string>; renewals: number; terminated: number };
  /** Volumes are exact decimal quantities ("1050.5"), summed over every unit alike. */
  callOffs: { count: number; volume: string; value: Record<string, string> };
  resales: { count: number; volume: string; throughIntermediaries: number };
  tickets: { opened: number; resolved: number; closed: number };
  sla: { met: number; breached: number; compliancePercent: number | null };
  satisfaction: { ratings: number; average: number | null };
  /** After the call-off: what buyers score suppliers on. Percentages are null with nothing to judge by. */
  fulfilment: FulfilmentSummary;
}

export interface FulfilmentSummary {
  /** Exact: every line received as dispatched. */
  deliveries: { dispatched: number; received: number; onTime: number; onTimePercent: number | null; exact: number; quantityAccuracyPercent: number | null };
  /** Exact decimal quantities, summed over every unit alike (as call-off volumes). */
  goods: { received: string; accepted: string; rejected: string; rejectionRatePercent: number | null };
  /** Accuracy: matched ÷ issued, withdrawn ones included. Value: gross of the invoices not withdrawn, per currency. */
  invoices: {
    issued: number;
    matched: number;
    disputed: number;
    withdrawn: number;
    paid: number;
    paidLate: number;
    accuracyPercent: number | null;
    value: Record<string, string>;
  };
}

const add = (m: Record<string, string>, currency: string, amount: string) => {
  m[currency] = sum([m[currency] ?? '0', amount]);
};
const round2 = (n: number) => Math.round(n * 100) / 100;
/**
 * A quantity as the read side may hold it: a decimal string, or an integer in a timeline row or
 * tally kept before quantities were decimal (events version 1; a rebuild rewrites those).
 */
const quantityOf = (q: unknown): string =>
  // A running total may outgrow what one event records (18 digits): read it as the sum it is.
  typeof q === 'string' && /^\d{1,40}(\.\d{1,4})?$/.test(q) ? normaliseQuantity(q) : (quantityFrom(q) ?? '0');

/**
 * What a summary is kept as between events: the figures plus what later events need to count
 * each thing once. Only plain JSON with order-free parts (sets and maps as objects, whose keys
 * jsonb sorts; first and last as min and max), so the same events give the same tally in any
 * order that keeps each stream's own order — as a live consumer and a rebuild see them.
 */
export interface Tally {
  since: string | null;
  lastActivity: string | null;
  events: number;
  offers: RelationshipSummary['offers'];
  tenders: RelationshipSummary['tenders'];
  contracts: RelationshipSummary['contracts'];
  callOffs: RelationshipSummary['callOffs'];
  resales: RelationshipSummary['resales'];
  tickets: RelationshipSummary['tickets'];
  satisfaction: { ratings: number; total: number };
  /** The outcomes in `deadlines`, counted as they change: the summary needs no walk over the set. */
  slaOutcomes: { met: number; missed: number };
  submittedOffers: Record<string, true>;
  biddenTenders: Record<string, true>;
  /** Each SLA deadline counts once: `ticket:kind:due` -> met or missed. */
  deadlines: Record<string, 'met' | 'missed'>;
  resolutionDue: Record<string, string>;
  /** Drafts a viewer other than the supplier may not see yet: counted once submitted. */
  hiddenDrafts: Record<string, string>;
  /** Absent from tallies kept before fulfilment events: read as empty. */
  fulfilment?: FulfilmentTally;
}

/** Fulfilment as kept between events: counts and sums, and what a withdrawal (which names only the invoice) takes back. */
interface FulfilmentTally {
  deliveries: { dispatched: number; received: number; onTime: number; exact: number };
  goods: { received: string; accepted: string; rejected: string };
  invoices: { issued: number; matched: number; disputed: number; withdrawn: number; paid: number; paidLate: number };
  gross: Record<string, { currency: string; gross: string }>;
  withdrawnInvoices: Record<string, true>;
  /** The gross of the invoices in `gross` not withdrawn, per currency, with how many there are, kept as they change. */
  value: Record<string, { gross: string; invoices: number }>;
}

const emptyFulfilment = (): FulfilmentTally => ({
  deliveries: { dispatched: 0, received: 0, onTime: 0, exact: 0 },
  goods: { received: '0', accepted: '0', rejected: '0' },
  invoices: { issued: 0, matched: 0, disputed: 0, withdrawn: 0, paid: 0, paidLate: 0 },
  gross: {},
  withdrawnInvoices: {},
  value: {},
});

export function emptyTally(): Tally {
  return {
    since: null,
    lastActivity: null,
    events: 0,
    offers: { made: 0, accepted: 0, rejected: 0, withdrawn: 0, expired: 0 },
    tenders: { invited: 0, bid: 0, won: 0, lost: 0 },
    contracts: { executed: 0, value: {}, renewals: 0, terminated: 0 },
    callOffs: { count: 0, volume: '0', value: {} },
    resales: { count: 0, volume: '0', throughIntermediaries: 0 },
    tickets: { opened: 0, resolved: 0, closed: 0 },
    satisfaction: { ratings: 0, total: 0 },
    slaOutcomes: { met: 0, missed: 0 },
    submittedOffers: {},
    biddenTenders: {},
    deadlines: {},
    resolutionDue: {},
    hiddenDrafts: {},
    fulfilment: emptyFulfilment(),
  };
}

const seen = (t: Tally, occurredAt: string) => {
  t.events += 1;
  if (t.since === null || occurredAt < t.since) t.since = occurredAt;
  if (t.lastActivity === null || occurredAt > t.lastActivity) t.lastActivity = occurredAt;
};

/**
 * Adds one event (as its viewer may see it) to a pair's tally, in place. `pair` says whose wins
 * and losses a tender award is (its parties include the competitors).
 */
export function tally(s: Tally, e: TimelineEvent, pair?: [string, string]): Tally {
  const d = e.data;
  seen(s, e.occurredAt);
  switch (e.type) {
    // Counted as the set grows (not by its size): a stored tally holds only the members an event needs.
    case 'OfferSubmitted':
      if (!has(s.submittedOffers, d.offerId)) s.offers.made += 1;
      s.submittedOffers[d.offerId] = true;
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
      if (!has(s.biddenTenders, d.tenderId)) s.tenders.bid += 1;
      s.biddenTenders[d.tenderId] = true;
      break;
    // An annulment takes back what its award counted, so that a re-award counts once; sums stay
    // order-free. A final award (AwardFinalised) was counted when awarded.
    case 'TenderAwarded':
    case 'AwardAnnulled': {
      const sign = e.type === 'TenderAwarded' ? 1 : -1;
      const bidders: string[] = e.type === 'TenderAwarded' ? d.ranking.map((r: { supplierId: string }) => r.supplierId) : d.bidders;
      const inPair = (pair ?? e.parties).filter((p) => p !== d.buyerId);
      // In a pair (buyer, supplier) this is a win or a loss for that supplier.
      if (inPair.includes(d.supplierId) && bidders.includes(d.supplierId)) s.tenders.won += sign;
      s.tenders.lost += sign * inPair.filter((p) => p !== d.supplierId && bidders.includes(p)).length;
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
      s.callOffs.volume = sumQuantities([quantityOf(s.callOffs.volume), ...d.lines.map((l: { quantity: unknown }) => quantityOf(l.quantity))]);
      add(s.callOffs.value, d.currency, d.total);
      break;
    case 'LotResold':
      s.resales.count += 1;
      // As the maker sees a resale between others: that it happened, not how much moved.
      if (d.quantity !== undefined) s.resales.volume = addQuantities(quantityOf(s.resales.volume), quantityOf(d.quantity));
      if (d.ownerId !== d.originSupplierId) s.resales.throughIntermediaries += 1;
      break;
    case 'TicketOpened':
      s.tickets.opened += 1;
      s.resolutionDue[d.ticketId] = d.resolutionDueAt;
      break;
    case 'TicketReopened':
      s.resolutionDue[d.ticketId] = d.resolutionDueAt;
      break;
    case 'TicketAcknowledged':
      deadline(s, `${d.ticketId}:response`, d.withinSla ? 'met' : 'missed', false);
      break;
    case 'TicketResolved':
      s.tickets.resolved += 1;
      deadline(s, `${d.ticketId}:resolution:${s.resolutionDue[d.ticketId]}`, d.withinSla ? 'met' : 'missed', false);
      break;
    case 'SlaBreached':
      deadline(s, d.kind === 'response' ? `${d.ticketId}:response` : `${d.ticketId}:resolution:${d.dueAt}`, 'missed', true);
      break;
    case 'TicketClosed':
      s.tickets.closed += 1;
      s.satisfaction.ratings += 1;
      s.satisfaction.total += d.satisfaction;
      break;
    case 'DeliveryDispatched':
    case 'GoodsReceived':
    case 'InvoiceIssued':
    case 'InvoiceWithdrawn':
    case 'InvoicePaid':
      tallyFulfilment((s.fulfilment ??= emptyFulfilment()), e);
      break;
  }
  return s;
}

/** Records a deadline's outcome (once, unless `overwrite`), keeping `slaOutcomes` in step. */
function deadline(s: Tally, k: string, outcome: 'met' | 'missed', overwrite: boolean): void {
  const before = has(s.deadlines, k) ? s.deadlines[k] : undefined;
  if ((before !== undefined && !overwrite) || before === outcome) return;
  if (before !== undefined) s.slaOutcomes[before] -= 1;
  s.deadlines[k] = outcome;
  s.slaOutcomes[outcome] += 1;
}

/** An invoice's gross into (sign 1) or out of (-1) the value not withdrawn. */
function addValue(f: FulfilmentTally, i: { currency: string; gross: string }, sign: 1 | -1): void {
  const v = has(f.value, i.currency) ? f.value[i.currency] : { gross: '0', invoices: 0 };
  const next = { gross: sign > 0 ? sum([v.gross, i.gross]) : difference(v.gross, i.gross), invoices: v.invoices + sign };
  if (next.invoices === 0) delete f.value[i.currency];
  else f.value[i.currency] = next;
}

type ReceiptLine = { dispatched: string; received: string; accepted: string; rejected: string };

function tallyFulfilment(f: FulfilmentTally, e: TimelineEvent): void {
  const d = e.data;
  switch (e.type) {
    case 'DeliveryDispatched':
      f.deliveries.dispatched += 1;
      break;
    case 'GoodsReceived': {
      const lines: ReceiptLine[] = d.lines;
      f.deliveries.received += 1;
      if (d.onTime) f.deliveries.onTime += 1;
      if (lines.every((l) => compareQuantities(l.received, l.dispatched) === 0)) f.deliveries.exact += 1;
      for (const k of ['received', 'accepted', 'rejected'] as const) f.goods[k] = sumQuantities([f.goods[k], ...lines.map((l) => l[k])]);
      break;
    }
    case 'InvoiceIssued':
      f.invoices.issued += 1;
      f.invoices[d.status === 'matched' ? 'matched' : 'disputed'] += 1;
      if (!has(f.withdrawnInvoices, d.invoiceId)) {
        if (has(f.gross, d.invoiceId)) addValue(f, f.gross[d.invoiceId], -1);
        addValue(f, { currency: d.currency, gross: d.gross }, 1);
      }
      f.gross[d.invoiceId] = { currency: d.currency, gross: d.gross };
      break;
    case 'InvoiceWithdrawn':
      f.invoices.withdrawn += 1;
      if (!has(f.withdrawnInvoices, d.invoiceId) && has(f.gross, d.invoiceId)) addValue(f, f.gross[d.invoiceId], -1);
      f.withdrawnInvoices[d.invoiceId] = true;
      break;
    case 'InvoicePaid':
      f.invoices.paid += 1;
      if (d.late) f.invoices.paidLate += 1;
      break;
  }
}

/**
 * One event into the tally of `viewer`'s side of a pair, as `asSeenBy` would show it to them.
 * A draft is the supplier's until submitted: another viewer counts it when the submission comes.
 */
export function tallyAsSeenBy(t: Tally, e: TimelineEvent, viewer: string, pair: [string, string]): Tally {
  if (e.type === 'OfferDrafted' && e.data.supplierId !== viewer && !t.submittedOffers[e.data.offerId]) {
    t.hiddenDrafts[e.data.offerId] = e.occurredAt;
    return t;
  }
  // Withdrawn or expired before it was ever submitted: the buyer never learns of it.
  if ((e.type === 'OfferWithdrawn' || e.type === 'OfferExpired') && e.data.supplierId !== viewer && !t.submittedOffers[e.data.offerId]) return t;
  if (e.type === 'OfferSubmitted' && e.data.offerId in t.hiddenDrafts) {
    seen(t, t.hiddenDrafts[e.data.offerId]);
    delete t.hiddenDrafts[e.data.offerId];
  }
  // Drafts are handled above; every other rule of asSeenBy looks at the one event alone.
  const shown = e.type === 'OfferDrafted' ? [e] : eventAsSeenBy(e, viewer, (offerId) => t.submittedOffers[offerId] === true);
  for (const v of shown) tally(t, v, pair);
  return t;
}

/**
 * A kept summary with its volumes as decimal strings, also one kept before they were (integers,
 * until a rebuild), and with fulfilment figures, empty in one kept before there were any.
 */
export function withDecimalVolumes(s: RelationshipSummary): RelationshipSummary {
  return {
    ...s,
    callOffs: { ...s.callOffs, volume: quantityOf(s.callOffs.volume) },
    resales: { ...s.resales, volume: quantityOf(s.resales.volume) },
    fulfilment: s.fulfilment ?? fulfilmentOf(emptyFulfilment()),
  };
}

const percent = (part: number, whole: number) => (whole ? round2((100 * part) / whole) : null);

function fulfilmentOf(f: FulfilmentTally): FulfilmentSummary {
  const { deliveries, goods, invoices } = f;
  const value: Record<string, string> = {};
  for (const [currency, v] of Object.entries(f.value)) value[currency] = v.gross;
  return {
    deliveries: {
      ...deliveries,
      onTimePercent: percent(deliveries.onTime, deliveries.received),
      quantityAccuracyPercent: percent(deliveries.exact, deliveries.received),
    },
    // Most pairs have received nothing, kept as '0' (an empty tally's): no decimal to parse then.
    goods: {
      ...goods,
      rejectionRatePercent: goods.received !== '0' && compareQuantities(goods.received, '0') > 0 ? round2(100 * ratio(goods.rejected, goods.received)) : null,
    },
    invoices: { ...invoices, accuracyPercent: percent(invoices.matched, invoices.issued), value },
  };
}

/**
 * The tally with its counts made again from its sets: for tallies kept before the counts were
 * (a migration), and as the property the counts keep (they always equal this).
 */
export function recount(t: Tally): Tally {
  const outcomes = Object.values(t.deadlines);
  const fulfilment = t.fulfilment ?? emptyFulfilment();
  const value: FulfilmentTally['value'] = {};
  for (const [id, i] of Object.entries(fulfilment.gross))
    if (!has(fulfilment.withdrawnInvoices, id)) {
      const v = value[i.currency] ?? { gross: '0', invoices: 0 };
      value[i.currency] = { gross: sum([v.gross, i.gross]), invoices: v.invoices + 1 };
    }
  return {
    ...t,
    offers: { ...t.offers, made: Object.keys(t.submittedOffers).length },
    tenders: { ...t.tenders, bid: Object.keys(t.biddenTenders).length },
    slaOutcomes: { met: outcomes.filter((o) => o === 'met').length, missed: outcomes.filter((o) => o === 'missed').length },
    fulfilment: { ...fulfilment, value },
  };
}

/** The figures of a tally. */
export function summaryOf(t: Tally): RelationshipSummary {
  const { met, missed } = t.slaOutcomes;
  return {
    since: t.since,
    lastActivity: t.lastActivity,
    events: t.events,
    offers: t.offers,
    tenders: t.tenders,
    contracts: t.contracts,
    callOffs: { ...t.callOffs, volume: quantityOf(t.callOffs.volume) },
    resales: { ...t.resales, volume: quantityOf(t.resales.volume) },
    tickets: t.tickets,
    sla: { met, breached: missed, compliancePercent: met + missed ? round2((100 * met) / (met + missed)) : null },
    satisfaction: { ratings: t.satisfaction.ratings, average: t.satisfaction.ratings ? round2(t.satisfaction.total / t.satisfaction.ratings) : null },
    fulfilment: fulfilmentOf(t.fulfilment ?? emptyFulfilment()),
  };
}

/**
 * Folds a pair's events (in timeline order) into its summary. Pure: the same events always
 * give the same summary, which is what makes "as of" a filter on the events.
 */
export function summarize(events: TimelineEvent[], pair?: [string, string]): RelationshipSummary {
  const t = emptyTally();
  for (const e of events) tally(t, e, pair);
  return summaryOf(t);
}
