import { Decider, isDecimal, lineTotal, normaliseQuantity, ratio, sum, toUnits } from '@dealledger/domain';
import type {
  BidEvaluatedV1,
  BidPrice,
  CriteriaScores,
  CriteriaWeights,
  DocumentRef,
  OpenedBid,
  RankedBid,
  SealedContent,
  TenderEvent,
  TenderItemV2,
} from '@dealledger/events';
import type { Requester } from '@dealledger/domain';
import type {
  AttachTenderDocument,
  AwardTender,
  CancelTender,
  CloseTender,
  EvaluateBid,
  InviteSuppliers,
  OpenTender,
  SubmitBid,
  TenderCommand,
  WithdrawBid,
} from './tender.commands';
import { TenderErrors } from './tender.errors';

interface SealedBid {
  bidId: string;
  contentHash: string;
  sealed: SealedContent;
}

/** At most this many documents per tender. */
export const MAX_TENDER_DOCUMENTS = 20;

export type AttachedDocument = DocumentRef & { attachedBy: string };

interface TenderFacts {
  tenderId: string;
  buyerId: string;
  title: string;
  items: TenderItemV2[];
  submissionDeadline: string;
  weights: CriteriaWeights;
  publicProcurement: boolean;
  currency: string;
  invited: string[];
  /** The current sealed bid per supplier (a resubmission replaces it). */
  bids: Record<string, SealedBid>;
  /** Specifications and drawings the buyer attached, oldest first. */
  documents: AttachedDocument[];
}

interface ClosedFacts extends TenderFacts {
  closedAt: string;
  opened: OpenedBid[];
  evaluations: BidEvaluatedV1[];
}

export type TenderState =
  | { status: 'none' }
  | (TenderFacts & { status: 'open' })
  | (ClosedFacts & { status: 'closed' })
  | (ClosedFacts & { status: 'awarded'; award: { supplierId: string; bidId: string; total: string; weightedScore: number; awardedBy: string } })
  | (TenderFacts & Partial<ClosedFacts> & { status: 'cancelled'; reason: string });

export const initialState: TenderState = { status: 'none' };

