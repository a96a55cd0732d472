import { fold } from '@dealledger/domain';
import { RankedBid, TenderEvent } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import type { Requester } from '@dealledger/domain';
import { LotAward, lotKey, lotsOf, maySee, rank, tenderDecider, TenderState } from './tender.decider';
import { TenderErrors } from './tender.errors';

export const tenderStreamId = (tenderId: string) => `tender-${tenderId}`;

export async function loadTender(store: PostgresEventStore, tenderId: string): Promise<{ state: TenderState; version: number }> {
  const recorded = await store.readStream(tenderStreamId(tenderId));
  return {
    state: fold(
      tenderDecider,
      recorded.map((r) => ({ type: r.type, data: r.data }) as TenderEvent),
    ),
    version: recorded.length,
  };
}

/**
 * A bidder sees its own rank, not its rivals' totals and scores; once a public tender (or lot)
 * is awarded, also the winner's entry, as public procurement rules publish the award.
 */
function rankingFor(ranking: RankedBid[], winner: string | null, isBuyer: boolean, viewer: string) {
  if (isBuyer) return ranking;
  // Rank and total only: the scores behind them are the buyer's evaluation.
  return ranking.filter((r) => r.supplierId === viewer || r.supplierId === winner).map(({ supplierId, total, rank }) => ({ supplierId, total, rank }));
}

/**
 * The questions as `viewer` may read them: the buyer all, with who asked; anyone else the
 * answered ones without the asker (published to every possible bidder), and its own open ones.
 */
function clarificationsFor(state: Exclude<TenderState, { status: 'none' }>, isBuyer: boolean, viewer: string) {
  if (isBuyer) return state.clarifications;
  return state.clarifications
    .filter((q) => q.answer !== null || q.supplierId === viewer)
    .map(({ clarificationId, question, answer, supplierId }) => ({
      clarificationId,
      question,
      answer,
      ...(supplierId === viewer ? { askedByYou: true } : {}),
    }));
}

/**
 * An award as `viewer` may read it: a private tender's is the buyer's and the winner's business, a
 * public one's is published; the weighted score (the buyer's evaluation) and who awarded it stay
 * with the buyer. A complaint is between the buyer and the bidder who filed it.
 */
function awardFor(a: LotAward | undefined, publicProcurement: boolean, isBuyer: boolean, viewer: string) {
  if (!a) return {};
  const complaints = a.complaints.filter((c) => isBuyer || c.supplierId === viewer);
  if (isBuyer) return { award: a.award, complaints };
  if (!publicProcurement && a.award.supplierId !== viewer) return { complaints };
  const { weightedScore: _w, awardedBy: _b, ...published } = a.award;
  return { award: published, complaints };
}

/**
 * What a party sees, field by field (nothing internal is shown by default). Before close: the
 * buyer sees who has bid, a bidder its own bid id; no one sees a price. After close: the opened
 * bids (the buyer all of them, a bidder its own), the evaluations (buyer) and the ranking by
 * weighted total, with the award and complaints, per lot in a tender in lots.
 */
export function tenderView(state: TenderState, viewer: Requester, tenderId: string) {
  if (state.status === 'none' || !maySee(state, viewer.companyId)) throw TenderErrors.notFound(tenderId);
  const isBuyer = viewer.companyId === state.buyerId;
  const { status, buyerId, title, items, submissionDeadline, weights, publicProcurement, currency, procedure, standstillDays, documents } = state;
  const view = {
    status,
    tenderId: state.tenderId,
    buyerId,
    title,
    items,
    submissionDeadline,
    weights,
    publicProcurement,
    currency,
    procedure,
    standstillDays,
    documents,
    invited: isBuyer ? state.invited : state.invited.filter((id) => id === viewer.companyId),
    clarifications: clarificationsFor(state, isBuyer, viewer.companyId),
    ...(state.status === 'cancelled' ? { reason: state.reason } : {}),
  };
  if (!('opened' in state) || !state.opened) {
    const bids = Object.entries(state.bids)
      .filter(([supplierId]) => isBuyer || supplierId === viewer.companyId)
      .map(([supplierId, b]) => ({ supplierId, bidId: b.bidId, contentHash: b.contentHash }));
    return { ...view, ...(state.lots.length ? { lots: state.lots } : {}), bids };
  }
  const evaluations = state.evaluations ?? [];
  const awards = state.awards ?? {};
  const cancelled = state.cancelledLots ?? [];
  const lots = lotsOf(state).map((lot) => {
    const a = awards[lotKey(lot.lotId)];
    const winner = a && publicProcurement ? a.award.supplierId : null;
    // An awarded lot's ranking is the one recorded with its award; the others rank live.
    const ranked = a ? a.awarded.ranking : rank({ opened: state.opened!, evaluations, weights, items }, lot);
    const cancellation = cancelled.find((c) => c.lotId === lot.lotId);
    return {
      ...lot,
      ranking: rankingFor(ranked, winner, isBuyer, viewer.companyId),
      ...awardFor(a, publicProcurement, isBuyer, viewer.companyId),
      ...(cancellation ? { cancelled: { reason: cancellation.reason } } : {}),
    };
  });
  const closed = {
    ...view,
    closedAt: state.closedAt,
    // A bidder's own bid without its price score (10 × lowest / own total would tell the lowest total).
    opened: isBuyer ? state.opened : state.opened.filter((b) => b.supplierId === viewer.companyId).map(({ priceScore: _p, ...b }) => b),
    evaluations: isBuyer ? evaluations : undefined,
  };
  // A tender awarded whole shows its one ranking and award at the top, as it always has.
  if (state.lots.length === 0) {
    const { lotId: _l, title: _t, itemIds: _i, ...whole } = lots[0];
    return { ...closed, ...whole };
  }
  return { ...closed, lots };
}
