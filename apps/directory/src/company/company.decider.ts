import type { Decider } from '@dealledger/domain';
import type { CompanyRole, SigningRole } from '@dealledger/events';
import type { AddPerson, CompanyCommand, RegisterCompany } from './company.commands';
import { CompanyErrors } from './company.errors';
import type { CompanyEvent } from './company.events';

export interface Person {
  personId: string;
  name: string;
  email: string;
  position: string;
  signingRoles: SigningRole[];
}

export interface ApiKeyRecord {
  keyId: string;
  personId: string | null;
  secretHash: string;
}

export type CompanyState =
  | { status: 'unregistered' }
  | {
      status: 'registered';
      companyId: string;
      name: string;
      registrationNumber: string;
      country: string;
      roles: CompanyRole[];
      people: Person[];
      apiKeys: ApiKeyRecord[];
    };

export const initialState: CompanyState = { status: 'unregistered' };

export function evolve(state: CompanyState, event: CompanyEvent): CompanyState {
  switch (event.type) {
    case 'CompanyRegistered':
      return { status: 'registered', ...event.data, people: [], apiKeys: [] };
    case 'PersonAdded': {
      if (state.status !== 'registered') return state;
      const { companyId: _, ...person } = event.data;
      return { ...state, people: [...state.people, person] };
    }
    case 'ApiKeyIssued':
      if (state.status !== 'registered') return state;
      return { ...state, apiKeys: [...state.apiKeys, { keyId: event.data.keyId, personId: event.data.personId, secretHash: event.data.secretHash }] };
  }
}

function registerCompany(command: RegisterCompany, state: CompanyState): CompanyEvent[] {
  if (state.status === 'registered') throw CompanyErrors.alreadyRegistered(state.companyId);
  if (command.roles.length === 0) throw CompanyErrors.rolesRequired();
  const { companyId, name, registrationNumber, country, roles } = command;
  return [
    { type: 'CompanyRegistered', data: { companyId, name, registrationNumber, country, roles } },
    { type: 'ApiKeyIssued', data: { companyId, keyId: command.apiKey.keyId, personId: null, secretHash: command.apiKey.secretHash } },
  ];
}

function addPerson(command: AddPerson, state: CompanyState): CompanyEvent[] {
  if (state.status !== 'registered') throw CompanyErrors.notFound(command.companyId);
  const { requester } = command;
  if (requester.companyId !== state.companyId) throw CompanyErrors.notYours(state.companyId);
  if (requester.personId !== null && !requester.roles.includes('executive')) throw CompanyErrors.notAllowedToAddPeople();
  if (state.people.some((p) => p.personId === command.personId)) throw CompanyErrors.personExists(command.personId);
  const email = command.email.toLowerCase();
  if (state.people.some((p) => p.email === email)) throw CompanyErrors.emailTaken(email);
  if (command.signingRoles.includes('government') && !state.roles.includes('public_body')) throw CompanyErrors.governmentRoleNeedsPublicBody();
  if (state.apiKeys.some((k) => k.keyId === command.apiKey.keyId)) throw CompanyErrors.keyExists(command.apiKey.keyId);
  const { companyId, personId, name, position, signingRoles } = command;
  return [
    { type: 'PersonAdded', data: { companyId, personId, name, email, position, signingRoles } },
    { type: 'ApiKeyIssued', data: { companyId, keyId: command.apiKey.keyId, personId, secretHash: command.apiKey.secretHash } },
  ];
}

export function decide(command: CompanyCommand, state: CompanyState): CompanyEvent[] {
  switch (command.type) {
    case 'RegisterCompany':
      return registerCompany(command, state);
    case 'AddPerson':
      return addPerson(command, state);
  }
}

export const companyDecider: Decider<CompanyState, CompanyCommand, CompanyEvent> = { initialState, evolve, decide };

/**
 * Who an API key speaks for. `secretsMatch` compares hashes in constant time (the caller
 * provides it, keeping this module free of I/O and crypto).
 */
export function authenticate(
  state: CompanyState,
  keyId: string,
  secretHash: string,
  secretsMatch: (stored: string, presented: string) => boolean,
): { companyId: string; personId: string | null; roles: SigningRole[] } {
  if (state.status !== 'registered') throw CompanyErrors.invalidKey();
  const key = state.apiKeys.find((k) => k.keyId === keyId);
  if (!key || !secretsMatch(key.secretHash, secretHash)) throw CompanyErrors.invalidKey();
  if (key.personId === null) return { companyId: state.companyId, personId: null, roles: [] };
  const person = state.people.find((p) => p.personId === key.personId);
  if (!person) throw CompanyErrors.invalidKey();
  return { companyId: state.companyId, personId: person.personId, roles: person.signingRoles };
}

/** The parties each company event concerns: the company itself. */
export function partiesOf(event: CompanyEvent): string[] {
  return [event.data.companyId];
}
