import { summarize } from '../history/summary';
import type { TimelineEvent } from '../history/timeline-event';

export interface Criterion {
  /** 0-10, or null when there is nothing to judge by yet. */
  score: number | null;
  basis: Record<string, number | null>;
}

export interface Scorecard {
  supplierId: string;
  buyerId: string | null;
  criteria: { price: Criterion; quality: Criterion; reputation: Criterion; service: Criterion; partnership: Criterion; delivery: Criterion };
}

/** The formulas, as documented in the README and served in /docs. */
export const SCORECARD_FORMULAS = {
  price: 'average price score of the supplier’s bids in closed tenders (10 = lowest total, others 10 × lowest / total)',
  quality: '10 − 2 × tickets opened per executed contract, within 0..10',
  service: 'mean of SLA compliance % / 10 and average satisfaction × 2 (those that exist)',
  reputation:
    'mean of tender win rate × 10 (won / (won + lost), one per award, so per lot in a tender in lots; an annulled award counts neither) and average satisfaction across all buyers × 2 (those that exist)',
  partnership:
    '0.4 × min(10, 2 × years since the first event) + 0.4 × min(10, 2.5 × repeat contracts (executed contracts of distinct deals − 1: the lots of one tender are one deal)) + 0.2 × min(10, 5 × renewals); overall: the mean over buyers',
  delivery:
    'mean of on-time delivery % / 10, quantity accuracy % / 10, (100 − rejection rate %) / 10 and invoice accuracy % / 10 (those that exist); quantity accuracy: deliveries received exactly as dispatched; rejection rate: rejected / received quantity; invoice accuracy: invoices matched / issued',
} as const;

const round2 = (n: number) => Math.round(n * 100) / 100;
const clamp = (n: number) => Math.max(0, Math.min(10, n));
const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? round2(v.reduce((a, b) => a + b, 0) / v.length) : null;
};

/** The supplier's side of the events: as a supplier (not as a buyer), with `buyerId` if given. */
function asSupplier(events: TimelineEvent[], supplierId: string, buyerId: string | null): TimelineEvent[] {
  return events.filter((e) => {
    const d = e.data;
    if (buyerId && d.buyerId !== buyerId && d.ownerId !== buyerId) return false;
    if (e.type === 'TenderClosed') return d.bids.some((b: { supplierId: string }) => b.supplierId === supplierId);
    if (e.type === 'TenderAwarded' || e.type === 'AwardFinalised') return d.ranking.some((r: { supplierId: string }) => r.supplierId === supplierId);
    if (e.type === 'AwardAnnulled') return d.bidders.includes(supplierId);
    if (e.type === 'SuppliersInvited') return d.supplierIds.includes(supplierId);
    return d.supplierId === supplierId;
  });
}

function buyersOf(events: TimelineEvent[]): string[] {
  return [...new Set(events.map((e) => e.data.buyerId).filter((b): b is string => typeof b === 'string'))];
}

function partnership(events: TimelineEvent[], now: Date): Criterion {
  const s = summarize(events);
  if (!s.since) return { score: null, basis: { tenureYears: null, repeatContracts: null, renewals: null } };
  const tenureYears = round2((now.getTime() - Date.parse(s.since)) / (365.25 * 86400000));
  // Per deal: the contracts of one tender's lots are one deal, not repeat business.
  const deals = new Set(
    events.filter((e) => e.type === 'ContractExecuted').map((e) => (e.data.origin ? `${e.data.origin.kind}:${e.data.origin.id}` : e.data.contractId)),
  );
  const repeatContracts = Math.max(0, deals.size - 1);
  const score = round2(0.4 * Math.min(10, 2 * tenureYears) + 0.4 * Math.min(10, 2.5 * repeatContracts) + 0.2 * Math.min(10, 5 * s.contracts.renewals));
  return { score, basis: { tenureYears, repeatContracts, renewals: s.contracts.renewals } };
}

/**
 * A supplier's scorecard on the criteria buyers weigh (the five of a tender, and delivery after
 * the call-off), for one buyer or over all of them.
 * `events` are the timeline events of every pair the supplier is in (each event once).
 */
export function scorecard(events: TimelineEvent[], supplierId: string, buyerId: string | null, now: Date): Scorecard {
  const mine = asSupplier(events, supplierId, buyerId);
  const everywhere = asSupplier(events, supplierId, null);
  const s = summarize(mine);
  const across = summarize(everywhere);

  const priceScores = mine
    .filter((e) => e.type === 'TenderClosed')
    .flatMap((e) => e.data.bids.filter((b: { supplierId: string }) => b.supplierId === supplierId).map((b: { priceScore: number }) => b.priceScore));
  const price: Criterion = { score: priceScores.length ? mean(priceScores) : null, basis: { closedTendersBid: priceScores.length } };

  const ticketsPerContract = s.contracts.executed ? round2(s.tickets.opened / s.contracts.executed) : null;
  const quality: Criterion = {
    score: ticketsPerContract === null ? null : round2(clamp(10 - 2 * ticketsPerContract)),
    basis: { ticketsPerContract, contracts: s.contracts.executed },
  };

  const service: Criterion = {
    score: mean([s.sla.compliancePercent === null ? null : s.sla.compliancePercent / 10, s.satisfaction.average === null ? null : s.satisfaction.average * 2]),
    basis: { slaCompliancePercent: s.sla.compliancePercent, averageSatisfaction: s.satisfaction.average },
  };

  // Wins and losses from the supplier's point of view, counted once per award; an annulment takes
  // its award back (awards less annulments, whatever the order), so that a re-award counts once.
  let won = 0;
  let lost = 0;
  for (const e of mine.filter((x) => x.type === 'TenderAwarded' || x.type === 'AwardAnnulled')) {
    const sign = e.type === 'TenderAwarded' ? 1 : -1;
    if (e.data.supplierId === supplierId) won += sign;
    else lost += sign;
  }
  // Rounded for display only: the score keeps full precision until its own rounding (1/3 -> 3.33, not 3.3).
  const rate = won + lost ? won / (won + lost) : null;
  const winRate = rate === null ? null : round2(rate);
  const reputation: Criterion = {
    score: mean([rate === null ? null : rate * 10, across.satisfaction.average === null ? null : across.satisfaction.average * 2]),
    basis: { winRate, tendersWon: won, tendersLost: lost, satisfactionAcrossBuyers: across.satisfaction.average },
  };

  const f = s.fulfilment;
  const tenth = (p: number | null) => (p === null ? null : p / 10);
  const delivery: Criterion = {
    score: mean([
      tenth(f.deliveries.onTimePercent),
      tenth(f.deliveries.quantityAccuracyPercent),
      f.goods.rejectionRatePercent === null ? null : (100 - f.goods.rejectionRatePercent) / 10,
      tenth(f.invoices.accuracyPercent),
    ]),
    basis: {
      onTimeDeliveryPercent: f.deliveries.onTimePercent,
      quantityAccuracyPercent: f.deliveries.quantityAccuracyPercent,
      rejectionRatePercent: f.goods.rejectionRatePercent,
      invoiceAccuracyPercent: f.invoices.accuracyPercent,
    },
  };

  let partner: Criterion;
  if (buyerId) {
    partner = partnership(mine, now);
  } else {
    const perBuyer = buyersOf(mine).map((b) => partnership(asSupplier(events, supplierId, b), now));
    partner = { score: mean(perBuyer.map((p) => p.score)), basis: { buyers: perBuyer.length } };
  }

  return { supplierId, buyerId, criteria: { price, quality, reputation, service, partnership: partner, delivery } };
}
