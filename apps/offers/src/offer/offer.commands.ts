import type { CounterProposalV2, DocumentRef, OfferItemV2 } from '@dealledger/events';
import type { Requester } from '@dealledger/domain';

interface Base {
  offerId: string;
  requester: Requester;
  now: Date;
}

export interface OfferTerms {
  items: OfferItemV2[];
  validUntil: string;
  paymentTerms: string;
  deliveryTerms: string;
}

export type DraftOffer = Base & OfferTerms & { type: 'DraftOffer'; supplierId: string; buyerId: string };
export type SubmitOffer = Base & { type: 'SubmitOffer' };
export type CounterOffer = Base & { type: 'CounterOffer'; proposals: CounterProposalV2[]; note: string };
export type ReviseOffer = Base & OfferTerms & { type: 'ReviseOffer'; note: string };
/** `revision`: the one the buyer read and accepts; a later revision is not accepted unseen. Quantities are exact decimal strings. */
export type AcceptOffer = Base & { type: 'AcceptOffer'; revision: number; quantities: { sku: string; quantity: string }[] };
export type RejectOffer = Base & { type: 'RejectOffer'; reason: string };
export type WithdrawOffer = Base & { type: 'WithdrawOffer'; reason: string };
/** `document`: resolved from the supplier's own uploads before the command is decided. */
export type AttachOfferDocument = Base & { type: 'AttachOfferDocument'; document: DocumentRef };
/** Issued by the offers app's own validity check, not by a person. */
export type ExpireOffer = { type: 'ExpireOffer'; offerId: string; now: Date };

export type OfferCommand =
  DraftOffer | SubmitOffer | CounterOffer | ReviseOffer | AcceptOffer | RejectOffer | WithdrawOffer | AttachOfferDocument | ExpireOffer;
