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
  TenderAwardedV3,
  TenderItemV2,
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
  | (ClosedFacts & { status: 'awarded'; award: Award; awarded: TenderAwardedV3; complaints: Complaint[] })
  | (TenderFacts & Partial<ClosedFacts> & { status: 'cancelled'; reason: string });

export const initialState: TenderState = { status: 'none' };

export function evolve(state: TenderState, event: TenderEvent): TenderState {
  switch (event.type) {
    case 'TenderOpened': {
      const { tenderId, buyerId, title, items, submissionDeadline, weights, publicProcurement, currency, procedure, standstillDays } = event.data;
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
      return state.status === 'open' ? { ...state, status: 'closed', closedAt: event.data.closedAt, opened: event.data.bids, evaluations: [] } : state;
    case 'BidEvaluated': {
      if (state.status !== 'closed') return state;
      const others = state.evaluations.filter((e) => !(e.evaluatorId === event.data.evaluatorId && e.supplierId === event.data.supplierId));
      return { ...state, evaluations: [...others, event.data] };
    }
    case 'TenderAwarded': {
      if (state.status !== 'closed') return state;
      const { supplierId, bidId, total, weightedScore, awardedBy, standstillUntil } = event.data;
      const award = { supplierId, bidId, total, weightedScore, awardedBy, standstillUntil, final: standstillUntil === null };
      return { ...state, status: 'awarded', award, awarded: event.data, complaints: [] };
    }
    case 'AwardComplaintFiled': {
      if (state.status !== 'awarded') return state;
      const { complaintId, supplierId, grounds } = event.data;
      return { ...state, complaints: [...state.complaints, { complaintId, supplierId, grounds, status: 'open', resolution: null }] };
    }
    case 'AwardComplaintResolved': {
      if (state.status !== 'awarded') return state;
      const { complaintId, upheld, resolution } = event.data;
      const status = upheld ? 'upheld' : 'dismissed';
      return { ...state, complaints: state.complaints.map((c) => (c.complaintId === complaintId ? { ...c, status, resolution } : c)) };
    }
    case 'AwardAnnulled': {
      // Closed again: the bids stay opened and evaluated, to be awarded anew.
      if (state.status !== 'awarded') return state;
      const { award: _a, awarded: _d, complaints: _c, ...closed } = state;
      return { ...closed, status: 'closed' };
    }
    case 'AwardFinalised':
      return state.status === 'awarded' ? { ...state, award: { ...state.award, final: true } } : state;
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

const withOne = (ids: string[], id: string) => (ids.includes(id) ? ids : [...ids, id]);

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
  const { tenderId, buyerId, title, submissionDeadline, weights, publicProcurement, currency, procedure, standstillDays } = c;
  const items = c.items.map((i) => ({ ...i, quantity: normaliseQuantity(i.quantity) }));
  return [
    { type: 'TenderOpened', data: { tenderId, buyerId, title, items, submissionDeadline, weights, publicProcurement, currency, procedure, standstillDays } },
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
        // With a standstill period the award is provisional: losing bidders may complain until then.
        standstillUntil: closed.standstillDays > 0 ? new Date(c.now.getTime() + closed.standstillDays * 86400000).toISOString() : null,
      },
    },
  ];
}

/** During the standstill period, a bidder whose opened bid lost complains about the provisional award. */
function fileComplaint(c: FileComplaint, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  const awarded = expect(s, 'complain about the award of', 'awarded');
  const supplierId = c.requester.companyId;
  if (!awarded.opened.some((b) => b.supplierId === supplierId) || supplierId === awarded.award.supplierId) throw TenderErrors.notALosingBidder();
  if (c.requester.personId === null) throw TenderErrors.complainantNotPerson();
  const until = awarded.award.standstillUntil;
  if (awarded.award.final || until === null || c.now.getTime() >= Date.parse(until)) throw TenderErrors.standstillOver();
  if (!c.grounds.trim()) throw TenderErrors.textRequired('grounds');
  if (awarded.complaints.some((x) => x.complaintId === c.complaintId)) throw TenderErrors.complaintExists(c.complaintId);
  if (awarded.complaints.some((x) => x.supplierId === supplierId && x.status === 'open')) throw TenderErrors.complaintOpen();
  return [
    {
      type: 'AwardComplaintFiled',
      data: { ...ref(awarded), complaintId: c.complaintId, supplierId, filedBy: c.requester.personId, grounds: c.grounds },
    },
  ];
}

/** The buyer resolves a complaint: upheld sets the award aside (the tender is closed again); dismissed lets it stand. */
function resolveComplaint(c: ResolveComplaint, state: TenderState): TenderEvent[] {
  const s = visible(state, c.tenderId, c.requester);
  byBuyer(s, c.requester);
  // Upholding one annuls the award: the same people who may award decide.
  if (c.requester.personId === null || !c.requester.roles.includes('procurement')) throw TenderErrors.procurementRoleRequired();
  const awarded = expect(s, 'resolve complaints on', 'awarded');
  const complaint = awarded.complaints.find((x) => x.complaintId === c.complaintId);
  if (!complaint) throw TenderErrors.complaintNotFound(c.complaintId);
  if (complaint.status !== 'open') throw TenderErrors.complaintResolved(c.complaintId);
  if (!c.resolution.trim()) throw TenderErrors.textRequired('resolution');
  const openAfter = awarded.complaints.filter((x) => x.status === 'open' && x.complaintId !== c.complaintId).length;
  const resolved: TenderEvent = {
    type: 'AwardComplaintResolved',
    data: {
      ...ref(awarded),
      complaintId: c.complaintId,
      supplierId: complaint.supplierId,
      resolvedBy: c.requester.personId,
      upheld: c.upheld,
      resolution: c.resolution,
      openComplaints: openAfter,
      standstillUntil: awarded.award.standstillUntil!,
    },
  };
  if (!c.upheld) return [resolved];
  const { supplierId, bidId } = awarded.award;
  const bidders = awarded.awarded.ranking.map((r) => r.supplierId);
  // Every bidder learns the award was set aside, not the complaint's words: those stay between the buyer and the complainant.
  const reason = 'A complaint about the award was upheld';
  return [resolved, { type: 'AwardAnnulled', data: { ...ref(awarded), supplierId, bidId, bidders, reason } }];
}

/** The standstill clock: past the period, no complaint open, the provisional award becomes final. */
function finaliseAward(c: FinaliseAward, state: TenderState): TenderEvent[] {
  if (state.status === 'none') throw TenderErrors.notFound(c.tenderId);
  if (state.status !== 'awarded' || state.award.final || state.award.standstillUntil === null)
    throw TenderErrors.invalidTransition('finalise the award of', state.status === 'awarded' ? 'finally awarded' : state.status);
  const until = state.award.standstillUntil;
  if (c.now.getTime() < Date.parse(until)) throw TenderErrors.standstillRunning(until);
  if (state.complaints.some((x) => x.status === 'open')) throw TenderErrors.complaintOpen();
  const { standstillUntil: _s, ...award } = state.awarded;
  return [{ type: 'AwardFinalised', data: { ...award, standstillUntil: until } }];
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
