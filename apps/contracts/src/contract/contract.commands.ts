import type { ContractOrigin, ContractTermsV3, DocumentRef, PaymentTermsV3, SlaTerm } from '@dealledger/events';
import type { Requester } from '@dealledger/domain';

interface Base {
  contractId: string;
  requester: Requester;
  now: Date;
}

/** What either party may change while the contract is being signed. */
export interface TermsChanges {
  startDate?: string;
  endDate?: string;
  sla?: SlaTerm[];
  governingLaw?: string;
  paymentTerms?: string;
  /** Structured payment terms; when only `paymentTerms` is given they are read from its text. */
  payment?: PaymentTermsV3 | null;
  deliveryTerms?: string;
  intermediaryId?: string | null;
  fourEyes?: boolean;
  /** Exact decimal quantities; null removes a ceiling. */
  ceilings?: { sku: string; ceiling: string | null }[];
  /** The whole list of attached documents, replacing the current one; resolved (see ContractDocumentsResolver). */
  documents?: DocumentRef[];
}

/** Issued by the process manager from OfferAccepted / TenderAwarded. */
export type DraftContract = { type: 'DraftContract'; contractId: string; origin: ContractOrigin; terms: ContractTermsV3 };
export type AmendContract = Base & { type: 'AmendContract'; changes: TermsChanges; note: string };
export type SignContract = Base & { type: 'SignContract'; role: string; termsHash: string; companyId?: string };
export type PlaceCallOff = Base & { type: 'PlaceCallOff'; callOffId: string; lines: { sku: string; quantity: string }[] };
export type ProposeRenewal = Base & { type: 'ProposeRenewal'; newEndDate: string };
export type TerminateContract = Base & { type: 'TerminateContract'; reason: string };
/** Issued by the contracts app's own end-date check. */
export type ExpireContract = { type: 'ExpireContract'; contractId: string; now: Date };

export type ContractCommand = DraftContract | AmendContract | SignContract | PlaceCallOff | ProposeRenewal | TerminateContract | ExpireContract;

/** A document as an amendment names it: the hash an upload answered and the name to attach it under. */
export interface NamedDocument {
  sha256: string;
  name: string;
}
/** An amendment as sent, its documents named but not yet looked up. */
export type AmendContractUnresolved = Omit<AmendContract, 'changes'> & { changes: Omit<TermsChanges, 'documents'> & { documents?: NamedDocument[] } };
export type ContractCommandToPrepare = Exclude<ContractCommand, AmendContract> | AmendContractUnresolved;
