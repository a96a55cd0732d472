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
  TenderAwardedV4,
  TenderItemV2,
  TenderLot,
  TenderProcedure,
} from '@dealledger/events';
import type { Requester } from '@dealledger/domain';
import type {
  FileComplaint,
  FinaliseAward,
  ResolveComplaint,
  AnswerClarification,
  AskClarification,
  AttachTenderDocument,
  AwardTender,
  CancelLot,
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

export interface Award {
  supplierId: string;
  bidId: string;
  total: string;
  weightedScore: number;
  awardedBy: string;
  /** Null: final at once. Otherwise provisional until `final`, complaints allowed until then. */
  standstillUntil: string | null;
  final: boolean;
}

/** One lot's award (the whole tender's when `lotId` is null), its event and the complaints about it. */
export interface LotAward {
  lotId: string | null;
  award: Award;
  awarded: TenderAwardedV4;
  complaints: Complaint[];
}

/** A lot as the rules see it: a tender without lots is one lot, `lotId` null, of every item. */
export interface LotView {
  lotId: string | null;
  title: string;
  itemIds: string[];
}

/** At most this many lots per tender. */
export const MAX_LOTS = 50;

export function lotsOf(s: { lots: TenderLot[]; title: string; items: TenderItemV2[] }): LotView[] {
  return s.lots.length ? s.lots : [{ lotId: null, title: s.title, itemIds: s.items.map((i) => i.itemId) }];
}
/** The key of a lot's award in state (and of its deadline): the whole tender's is ''. */
export const lotKey = (lotId: string | null) => lotId ?? '';

export interface Complaint {
  complaintId: string;
  supplierId: string;
  grounds: string;
  status: 'open' | 'upheld' | 'dismissed';
  resolution: string | null;
}

/** At most this many questions per tender, and this many per supplier: the buyer answers each. */
export const MAX_CLARIFICATIONS = 200;
export const MAX_CLARIFICATIONS_PER_SUPPLIER = 20;

export interface Clarification {
  clarificationId: string;
  /** Who asked: the buyer's to know, nobody else's. */
  supplierId: string;
  question: string;
  answer: string | null;
}

interface TenderFacts {
  tenderId: string;
  buyerId: string;
  title: string;
  items: TenderItemV2[];
  submissionDeadline: string;
  weights: CriteriaWeights;
  publicProcurement: boolean;
  currency: string;
  procedure: TenderProcedure;
  standstillDays: number;
  invited: string[];
  /** Suppliers who bid or asked: with the invited, who an answer is published to. */
  interested: string[];
  clarifications: Clarification[];
  /** The current sealed bid per supplier (a resubmission replaces it). */
  bids: Record<string, SealedBid>;
  /** Specifications and drawings the buyer attached, oldest first. */
  documents: AttachedDocument[];
  /** Empty: the tender is awarded whole. */
  lots: TenderLot[];
}

interface ClosedFacts extends TenderFacts {
  closedAt: string;
  opened: OpenedBid[];
  evaluations: BidEvaluatedV1[];
  /** By lotKey; `awarded` once every lot has one or is cancelled. */
  awards: Record<string, LotAward>;
  /** Lots the buyer cancelled: settled without an award. */
  cancelledLots: { lotId: string; reason: string }[];
}

export type TenderState =
  | { status: 'none' }
  | (TenderFacts & { status: 'open' })
  | (ClosedFacts & { status: 'closed' })
  | (ClosedFacts & { status: 'awarded' })
  | (TenderFacts & Partial<ClosedFacts> & { status: 'cancelled'; reason: string });

export const initialState: TenderState = { status: 'none' };

export function evolve(state: TenderState, event: TenderEvent): TenderState {
  switch (event.type) {
    case 'TenderOpened': {
      const { tenderId, buyerId, title, items, submissionDeadline, weights, publicProcurement, currency, procedure, standstillDays, lots } = event.data;
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
        procedure,
        standstillDays,
        invited: [],
        interested: [],
        clarifications: [],
        bids: {},
        documents: [],
        lots,
      };
    }
    case 'SuppliersInvited':
      return state.status === 'open' ? { ...state, invited: [...state.invited, ...event.data.supplierIds] } : state;
    case 'BidSubmitted': {
      if (state.status !== 'open') return state;
      const { supplierId, bidId, contentHash, sealed } = event.data;
      return { ...state, interested: withOne(state.interested, supplierId), bids: { ...state.bids, [supplierId]: { bidId, contentHash, sealed } } };
    }
    case 'BidWithdrawn': {
      if (state.status !== 'open') return state;
      const { [event.data.supplierId]: _, ...bids } = state.bids;
      return { ...state, bids };
    }
    case 'TenderClosed':
      return state.status === 'open'
        ? { ...state, status: 'closed', closedAt: event.data.closedAt, opened: event.data.bids, evaluations: [], awards: {}, cancelledLots: [] }
        : state;
    case 'BidEvaluated': {
      if (state.status !== 'closed') return state;
      const others = state.evaluations.filter((e) => !(e.evaluatorId === event.data.evaluatorId && e.supplierId === event.data.supplierId));
      return { ...state, evaluations: [...others, event.data] };
    }
    case 'TenderAwarded': {
      if (state.status !== 'closed') return state;
      const { supplierId, bidId, total, weightedScore, awardedBy, standstillUntil, lotId } = event.data;
      const award = { supplierId, bidId, total, weightedScore, awardedBy, standstillUntil, final: standstillUntil === null };
      const awards = { ...state.awards, [lotKey(lotId)]: { lotId, award, awarded: event.data, complaints: [] } };
      const next = { ...state, awards };
      return { ...next, status: unsettled(next).length === 0 ? 'awarded' : 'closed' };
    }
    case 'LotCancelled': {
      if (state.status !== 'closed') return state;
      const next = { ...state, cancelledLots: [...state.cancelledLots, { lotId: event.data.lotId, reason: event.data.reason }] };
      return { ...next, status: unsettled(next).length === 0 ? 'awarded' : 'closed' };
    }
    case 'AwardComplaintFiled': {
      const { complaintId, supplierId, grounds, lotId } = event.data;
      return withLotAward(state, lotId, (a) => ({
        ...a,
        complaints: [...a.complaints, { complaintId, supplierId, grounds, status: 'open', resolution: null }],
      }));
    }
    case 'AwardComplaintResolved': {
      const { complaintId, upheld, resolution, lotId } = event.data;
      const status = upheld ? 'upheld' : 'dismissed';
      return withLotAward(state, lotId, (a) => ({
        ...a,
        complaints: a.complaints.map((c) => (c.complaintId === complaintId ? { ...c, status, resolution } : c)),
      }));
    }
    case 'AwardAnnulled': {
      // The lot (or tender) is closed again: the bids stay opened and evaluated, to be awarded anew.
      if ((state.status !== 'closed' && state.status !== 'awarded') || !state.awards[lotKey(event.data.lotId)]) return state;
      const { [lotKey(event.data.lotId)]: _annulled, ...awards } = state.awards;
      return { ...state, status: 'closed', awards };
    }
    case 'AwardFinalised':
      return withLotAward(state, event.data.lotId, (a) => ({ ...a, award: { ...a.award, final: true } }));
    case 'TenderCancelled':
      return state.status === 'none' ? state : { ...state, status: 'cancelled', reason: event.data.reason };
    case 'TenderDocumentAttached':
      return state.status === 'open' ? { ...state, documents: [...state.documents, { ...event.data.document, attachedBy: event.data.attachedBy }] } : state;
    case 'ClarificationRequested': {
      if (state.status !== 'open') return state;
      const { clarificationId, supplierId, question } = event.data;
      return {
        ...state,
        interested: withOne(state.interested, supplierId),
        clarifications: [...state.clarifications, { clarificationId, supplierId, question, answer: null }],
      };
    }
    case 'ClarificationAnswered': {
      if (state.status !== 'open') return state;
      const { clarificationId, answer } = event.data;
      return { ...state, clarifications: state.clarifications.map((q) => (q.clarificationId === clarificationId ? { ...q, answer } : q)) };
    }
  }
}

