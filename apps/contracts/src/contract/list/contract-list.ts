import { sumQuantities } from '@dealledger/domain';
import type { ContractEvent, ContractOrigin, ContractTermsV2, RequiredSignature } from '@dealledger/events';
import { contractValue } from '../contract.decider';

/**
 * The list's statuses, from the decider's: `drafting` is `draft` until a signature is on the
 * current terms and `awaiting_signatures` from then on (an amendment voids the signatures: back
 * to `draft`); `executed` is `in_force` (a renewal waiting for its signatures leaves it so);
 * `expired` and `terminated` as they are.
 */
export const CONTRACT_LIST_STATUSES = ['draft', 'awaiting_signatures', 'in_force', 'expired', 'terminated'] as const;
export type ContractListStatus = (typeof CONTRACT_LIST_STATUSES)[number];

/** A company's part in a contract. */
export const CONTRACT_PARTY_ROLES = ['buyer', 'supplier', 'intermediary'] as const;
export type ContractPartyRole = (typeof CONTRACT_PARTY_ROLES)[number];

/** What the list keeps of the terms; replaced whole when the terms are (amendment, execution). */
export interface ContractListTerms {
  intermediaryId: string | null;
  startDate: string;
  endDate: string;
  currency: string;
  /** Committed volume at the committed tier prices (as ContractExecuted states it). */
  contractValue: string;
  /** Committed volume summed over the items (exact decimal). */
  committedVolume: string;
  /** What full-text search finds it by: skus, item descriptions and the terms' text fields. */
  text: string;
}

/** What the list keeps of a contract; one row per contract. */
export interface ContractListRow extends ContractListTerms {
  contractId: string;
  buyerId: string;
  supplierId: string;
  status: ContractListStatus;
  origin: ContractOrigin['kind'];
  originId: string;
  termsVersion: number;
  /** Call-off line quantities summed over every call-off (exact decimal). */
  calledOffVolume: string;
  /** Required signatures not yet on the current terms, while it is being signed; none once in force. */
  awaitingSignatures: RequiredSignature[];
}

export type ContractListChange =
  | { created: ContractListRow }
  /** New terms: their columns replaced, the signatures owed counted again from them. */
  | { terms: ContractListTerms & Pick<ContractListRow, 'contractId' | 'status' | 'termsVersion' | 'awaitingSignatures'> }
  /**
   * A signature on the terms of this version: no longer owed, while the contract is being signed
   * (a signature of a renewal, on the next version of a contract in force, changes no column).
   */
  | { signed: { contractId: string; termsVersion: number; companyId: string; role: string; status: 'awaiting_signatures' } }
  /** Added to the volume called off. */
  | { calledOff: { contractId: string; quantity: string } }
  | { changed: Partial<Pick<ContractListRow, 'status' | 'endDate' | 'termsVersion'>> & { contractId: string } };

/** How a contract event changes its list row (pure, as the decider's evolve). */
export function contractListChange(event: ContractEvent): ContractListChange | null {
  switch (event.type) {
    case 'ContractDrafted': {
      const d = event.data;
      return {
        created: {
          contractId: d.contractId,
          buyerId: d.buyerId,
          supplierId: d.supplierId,
          status: 'draft',
          origin: d.origin.kind,
          originId: d.origin.id,
          termsVersion: d.termsVersion,
          calledOffVolume: '0',
          awaitingSignatures: owed(d.terms),
          ...termsOf(d.terms, contractValue(d.terms)),
        },
      };
    }
    case 'ContractAmended': {
      const d = event.data;
      return {
        terms: {
          contractId: d.contractId,
          status: 'draft',
          termsVersion: d.termsVersion,
          awaitingSignatures: owed(d.terms),
          ...termsOf(d.terms, contractValue(d.terms)),
        },
      };
    }
    case 'ContractSigned': {
      const { contractId, termsVersion, companyId, role } = event.data;
      return { signed: { contractId, termsVersion, companyId, role, status: 'awaiting_signatures' } };
    }
    case 'ContractExecuted': {
      const d = event.data;
      return {
        terms: { contractId: d.contractId, status: 'in_force', termsVersion: d.termsVersion, awaitingSignatures: [], ...termsOf(d.terms, d.contractValue) },
      };
    }
    case 'CallOffPlaced':
      return { calledOff: { contractId: event.data.contractId, quantity: sumQuantities(event.data.lines.map((l) => l.quantity)) } };
    case 'ContractRenewed':
      return { changed: { contractId: event.data.contractId, endDate: event.data.endDate, termsVersion: event.data.termsVersion } };
    case 'ContractTerminated':
      return { changed: { contractId: event.data.contractId, status: 'terminated' } };
    case 'ContractExpired':
      return { changed: { contractId: event.data.contractId, status: 'expired' } };
    default:
      // ContractRenewalProposed: the terms stay those in force until the renewal is signed.
      return null;
  }
}

const owed = (terms: ContractTermsV2): RequiredSignature[] => terms.requiredSignatures.map(({ companyId, role }) => ({ companyId, role }));

function termsOf(terms: ContractTermsV2, value: string): ContractListTerms {
  return {
    intermediaryId: terms.intermediaryId ?? null,
    startDate: terms.startDate,
    endDate: terms.endDate,
    currency: terms.currency,
    contractValue: value,
    committedVolume: sumQuantities(terms.items.map((i) => i.committedVolume)),
    text: [...terms.items.map((i) => `${i.sku} ${i.description}`), terms.governingLaw, terms.paymentTerms, terms.deliveryTerms].join(' '),
  };
}
