import type { Requester } from '@dealledger/domain';
import type { CompanyRole, SealedPersonalData, SigningRole } from '@dealledger/events';

/** A new API key: the controller makes the secret and shows it once; commands and events carry only its hash. */
export interface NewApiKey {
  keyId: string;
  secretHash: string;
}

export interface RegisterCompany {
  type: 'RegisterCompany';
  companyId: string;
  name: string;
  registrationNumber: string;
  country: string;
  roles: CompanyRole[];
  apiKey: NewApiKey;
}

/**
 * The handler seals the name and e-mail with the person's new data key before deciding; the
 * decider records only the sealed record. `email` comes along in clear for the uniqueness check.
 */
export interface AddPerson {
  type: 'AddPerson';
  companyId: string;
  personId: string;
  email: string;
  personal: SealedPersonalData;
  position: string;
  signingRoles: SigningRole[];
  apiKey: NewApiKey;
  requester: Requester;
}

export interface IssueApiKey {
  type: 'IssueApiKey';
  companyId: string;
  /** null: a key of the company itself. */
  personId: string | null;
  apiKey: NewApiKey;
  requester: Requester;
}

export interface RevokeApiKey {
  type: 'RevokeApiKey';
  companyId: string;
  keyId: string;
  requester: Requester;
}

export interface RemovePerson {
  type: 'RemovePerson';
  companyId: string;
  personId: string;
  requester: Requester;
}

export interface ChangePersonRoles {
  type: 'ChangePersonRoles';
  companyId: string;
  personId: string;
  signingRoles: SigningRole[];
  requester: Requester;
}

/** Issued by an operator (X-Admin-Key), not by a company. */
export interface VerifyCompany {
  type: 'VerifyCompany';
  companyId: string;
  note: string;
}

/**
 * Erase a person's name and e-mail (their data key is deleted with the event). `byOperator`:
 * asked with X-Admin-Key, which the controller checked; otherwise the requester's rights count.
 */
export interface ErasePersonalData {
  type: 'ErasePersonalData';
  companyId: string;
  personId: string;
  byOperator: boolean;
  requester: Requester | null;
}

export type CompanyCommand = RegisterCompany | AddPerson | IssueApiKey | RevokeApiKey | RemovePerson | ChangePersonRoles | VerifyCompany | ErasePersonalData;
