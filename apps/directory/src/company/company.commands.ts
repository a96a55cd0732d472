import type { Requester } from '@dealledger/domain';
import type { CompanyRole, SigningRole } from '@dealledger/events';

/** A new API key: the handler makes the secret; the decider only ever sees its hash. */
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

export interface AddPerson {
  type: 'AddPerson';
  companyId: string;
  personId: string;
  name: string;
  email: string;
  position: string;
  signingRoles: SigningRole[];
  apiKey: NewApiKey;
  requester: Requester;
}

export type CompanyCommand = RegisterCompany | AddPerson;
