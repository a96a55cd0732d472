import type { BidPrice, CriteriaScores, CriteriaWeights, DocumentRef, SealedContent, TenderItemV2, TenderLot, TenderProcedure } from '@dealledger/events';
import type { Requester } from '@dealledger/domain';

interface Base {
  tenderId: string;
  requester: Requester;
  now: Date;
}

export type OpenTender = Base & {
  type: 'OpenTender';
  buyerId: string;
  title: string;
  items: TenderItemV2[];
  submissionDeadline: string;
  weights: CriteriaWeights;
  publicProcurement: boolean;
  currency: string;
  procedure: TenderProcedure;
  standstillDays: number;
  /** Empty: the tender is awarded whole. */
  lots: TenderLot[];
};
export type InviteSuppliers = Base & { type: 'InviteSuppliers'; supplierIds: string[] };
/** `prices` are checked against the tender; only `sealed` and `contentHash` are recorded. */
export type SubmitBid = Base & { type: 'SubmitBid'; bidId: string; prices: BidPrice[]; sealed: SealedContent; contentHash: string };
export type WithdrawBid = Base & { type: 'WithdrawBid' };
/** The handler unseals the current bids; the decider checks each against its recorded hash. */
export type CloseTender = Base & { type: 'CloseTender'; openedBids: { supplierId: string; bidId: string; contentHash: string; prices: BidPrice[] }[] };
/** A close as sent: only the handler, holding the seal key, opens the bids of the tender it loaded. */
export type CloseTenderUnopened = Omit<CloseTender, 'openedBids'>;
export type EvaluateBid = Base & { type: 'EvaluateBid'; supplierId: string; scores: CriteriaScores };
/** `lotId`: the lot awarded, in a tender in lots; null for a tender awarded whole. */
export type AwardTender = Base & { type: 'AwardTender'; supplierId: string; lotId: string | null };
export type CancelTender = Base & { type: 'CancelTender'; reason: string };
/** A lot of a tender in lots that will not be awarded. */
export type CancelLot = Base & { type: 'CancelLot'; lotId: string; reason: string };
/** `document`: resolved from the buyer's own uploads before the command is decided. */
export type AttachTenderDocument = Base & { type: 'AttachTenderDocument'; document: DocumentRef };

export type AskClarification = Base & { type: 'AskClarification'; clarificationId: string; question: string };
export type AnswerClarification = Base & { type: 'AnswerClarification'; clarificationId: string; answer: string };

/** A losing bidder's complaint about a provisional award, during its standstill period. */
export type FileComplaint = Base & { type: 'FileComplaint'; complaintId: string; grounds: string; lotId: string | null };
export type ResolveComplaint = Base & { type: 'ResolveComplaint'; complaintId: string; upheld: boolean; resolution: string };
/** Issued by the standstill clock: the award becomes final once its period ended with no complaint open. */
export type FinaliseAward = { type: 'FinaliseAward'; tenderId: string; lotId: string | null; now: Date };

export type TenderCommand =
  | FileComplaint
  | ResolveComplaint
  | FinaliseAward
  | OpenTender
  | InviteSuppliers
  | SubmitBid
  | WithdrawBid
  | CloseTender
  | EvaluateBid
  | AwardTender
  | CancelLot
  | CancelTender
  | AttachTenderDocument
  | AskClarification
  | AnswerClarification;
/** What callers send; the handler prepares it into a TenderCommand. */
export type TenderCommandToPrepare = Exclude<TenderCommand, CloseTender> | CloseTenderUnopened;