/** The lots neither awarded nor cancelled: what the buyer has still to decide. */
export function unsettled(s: Pick<ClosedFacts, 'lots' | 'title' | 'items' | 'awards' | 'cancelledLots'>): LotView[] {
  const cancelled = new Set(s.cancelledLots.map((c) => c.lotId));
  return lotsOf(s).filter((l) => !s.awards[lotKey(l.lotId)] && !(l.lotId !== null && cancelled.has(l.lotId)));
}

function withLotAward(state: TenderState, lotId: string | null, change: (a: LotAward) => LotAward): TenderState {
  if (state.status !== 'closed' && state.status !== 'awarded') return state;
  const a = state.awards[lotKey(lotId)];
  return a ? { ...state, awards: { ...state.awards, [lotKey(lotId)]: change(a) } } : state;
}

const withOne = (ids: string[], id: string) => (ids.includes(id) ? ids : [...ids, id]);

const round2 = (n: number) => Math.round(n * 100) / 100;
const CRITERIA = ['quality', 'reputation', 'service', 'partnership'] as const;

/** Sum of quantity x unit price over the items the bid prices (each line rounded half-up to 4 decimals). */
export function bidTotal(items: TenderItemV2[], prices: BidPrice[]): string {
  return sum(
    items.flatMap((item) => {
      const price = prices.find((p) => p.itemId === item.itemId);
      return price ? [lineTotal(item.quantity, price.unitPrice)] : [];
    }),
  );
}

