import { fold } from '@dealledger/domain';
import { TenderEvent } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import type { Requester } from '@dealledger/domain';
import { Award, Complaint, maySee, rank, tenderDecider, TenderState } from './tender.decider';
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
 * What a party sees. Before close: the buyer sees who has bid, a bidder its own bid id; no
 * one sees a price. After close: the opened bids (the buyer all of them, a bidder its own),
 * the evaluations (buyer) and the ranking by weighted total (every party).
 */
/**
 * A bidder sees its own rank, not its rivals' totals and scores; once a public tender is
 * awarded, also the winner's entry, as public procurement rules publish the award.
 */
function rankingFor<R extends { supplierId: string; total: string; rank: number }>(state: TenderState, ranking: R[], isBuyer: boolean, viewer: string) {
  if (isBuyer) return ranking;
  const winner = state.status === 'awarded' && state.publicProcurement ? state.award.supplierId : null;
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

export function tenderView(state: TenderState, viewer: Requester, tenderId: string) {
  if (state.status === 'none' || !maySee(state, viewer.companyId)) throw TenderErrors.notFound(tenderId);
  const isBuyer = viewer.companyId === state.buyerId;
  const { bids, interested: _interested, clarifications: _clarifications, ...rest } = state;
  // The award event itself holds every bidder's ranking: the view shows it as rankingFor allows.
  const { awarded: _awarded, complaints: allComplaints, ...facts } = rest as typeof rest & { awarded?: unknown; complaints?: Complaint[] };
  const clarifications = clarificationsFor(state, isBuyer, viewer.companyId);
  // A complaint is between the buyer and the bidder who filed it.
  const complaints = allComplaints?.filter((c) => isBuyer || c.supplierId === viewer.companyId);
  const sealedBids = Object.entries(bids)
    .filter(([supplierId]) => isBuyer || supplierId === viewer.companyId)
    .map(([supplierId, b]) => ({ supplierId, bidId: b.bidId, contentHash: b.contentHash }));
  // A private tender's award is the buyer's and the winner's business; a public one's is published.
  const shownAward =
    'award' in facts && !isBuyer && !facts.publicProcurement && facts.award.supplierId !== viewer.companyId ? undefined : (facts as { award?: Award }).award;
  // The weighted score is the buyer's evaluation, and who awarded one of its people: a published award names winner and value.
  const award = shownAward && !isBuyer ? (({ weightedScore: _w, awardedBy: _b, ...published }) => published)(shownAward) : shownAward;
  const invited = isBuyer ? state.invited : state.invited.filter((id) => id === viewer.companyId);
  const view = { ...facts, award, invited, clarifications, ...(complaints ? { complaints } : {}) };
  if (!('opened' in state) || !state.opened) return { ...view, bids: sealedBids };
  const evaluations = state.evaluations ?? [];
  return {
    ...view,
    // A bidder's own bid without its price score (10 × lowest / own total would tell the lowest total).
    opened: isBuyer ? state.opened : state.opened.filter((b) => b.supplierId === viewer.companyId).map(({ priceScore: _p, ...b }) => b),
    evaluations: isBuyer ? evaluations : undefined,
    ranking: rankingFor(state, rank({ opened: state.opened, evaluations, weights: state.weights }), isBuyer, viewer.companyId),
  };
}
