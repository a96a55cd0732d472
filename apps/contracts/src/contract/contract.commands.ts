import type { ContractOrigin, ContractTermsV2, SlaTerm } from '@dealledger/events';
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
  deliveryTerms?: string;
  intermediaryId?: string | null;
  fourEyes?: boolean;
  /** Exact decimal quantities; null removes a ceiling. */
  ceilings?: { sku: string; ceiling: string | null }[];
}

/** Issued by the process manager from OfferAccepted / TenderAwarded. */
export type DraftContract = { type: 'DraftContract'; contractId: string; origin: ContractOrigin; terms: ContractTermsV2 };
export type AmendContract = Base & { type: 'AmendContract'; changes: TermsChanges; note: string };
export type SignContract = Base & { type: 'SignContract'; role: string; termsHash: string; companyId?: string };
export type PlaceCallOff = Base & { type: 'PlaceCallOff'; callOffId: string; lines: { sku: string; quantity: string }[] };
export type ProposeRenewal = Base & { type: 'ProposeRenewal'; newEndDate: string };
export type TerminateContract = Base & { type: 'TerminateContract'; reason: string };
/** Issued by the contracts app's own end-date check. */
export type ExpireContract = { type: 'ExpireContract'; contractId: string; now: Date };

export type ContractCommand = DraftContract | AmendContract | SignContract | PlaceCallOff | ProposeRenewal | TerminateContract | ExpireContract;