/** The lowest total gets 10; others 10 x lowest / total. */
export function priceScores(totals: string[]): number[] {
  if (totals.length === 0) return [];
  const lowest = totals.reduce((a, b) => (toUnits(a) <= toUnits(b) ? a : b));
  return totals.map((t) => round2(10 * ratio(lowest, t)));
}

type Rankable = { opened: OpenedBid[]; evaluations: BidEvaluatedV1[]; weights: CriteriaWeights; items: TenderItemV2[] };

/**
 * The bids on a lot with their totals and price scores over that lot alone. The whole tender's
 * (lot null) are as recorded at close; a lot's are the bids that priced every item of it.
 */
function lotBids(state: Pick<Rankable, 'opened' | 'items'>, lot: LotView | null): { bid: OpenedBid; total: string; priceScore: number }[] {
  if (lot === null || lot.lotId === null) return state.opened.map((bid) => ({ bid, total: bid.total, priceScore: bid.priceScore }));
  const lotItems = state.items.filter((i) => lot.itemIds.includes(i.itemId));
  const priced = state.opened.filter((b) => lot.itemIds.every((id) => b.prices.some((p) => p.itemId === id)));
  const totals = priced.map((b) => bidTotal(lotItems, b.prices));
  const scores = priceScores(totals);
  return priced.map((bid, i) => ({ bid, total: totals[i], priceScore: scores[i] }));
}

/**
 * Every bid on the lot (null: the whole tender) with its price score, its evaluators' average
 * scores and the weighted total (0-10) over the tender's criteria weights; ranked best first,
 * unevaluated last. Evaluations score the supplier's bid, whichever lot.
 */