export function evolve(state: TenderState, event: TenderEvent): TenderState {
  switch (event.type) {
    case 'TenderOpened': {
      const { tenderId, buyerId, title, items, submissionDeadline, weights, publicProcurement, currency } = event.data;
      return {
        status: 'open',
        tenderId,
        buyerId,
        title,
        items,
        submissionDeadline,
        weights,
        publicProcurement,
        currency,
        invited: [],
        bids: {},
        documents: [],
      };
    }
    case 'SuppliersInvited':
      return state.status === 'open' ? { ...state, invited: [...state.invited, ...event.data.supplierIds] } : state;
    case 'BidSubmitted': {
      if (state.status !== 'open') return state;
      const { supplierId, bidId, contentHash, sealed } = event.data;
      return { ...state, bids: { ...state.bids, [supplierId]: { bidId, contentHash, sealed } } };
    }
    case 'BidWithdrawn': {
      if (state.status !== 'open') return state;
      const { [event.data.supplierId]: _, ...bids } = state.bids;
      return { ...state, bids };
    }
    case 'TenderClosed':
      return state.status === 'open' ? { ...state, status: 'closed', closedAt: event.data.closedAt, opened: event.data.bids, evaluations: [] } : state;
    case 'BidEvaluated': {
      if (state.status !== 'closed') return state;
      const others = state.evaluations.filter((e) => !(e.evaluatorId === event.data.evaluatorId && e.supplierId === event.data.supplierId));
      return { ...state, evaluations: [...others, event.data] };
    }
    case 'TenderAwarded': {
      if (state.status !== 'closed') return state;
      const { supplierId, bidId, total, weightedScore, awardedBy } = event.data;
      return { ...state, status: 'awarded', award: { supplierId, bidId, total, weightedScore, awardedBy } };
    }
    case 'TenderCancelled':
      return state.status === 'none' ? state : { ...state, status: 'cancelled', reason: event.data.reason };
    case 'TenderDocumentAttached':
      return state.status === 'open' ? { ...state, documents: [...state.documents, { ...event.data.document, attachedBy: event.data.attachedBy }] } : state;
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const CRITERIA = ['quality', 'reputation', 'service', 'partnership'] as const;

/** Sum of quantity x unit price over the tender's items (each line rounded half-up to 4 decimals). */
export function bidTotal(items: TenderItemV2[], prices: BidPrice[]): string {
  return sum(items.map((item) => lineTotal(item.quantity, prices.find((p) => p.itemId === item.itemId)!.unitPrice)));
}

/** The lowest total gets 10; others 10 x lowest / total. */
export function priceScores(totals: string[]): number[] {
  if (totals.length === 0) return [];
  const lowest = totals.reduce((a, b) => (toUnits(a) <= toUnits(b) ? a : b));
  return totals.map((t) => round2(10 * ratio(lowest, t)));
}

/**
 * Every opened bid with its price score, its evaluators' average scores and the weighted
 * total (0-10) over the tender's criteria weights; ranked best first, unevaluated last.
 */
export function rank(state: { opened: OpenedBid[]; evaluations: BidEvaluatedV1[]; weights: CriteriaWeights }): RankedBid[] {
  const rows = state.opened.map((bid) => {
    const mine = state.evaluations.filter((e) => e.supplierId === bid.supplierId);
    const averages = mine.length
      ? (Object.fromEntries(CRITERIA.map((c) => [c, round2(mine.reduce((a, e) => a + e.scores[c], 0) / mine.length)])) as unknown as CriteriaScores)
      : null;
    const w = state.weights;
    const weightedScore = averages
      ? round2(
          (bid.priceScore * w.price +
            averages.quality * w.quality +
            averages.reputation * w.reputation +
            averages.service * w.service +
            averages.partnership * w.partnership) /
            100,
        )
      : null;
    return { supplierId: bid.supplierId, bidId: bid.bidId, total: bid.total, priceScore: bid.priceScore, averages, weightedScore };
  });
  rows.sort((a, b) => (b.weightedScore ?? -1) - (a.weightedScore ?? -1) || Number(toUnits(a.total) - toUnits(b.total)));
  return rows.map((r, i) => ({ ...r, rank: i + 1 }));
}

type Existing = Exclude<TenderState, { status: 'none' }>;

function visible(state: TenderState, tenderId: string, r: Requester): Existing {
  if (state.status === 'none' || (r.companyId !== state.buyerId && !state.invited.includes(r.companyId))) throw TenderErrors.notFound(tenderId);
  return state;
}
function hasStatus<S extends Existing['status']>(state: Existing, statuses: readonly S[]): state is Extract<Existing, { status: S }> {
  return (statuses as readonly string[]).includes(state.status);
}
function expect<S extends Existing['status']>(state: Existing, action: string, ...statuses: S[]): Extract<Existing, { status: S }> {
  if (!hasStatus(state, statuses)) throw TenderErrors.invalidTransition(action, state.status);
  return state;
}
const byBuyer = (s: Existing, r: Requester) => {
  if (r.companyId !== s.buyerId) throw TenderErrors.notBuyer();
};
const beforeDeadline = (s: TenderFacts, now: Date) => {
  if (now.getTime() >= Date.parse(s.submissionDeadline)) throw TenderErrors.deadlinePassed(s.submissionDeadline);
};
const ref = (s: TenderFacts) => ({ tenderId: s.tenderId, buyerId: s.buyerId });

function open(c: OpenTender, state: TenderState): TenderEvent[] {
  if (state.status !== 'none') throw TenderErrors.alreadyExists(c.tenderId);
  if (c.requester.companyId !== c.buyerId) throw TenderErrors.notBuyer();
  const total = c.weights.price + c.weights.quality + c.weights.reputation + c.weights.service + c.weights.partnership;
  if (total !== 100) throw TenderErrors.weights(total);
  if (Date.parse(c.submissionDeadline) <= c.now.getTime()) throw TenderErrors.deadlineInPast();
  const ids = new Set<string>();
  for (const item of c.items) {
    if (ids.has(item.itemId)) throw TenderErrors.duplicateItem(item.itemId);
    ids.add(item.itemId);
  }
  const { tenderId, buyerId, title, submissionDeadline, weights, publicProcurement, currency } = c;
  const items = c.items.map((i) => ({ ...i, quantity: normaliseQuantity(i.quantity) }));
  return [{ type: 'TenderOpened', data: { tenderId, buyerId, title, items, submissionDeadline, weights, publicProcurement, currency } }];
}

function invite(c: InviteSuppliers, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  const o = expect(s, 'invite suppliers to', 'open');
  beforeDeadline(o, c.now);
  if (c.supplierIds.includes(o.buyerId)) throw TenderErrors.buyerCannotBid();
  const fresh = [...new Set(c.supplierIds)].filter((id) => !o.invited.includes(id));
  if (fresh.length === 0) throw TenderErrors.alreadyInvited();
  // One event per supplier: each is a party to its own invitation only, and learns no rival's name.
  return fresh.map((supplierId): TenderEvent => ({ type: 'SuppliersInvited', data: { ...ref(o), supplierIds: [supplierId] } }));
}

function submitBid(c: SubmitBid, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  if (!s.invited.includes(c.requester.companyId)) throw TenderErrors.notInvited();
  const o = expect(s, 'bid in', 'open');
  beforeDeadline(o, c.now);
  for (const p of c.prices) {
    if (!o.items.some((i) => i.itemId === p.itemId)) throw TenderErrors.unknownItem(p.itemId);
    if (toUnits(p.unitPrice) <= 0n) throw TenderErrors.priceNotPositive(p.itemId);
  }
  for (const item of o.items) if (!c.prices.some((p) => p.itemId === item.itemId)) throw TenderErrors.unpricedItem(item.itemId);
  // The total is recorded when the tender closes: one bid too large to record would block the close.
  const total = bidTotal(o.items, c.prices);
  if (!isDecimal(total)) throw TenderErrors.totalTooLarge(total);
  return [{ type: 'BidSubmitted', data: { ...ref(o), supplierId: c.requester.companyId, bidId: c.bidId, sealed: c.sealed, contentHash: c.contentHash } }];
}

function withdrawBid(c: WithdrawBid, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  const o = expect(s, 'withdraw a bid from', 'open');
  beforeDeadline(o, c.now);
  const bid = o.bids[c.requester.companyId];
  if (!bid) throw TenderErrors.noBid(c.requester.companyId);
  return [{ type: 'BidWithdrawn', data: { ...ref(o), supplierId: c.requester.companyId, bidId: bid.bidId } }];
}

function close(c: CloseTender, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  const o = expect(s, 'close', 'open');
  if (c.now.getTime() < Date.parse(o.submissionDeadline)) throw TenderErrors.deadlineNotReached(o.submissionDeadline);
  const suppliers = Object.keys(o.bids);
  const opened = suppliers.map((supplierId) => {
    const sealed = o.bids[supplierId];
    const bid = c.openedBids.find((b) => b.supplierId === supplierId);
    if (!bid || bid.bidId !== sealed.bidId || bid.contentHash !== sealed.contentHash) throw TenderErrors.bidContentMismatch(supplierId);
    return { supplierId, bidId: bid.bidId, prices: bid.prices, total: bidTotal(o.items, bid.prices) };
  });
  const scores = priceScores(opened.map((b) => b.total));
  return [{ type: 'TenderClosed', data: { ...ref(o), closedAt: c.now.toISOString(), bids: opened.map((b, i) => ({ ...b, priceScore: scores[i] })) } }];
}

function evaluate(c: EvaluateBid, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  if (c.requester.companyId !== s.buyerId || c.requester.personId === null) throw TenderErrors.evaluatorNotBuyer();
  const closed = expect(s, 'evaluate bids of', 'closed');
  const bid = closed.opened.find((b) => b.supplierId === c.supplierId);
  if (!bid) throw TenderErrors.noBid(c.supplierId);
  return [
    {
      type: 'BidEvaluated',
      data: {
        ...ref(closed),
        supplierId: c.supplierId,
        bidId: bid.bidId,
        evaluatorId: c.requester.personId,
        evaluatorRoles: c.requester.roles,
        scores: c.scores,
      },
    },
  ];
}

function award(c: AwardTender, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  if (c.requester.personId === null || !c.requester.roles.includes('procurement')) throw TenderErrors.procurementRoleRequired();
  const closed = expect(s, 'award', 'closed');
  const bid = closed.opened.find((b) => b.supplierId === c.supplierId);
  if (!bid) throw TenderErrors.noBid(c.supplierId);
  if (!closed.evaluations.some((e) => e.supplierId === c.supplierId)) throw TenderErrors.bidNotEvaluated(c.supplierId);
  // On the awarded bid itself: a government evaluator's scores on another bid do not vouch for this one.
  if (closed.publicProcurement && !closed.evaluations.some((e) => e.supplierId === c.supplierId && e.evaluatorRoles.includes('government')))
    throw TenderErrors.governmentEvaluatorRequired();
  const ranking = rank(closed);
  const winner = ranking.find((r) => r.supplierId === c.supplierId)!;
  const items = closed.items.map((item) => {
    const unitPrice = bid.prices.find((p) => p.itemId === item.itemId)!.unitPrice;
    return { ...item, unitPrice, lineTotal: lineTotal(item.quantity, unitPrice) };
  });
  return [
    {
      type: 'TenderAwarded',
      data: {
        ...ref(closed),
        title: closed.title,
        supplierId: c.supplierId,
        bidId: bid.bidId,
        awardedBy: c.requester.personId,
        publicProcurement: closed.publicProcurement,
        currency: closed.currency,
        items,
        total: bid.total,
        weightedScore: winner.weightedScore!,
        ranking,
      },
    },
  ];
}

function cancel(c: CancelTender, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  const o = expect(s, 'cancel', 'open', 'closed');
  if (!c.reason.trim()) throw TenderErrors.reasonRequired();
  return [{ type: 'TenderCancelled', data: { ...ref(o), reason: c.reason } }];
}

function attachDocument(c: AttachTenderDocument, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  if (c.requester.personId === null) throw TenderErrors.personRequired();
  const o = expect(s, 'attach documents to', 'open');
  // After the deadline no supplier could bid on what the document says.
  beforeDeadline(o, c.now);
  if (o.documents.some((d) => d.sha256 === c.document.sha256)) throw TenderErrors.documentAlreadyAttached(c.document.sha256);
  if (o.documents.length >= MAX_TENDER_DOCUMENTS) throw TenderErrors.tooManyDocuments(MAX_TENDER_DOCUMENTS);
  const { name, sha256, size, mediaType } = c.document;
  return [{ type: 'TenderDocumentAttached', data: { ...ref(o), document: { name, sha256, size, mediaType }, attachedBy: c.requester.personId } }];
}

export function decide(command: TenderCommand, state: TenderState): TenderEvent[] {
  switch (command.type) {
    case 'OpenTender':
      return open(command, state);
    case 'InviteSuppliers':
      return invite(command, state);
    case 'SubmitBid':
      return submitBid(command, state);
    case 'WithdrawBid':
      return withdrawBid(command, state);
    case 'CloseTender':
      return close(command, state);
    case 'EvaluateBid':
      return evaluate(command, state);
    case 'AwardTender':
      return award(command, state);
    case 'CancelTender':
      return cancel(command, state);
    case 'AttachTenderDocument':
      return attachDocument(command, state);
  }
}

export const tenderDecider: Decider<TenderState, TenderCommand, TenderEvent> = { initialState, evolve, decide };

/** Bids and evaluations concern the buyer and that supplier; the rest, the buyer and every invited supplier. */
export function partiesOf(event: TenderEvent, state: TenderState): string[] {
  const d = event.data as { buyerId: string; supplierId?: string };
  if (event.type === 'BidSubmitted' || event.type === 'BidWithdrawn' || event.type === 'BidEvaluated') return [d.buyerId, d.supplierId!];
  if (event.type === 'SuppliersInvited') return [d.buyerId, ...event.data.supplierIds];
  const invited = state.status === 'none' ? [] : state.invited;
  return [d.buyerId, ...invited];
}