export function rank(state: Rankable, lot: LotView | null = null): RankedBid[] {
  const rows = lotBids(state, lot).map(({ bid, total, priceScore }) => {
    const mine = state.evaluations.filter((e) => e.supplierId === bid.supplierId);
    const averages = mine.length
      ? (Object.fromEntries(CRITERIA.map((c) => [c, round2(mine.reduce((a, e) => a + e.scores[c], 0) / mine.length)])) as unknown as CriteriaScores)
      : null;
    const w = state.weights;
    const weightedScore = averages
      ? round2(
          (priceScore * w.price +
            averages.quality * w.quality +
            averages.reputation * w.reputation +
            averages.service * w.service +
            averages.partnership * w.partnership) /
            100,
        )
      : null;
    return { supplierId: bid.supplierId, bidId: bid.bidId, total, priceScore, averages, weightedScore };
  });
  rows.sort((a, b) => (b.weightedScore ?? -1) - (a.weightedScore ?? -1) || Number(toUnits(a.total) - toUnits(b.total)));
  return rows.map((r, i) => ({ ...r, rank: i + 1 }));
}

type Existing = Exclude<TenderState, { status: 'none' }>;

/** Who sees a tender: its buyer and invited suppliers; an open procedure's notice, every registered company. */
export function maySee(state: Existing, companyId: string): boolean {
  return state.procedure === 'open' || companyId === state.buyerId || state.invited.includes(companyId);
}
/** Who may bid or ask: an invited supplier; in an open procedure, any company but the buyer. */
function mayBid(state: Existing, companyId: string): boolean {
  return companyId !== state.buyerId && (state.procedure === 'open' || state.invited.includes(companyId));
}
function visible(state: TenderState, tenderId: string, r: Requester): Existing {
  if (state.status === 'none' || !maySee(state, r.companyId)) throw TenderErrors.notFound(tenderId);
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

/** The lot a command names: a tender in lots needs one, a tender awarded whole takes none. */
function lotFor(s: TenderFacts, lotId: string | null | undefined): LotView {
  if (s.lots.length === 0) {
    if (lotId != null) throw TenderErrors.noLots();
    return lotsOf(s)[0];
  }
  if (lotId == null) throw TenderErrors.lotRequired();
  const lot = s.lots.find((l) => l.lotId === lotId);
  if (!lot) throw TenderErrors.unknownLot(lotId);
  return lot;
}

/** Every item in exactly one lot, each lot named once and not empty. */
function checkLots(items: TenderItemV2[], lots: TenderLot[]): void {
  if (lots.length > MAX_LOTS) throw TenderErrors.tooManyLots(MAX_LOTS);
  const lotIds = new Set<string>();
  const placed = new Set<string>();
  for (const lot of lots) {
    if (lotIds.has(lot.lotId)) throw TenderErrors.duplicateLot(lot.lotId);
    lotIds.add(lot.lotId);
    if (lot.itemIds.length === 0) throw TenderErrors.emptyLot(lot.lotId);
    for (const itemId of lot.itemIds) {
      if (!items.some((i) => i.itemId === itemId)) throw TenderErrors.unknownItem(itemId);
      if (placed.has(itemId)) throw TenderErrors.itemInTwoLots(itemId);
      placed.add(itemId);
    }
  }
  const outside = lots.length ? items.find((i) => !placed.has(i.itemId)) : undefined;
  if (outside) throw TenderErrors.itemWithoutLot(outside.itemId);
}

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
  if (!Number.isInteger(c.standstillDays) || c.standstillDays < 0 || c.standstillDays > 60) throw TenderErrors.standstillDays();
  checkLots(c.items, c.lots);
  const { tenderId, buyerId, title, submissionDeadline, weights, publicProcurement, currency, procedure, standstillDays } = c;
  const items = c.items.map((i) => ({ ...i, quantity: normaliseQuantity(i.quantity) }));
  const lots = c.lots.map(({ lotId, title, itemIds }) => ({ lotId, title, itemIds: [...itemIds] }));
  return [
    {
      type: 'TenderOpened',
      data: { tenderId, buyerId, title, items, submissionDeadline, weights, publicProcurement, currency, procedure, standstillDays, lots },
    },
  ];
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
  if (c.requester.companyId === s.buyerId) throw TenderErrors.buyerCannotBid();
  if (!mayBid(s, c.requester.companyId)) throw TenderErrors.notInvited();
  const o = expect(s, 'bid in', 'open');
  beforeDeadline(o, c.now);
  for (const p of c.prices) {
    if (!o.items.some((i) => i.itemId === p.itemId)) throw TenderErrors.unknownItem(p.itemId);
    if (c.prices.filter((x) => x.itemId === p.itemId).length > 1) throw TenderErrors.duplicatePrice(p.itemId);
    if (toUnits(p.unitPrice) <= 0n) throw TenderErrors.priceNotPositive(p.itemId);
  }
  // A bid is on whole lots: every item of each lot it prices (of the tender, when it has no lots).
  for (const lot of lotsOf(o)) {
    if (!lot.itemIds.some((id) => c.prices.some((p) => p.itemId === id))) continue;
    const missing = lot.itemIds.find((id) => !c.prices.some((p) => p.itemId === id));
    if (missing) throw lot.lotId === null ? TenderErrors.unpricedItem(missing) : TenderErrors.lotNotFullyPriced(lot.lotId, missing);
  }
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
  const scores = o.lots.length === 0 ? priceScores(opened.map((b) => b.total)) : meanLotScores(o, opened);
  return [{ type: 'TenderClosed', data: { ...ref(o), closedAt: c.now.toISOString(), bids: opened.map((b, i) => ({ ...b, priceScore: scores[i] })) } }];
}

/** In a tender in lots, a bid's own price score is the mean of its lots' (each lot is ranked on its own at award). */
function meanLotScores(o: TenderFacts, opened: Omit<OpenedBid, 'priceScore'>[]): number[] {
  const bids = opened.map((b) => ({ ...b, priceScore: 0 }));
  const perLot = o.lots.map((lot) => lotBids({ opened: bids, items: o.items }, lot));
  return bids.map((b) => {
    const mine = perLot.flatMap((rows) => rows.filter((r) => r.bid.bidId === b.bidId).map((r) => r.priceScore));
    return round2(mine.reduce((a, x) => a + x, 0) / mine.length);
  });
}

function evaluate(c: EvaluateBid, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  if (c.requester.companyId !== s.buyerId || c.requester.personId === null) throw TenderErrors.evaluatorNotBuyer();
  const closed = expect(s, 'evaluate bids of', 'closed');
  const bid = closed.opened.find((b) => b.supplierId === c.supplierId);
  if (!bid) throw TenderErrors.noBid(c.supplierId);
  // Rankings of awarded lots are recorded with their award: a bid whose every lot is decided is evaluated no more.
  const open = unsettled(closed);
  if (!open.some((lot) => lot.itemIds.every((id) => bid.prices.some((p) => p.itemId === id)))) throw TenderErrors.evaluationClosed(c.supplierId);
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
  const lot = lotFor(closed, c.lotId);
  if (closed.awards[lotKey(lot.lotId)]) throw TenderErrors.lotAwarded(lot.lotId!);
  if (!unsettled(closed).some((l) => l.lotId === lot.lotId)) throw TenderErrors.lotCancelled(lot.lotId!);
  const bid = closed.opened.find((b) => b.supplierId === c.supplierId);
  if (!bid) throw TenderErrors.noBid(c.supplierId);
  const ranking = rank(closed, lot);
  const winner = ranking.find((r) => r.supplierId === c.supplierId);
  if (!winner) throw TenderErrors.noBidOnLot(c.supplierId, lot.lotId!);
  if (!closed.evaluations.some((e) => e.supplierId === c.supplierId)) throw TenderErrors.bidNotEvaluated(c.supplierId);
  // On the awarded bid itself: a government evaluator's scores on another bid do not vouch for this one.
  if (closed.publicProcurement && !closed.evaluations.some((e) => e.supplierId === c.supplierId && e.evaluatorRoles.includes('government')))
    throw TenderErrors.governmentEvaluatorRequired();
  const items = closed.items
    .filter((item) => lot.itemIds.includes(item.itemId))
    .map((item) => {
      const unitPrice = bid.prices.find((p) => p.itemId === item.itemId)!.unitPrice;
      return { ...item, unitPrice, lineTotal: lineTotal(item.quantity, unitPrice) };
    });
  const others = Object.values(closed.awards);
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
        total: winner.total,
        weightedScore: winner.weightedScore!,
        ranking,
        // With a standstill period the award is provisional: losing bidders may complain until then.
        standstillUntil: closed.standstillDays > 0 ? new Date(c.now.getTime() + closed.standstillDays * 86400000).toISOString() : null,
        lotId: lot.lotId,
        lotsToAward: unsettled(closed).length - 1,
        winningBidIds: [...new Set([...others.map((a) => a.award.bidId), bid.bidId])],
      },
    },
  ];
}

/** The award of a lot (or of the tender), or a refusal naming what is missing. */
function lotAward(s: Existing, action: string, lotId: string | null | undefined): LotAward {
  const closed = expect(s, action, 'closed', 'awarded');
  const lot = lotFor(closed, lotId);
  const a = closed.awards[lotKey(lot.lotId)];
  if (!a) throw lot.lotId === null ? TenderErrors.invalidTransition(action, closed.status) : TenderErrors.lotNotAwarded(lot.lotId);
  return a;
}

/** During the standstill period, a bidder whose opened bid lost complains about the provisional award. */
function fileComplaint(c: FileComplaint, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  const awarded = lotAward(s, 'complain about the award of', c.lotId);
  const supplierId = c.requester.companyId;
  // A bidder on this lot: the ranking of its award holds every bid on it.
  if (!awarded.awarded.ranking.some((r) => r.supplierId === supplierId) || supplierId === awarded.award.supplierId) throw TenderErrors.notALosingBidder();
  if (c.requester.personId === null) throw TenderErrors.complainantNotPerson();
  const until = awarded.award.standstillUntil;
  if (awarded.award.final || until === null || c.now.getTime() >= Date.parse(until)) throw TenderErrors.standstillOver();
  if (!c.grounds.trim()) throw TenderErrors.textRequired('grounds');
  if (complaintsOf(s).some((x) => x.complaintId === c.complaintId)) throw TenderErrors.complaintExists(c.complaintId);
  if (awarded.complaints.some((x) => x.supplierId === supplierId && x.status === 'open')) throw TenderErrors.complaintOpen();
  return [
    {
      type: 'AwardComplaintFiled',
      data: { ...ref(s), complaintId: c.complaintId, supplierId, filedBy: c.requester.personId, grounds: c.grounds, lotId: awarded.lotId },
    },
  ];
}

const complaintsOf = (s: Existing) => ('awards' in s && s.awards ? Object.values(s.awards).flatMap((a) => a.complaints) : []);

/** The buyer resolves a complaint: upheld sets the award aside (the tender is closed again); dismissed lets it stand. */
function resolveComplaint(c: ResolveComplaint, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  // Upholding one annuls the award: the same people who may award decide.
  if (c.requester.personId === null || !c.requester.roles.includes('procurement')) throw TenderErrors.procurementRoleRequired();
  const closed = expect(s, 'resolve complaints on', 'closed', 'awarded');
  const awarded = Object.values(closed.awards).find((a) => a.complaints.some((x) => x.complaintId === c.complaintId));
  if (!awarded) throw TenderErrors.complaintNotFound(c.complaintId);
  const complaint = awarded.complaints.find((x) => x.complaintId === c.complaintId)!;
  if (complaint.status !== 'open') throw TenderErrors.complaintResolved(c.complaintId);
  if (!c.resolution.trim()) throw TenderErrors.textRequired('resolution');
  const openAfter = awarded.complaints.filter((x) => x.status === 'open' && x.complaintId !== c.complaintId).length;
  const resolved: TenderEvent = {
    type: 'AwardComplaintResolved',
    data: {
      ...ref(closed),
      complaintId: c.complaintId,
      supplierId: complaint.supplierId,
      resolvedBy: c.requester.personId,
      upheld: c.upheld,
      resolution: c.resolution,
      openComplaints: openAfter,
      standstillUntil: awarded.award.standstillUntil!,
      lotId: awarded.lotId,
    },
  };
  if (!c.upheld) return [resolved];
  const { supplierId, bidId } = awarded.award;
  const bidders = awarded.awarded.ranking.map((r) => r.supplierId);
  // Every bidder learns the award was set aside, not the complaint's words: those stay between the buyer and the complainant.
  const reason = 'A complaint about the award was upheld';
  return [resolved, { type: 'AwardAnnulled', data: { ...ref(closed), supplierId, bidId, bidders, reason, lotId: awarded.lotId } }];
}

/** The standstill clock: past the period, no complaint open, the provisional award becomes final. */
function finaliseAward(c: FinaliseAward, state: TenderState): TenderEvent[] {
  if (state.status === 'none') throw TenderErrors.notFound(c.tenderId);
  const a = state.status === 'closed' || state.status === 'awarded' ? state.awards[lotKey(c.lotId)] : undefined;
  if (!a || a.award.final || a.award.standstillUntil === null)
    throw TenderErrors.invalidTransition('finalise the award of', a ? 'finally awarded' : state.status);
  const until = a.award.standstillUntil;
  if (c.now.getTime() < Date.parse(until)) throw TenderErrors.standstillRunning(until);
  if (a.complaints.some((x) => x.status === 'open')) throw TenderErrors.complaintOpen();
  // The award as recorded; what it said of the other lots then (lotsToAward, winningBidIds) is no part of it.
  const { tenderId, buyerId, title, supplierId, bidId, awardedBy, publicProcurement, currency, items, total, weightedScore, ranking, lotId } = a.awarded;
  const award = { tenderId, buyerId, title, supplierId, bidId, awardedBy, publicProcurement, currency, items, total, weightedScore, ranking };
  return [{ type: 'AwardFinalised', data: { ...award, standstillUntil: until, lotId } }];
}

/** A lot the buyer will not award (no bid on it, or none it can take): settled without an award. */
function cancelLot(c: CancelLot, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  if (c.requester.personId === null || !c.requester.roles.includes('procurement')) throw TenderErrors.procurementRoleRequired();
  const closed = expect(s, 'cancel a lot of', 'closed');
  if (closed.lots.length === 0) throw TenderErrors.noLots();
  const lot = lotFor(closed, c.lotId);
  if (closed.awards[lotKey(lot.lotId)]) throw TenderErrors.lotAwarded(lot.lotId!);
  const open = unsettled(closed);
  if (!open.some((l) => l.lotId === lot.lotId)) throw TenderErrors.lotCancelled(lot.lotId!);
  if (!c.reason.trim()) throw TenderErrors.reasonRequired();
  const awards = Object.values(closed.awards);
  // Nothing would be awarded at all: that is cancelling the tender, which every bidder is told as such.
  if (open.length === 1 && awards.length === 0) throw TenderErrors.cancelTheTender();
  return [
    {
      type: 'LotCancelled',
      data: {
        ...ref(closed),
        lotId: lot.lotId!,
        reason: c.reason,
        cancelledBy: c.requester.personId,
        lotsToAward: open.length - 1,
        winningBidIds: awards.map((a) => a.award.bidId),
      },
    },
  ];
}

function cancel(c: CancelTender, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  const o = expect(s, 'cancel', 'open', 'closed');
  // An award of a lot binds the buyer like an award of the tender.
  if (o.status === 'closed' && Object.keys(o.awards).length > 0) throw TenderErrors.lotsAwarded();
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

/** Before the deadline, a supplier who may bid asks; the buyer alone learns who. */
function ask(c: AskClarification, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  if (c.requester.companyId === s.buyerId) throw TenderErrors.ownTender();
  if (!mayBid(s, c.requester.companyId)) throw TenderErrors.mayNotAsk();
  const o = expect(s, 'ask about', 'open');
  beforeDeadline(o, c.now);
  if (!c.question.trim()) throw TenderErrors.textRequired('question');
  if (o.clarifications.some((q) => q.clarificationId === c.clarificationId)) throw TenderErrors.clarificationExists(c.clarificationId);
  if (o.clarifications.length >= MAX_CLARIFICATIONS) throw TenderErrors.tooManyQuestions(MAX_CLARIFICATIONS);
  if (o.clarifications.filter((q) => q.supplierId === c.requester.companyId).length >= MAX_CLARIFICATIONS_PER_SUPPLIER)
    throw TenderErrors.tooManyQuestions(MAX_CLARIFICATIONS_PER_SUPPLIER);
  return [{ type: 'ClarificationRequested', data: { ...ref(o), clarificationId: c.clarificationId, supplierId: c.requester.companyId, question: c.question } }];
}

/** Before the deadline the buyer answers; question and answer go to every supplier who may bid, without the asker. */
function answer(c: AnswerClarification, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  if (c.requester.personId === null) throw TenderErrors.answererNotPerson();
  const o = expect(s, 'answer questions on', 'open');
  beforeDeadline(o, c.now);
  const q = o.clarifications.find((x) => x.clarificationId === c.clarificationId);
  if (!q) throw TenderErrors.clarificationNotFound(c.clarificationId);
  if (q.answer !== null) throw TenderErrors.alreadyAnswered(c.clarificationId);
  if (!c.answer.trim()) throw TenderErrors.textRequired('answer');
  return [
    {
      type: 'ClarificationAnswered',
      data: { ...ref(o), clarificationId: q.clarificationId, question: q.question, answer: c.answer, answeredBy: c.requester.personId },
    },
  ];
}

export function decide(command: TenderCommand, state: TenderState): TenderEvent[] {
  switch (command.type) {
    case 'FileComplaint':
      return fileComplaint(command, state);
    case 'ResolveComplaint':
      return resolveComplaint(command, state);
    case 'FinaliseAward':
      return finaliseAward(command, state);
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
    case 'CancelLot':
      return cancelLot(command, state);
    case 'CancelTender':
      return cancel(command, state);
    case 'AttachTenderDocument':
      return attachDocument(command, state);
    case 'AskClarification':
      return ask(command, state);
    case 'AnswerClarification':
      return answer(command, state);
  }
}

export const tenderDecider: Decider<TenderState, TenderCommand, TenderEvent> = { initialState, evolve, decide };

/** Bids and evaluations concern the buyer and that supplier; the rest, the buyer and every invited supplier. */
export function partiesOf(event: TenderEvent, state: TenderState): string[] {
  const d = event.data as { buyerId: string; supplierId?: string };
  if (event.type === 'BidSubmitted' || event.type === 'BidWithdrawn' || event.type === 'BidEvaluated' || event.type === 'ClarificationRequested')
    return [d.buyerId, d.supplierId!];
  if (event.type === 'AwardComplaintFiled' || event.type === 'AwardComplaintResolved') return [d.buyerId, d.supplierId!];
  // An invitation goes to the invited only: no supplier learns a rival's name.
  if (event.type === 'SuppliersInvited') return [d.buyerId, ...event.data.supplierIds];
  // Everything else goes to every supplier known to be in the tender: invited, bidding or asking
  // (in an open procedure nobody need be invited). What a losing bidder may read of an award
  // is the read side's cut, as for TenderAwarded.
  return state.status === 'none' ? [d.buyerId] : [d.buyerId, ...new Set([...state.invited, ...state.interested])];
}
