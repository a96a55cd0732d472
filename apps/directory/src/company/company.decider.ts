import type { Decider } from '@dealledger/domain';
import type { CompanyRole, PersonalDataRecord, SigningRole } from '@dealledger/events';
import type {
  AddPerson,
  ChangePersonRoles,
  CompanyCommand,
  ErasePersonalData,
  IssueApiKey,
  RegisterCompany,
  RemovePerson,
  RevokeApiKey,
  VerifyCompany,
} from './company.commands';
import { CompanyErrors } from './company.errors';
import type { CompanyEvent } from './company.events';

/**
 * A person's name and e-mail as this fold knows them:
 * - `present`: opened by the directory's reader (or recorded in clear, before sealing);
 * - `erased`: their data key is gone or PersonalDataErased was recorded; they never show again;
 * - `sealed`: recorded sealed and not opened by this fold. Only an event just decided is
 *   folded so (the reader opens every event it loads); it counts as having no e-mail.
 */
export type PersonalData = { status: 'present'; name: string; email: string } | { status: 'erased' } | { status: 'sealed' };

export interface Person {
  personId: string;
  personalData: PersonalData;
  position: string;
  signingRoles: SigningRole[];
  /** Counts role changes: a token issued at an older version is refused everywhere. */
  rolesVersion: number;
  removed: boolean;
}

export interface ApiKeyRecord {
  keyId: string;
  personId: string | null;
  secretHash: string;
  revoked: boolean;
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
      /** Checked by an operator against the register; until then `public_body` grants nothing. */
      verified: boolean;
    };

export const initialState: CompanyState = { status: 'unregistered' };

export function evolve(state: CompanyState, event: CompanyEvent): CompanyState {
  switch (event.type) {
    case 'CompanyRegistered':
      return { status: 'registered', ...event.data, people: [], apiKeys: [], verified: false };
    case 'CompanyVerified':
      return state.status === 'registered' ? { ...state, verified: true } : state;
    case 'PersonAdded': {
      if (state.status !== 'registered') return state;
      const { personId, position, signingRoles } = event.data;
      const personalData = 'personalData' in event.data ? event.data.personalData : asRecorded(event.data.personal);
      return { ...state, people: [...state.people, { personId, personalData, position, signingRoles, rolesVersion: 0, removed: false }] };
    }
    case 'PersonalDataErased':
      if (state.status !== 'registered') return state;
      return { ...state, people: state.people.map((p) => (p.personId === event.data.personId ? { ...p, personalData: { status: 'erased' } } : p)) };
    case 'ApiKeyIssued':
      if (state.status !== 'registered') return state;
      return {
        ...state,
        apiKeys: [...state.apiKeys, { keyId: event.data.keyId, personId: event.data.personId, secretHash: event.data.secretHash, revoked: false }],
      };
    case 'ApiKeyRevoked':
      if (state.status !== 'registered') return state;
      return { ...state, apiKeys: state.apiKeys.map((k) => (k.keyId === event.data.keyId ? { ...k, revoked: true } : k)) };
    case 'PersonRemoved':
      if (state.status !== 'registered') return state;
      return { ...state, people: state.people.map((p) => (p.personId === event.data.personId ? { ...p, removed: true } : p)) };
    case 'PersonRolesChanged': {
      if (state.status !== 'registered') return state;
      const { signingRoles, rolesVersion } = event.data;
      return { ...state, people: state.people.map((p) => (p.personId === event.data.personId ? { ...p, signingRoles, rolesVersion } : p)) };
    }
  }
}

/** A PersonAdded folded as stored, not through the reader: clear text (v1) shows, a sealed record does not. */
function asRecorded(personal: PersonalDataRecord): PersonalData {
  return personal.alg === 'clear' ? { status: 'present', name: personal.name, email: personal.email } : { status: 'sealed' };
}

/** E-mails are compared (and recorded) lower-cased. */
export const normalizeEmail = (email: string) => email.toLowerCase();

/** A person's e-mail while it is known: an erased person has none, so it can be used again. */
export const emailOf = (person: Person): string | null => (person.personalData.status === 'present' ? person.personalData.email : null);

type Registered = Extract<CompanyState, { status: 'registered' }>;

/** The company's own key (no person) or one of its executives manages its people and keys. */
function mayManage(state: Registered, requester: { companyId: string; personId: string | null; roles: string[] }): boolean {
  return requester.companyId === state.companyId && (requester.personId === null || requester.roles.includes('executive'));
}

function registered(state: CompanyState, companyId: string, requester: { companyId: string }): Registered {
  if (state.status !== 'registered') throw CompanyErrors.notFound(companyId);
  if (requester.companyId !== state.companyId) throw CompanyErrors.notYours(state.companyId);
  return state;
}

function activePerson(state: Registered, personId: string): Person {
  const person = state.people.find((p) => p.personId === personId && !p.removed);
  if (!person) throw CompanyErrors.personNotFound(personId);
  return person;
}

/** A new key for the company or one of its people; a person may also rotate their own. */
function issueApiKey(command: IssueApiKey, state: CompanyState): CompanyEvent[] {
  const company = registered(state, command.companyId, command.requester);
  const own = command.personId !== null && command.requester.personId === command.personId;
  if (!own && !mayManage(company, command.requester)) throw CompanyErrors.notAllowedToManageAccess();
  if (command.personId !== null) activePerson(company, command.personId);
  if (company.apiKeys.some((k) => k.keyId === command.apiKey.keyId)) throw CompanyErrors.keyExists(command.apiKey.keyId);
  return [
    {
      type: 'ApiKeyIssued',
      data: { companyId: company.companyId, keyId: command.apiKey.keyId, personId: command.personId, secretHash: command.apiKey.secretHash },
    },
  ];
}

/** Revoked by the company (its key or an executive) or by the key's own holder. */
function revokeApiKey(command: RevokeApiKey, state: CompanyState): CompanyEvent[] {
  const company = registered(state, command.companyId, command.requester);
  const key = company.apiKeys.find((k) => k.keyId === command.keyId);
  if (!key) throw CompanyErrors.keyNotFound(command.keyId);
  const own = key.personId !== null && key.personId === command.requester.personId;
  if (!own && !mayManage(company, command.requester)) throw CompanyErrors.notAllowedToManageAccess();
  if (key.revoked) throw CompanyErrors.keyAlreadyRevoked(command.keyId);
  return [{ type: 'ApiKeyRevoked', data: { companyId: company.companyId, keyId: key.keyId, personId: key.personId, reason: 'revoked' } }];
}

/** The person's keys are revoked with them: each an event, so every app learns each. */
function removePerson(command: RemovePerson, state: CompanyState): CompanyEvent[] {
  const company = registered(state, command.companyId, command.requester);
  if (!mayManage(company, command.requester)) throw CompanyErrors.notAllowedToManageAccess();
  const person = activePerson(company, command.personId);
  return [
    { type: 'PersonRemoved', data: { companyId: company.companyId, personId: person.personId } },
    ...company.apiKeys
      .filter((k) => k.personId === person.personId && !k.revoked)
      .map((k): CompanyEvent => ({
        type: 'ApiKeyRevoked',
        data: { companyId: company.companyId, keyId: k.keyId, personId: person.personId, reason: 'person_removed' },
      })),
  ];
}

function changePersonRoles(command: ChangePersonRoles, state: CompanyState): CompanyEvent[] {
  const company = registered(state, command.companyId, command.requester);
  if (!mayManage(company, command.requester)) throw CompanyErrors.notAllowedToManageAccess();
  const person = activePerson(company, command.personId);
  if (command.signingRoles.includes('government') && !(company.roles.includes('public_body') && company.verified))
    throw CompanyErrors.governmentRoleNeedsPublicBody();
  const same = person.signingRoles.length === command.signingRoles.length && command.signingRoles.every((r) => person.signingRoles.includes(r));
  if (same) return [];
  return [
    {
      type: 'PersonRolesChanged',
      data: { companyId: company.companyId, personId: person.personId, signingRoles: command.signingRoles, rolesVersion: person.rolesVersion + 1 },
    },
  ];
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
  const email = normalizeEmail(command.email);
  if (state.people.some((p) => emailOf(p) === email && !p.removed)) throw CompanyErrors.emailTaken(email);
  if (command.signingRoles.includes('government') && !(state.roles.includes('public_body') && state.verified))
    throw CompanyErrors.governmentRoleNeedsPublicBody();
  if (state.apiKeys.some((k) => k.keyId === command.apiKey.keyId)) throw CompanyErrors.keyExists(command.apiKey.keyId);
  const { companyId, personId, personal, position, signingRoles } = command;
  return [
    // Name and e-mail only sealed (by the handler, with the person's own key): erasable.
    { type: 'PersonAdded', data: { companyId, personId, personal, position, signingRoles } },
    { type: 'ApiKeyIssued', data: { companyId, keyId: command.apiKey.keyId, personId, secretHash: command.apiKey.secretHash } },
  ];
}

/**
 * The person themselves, their company (its own key or an executive, as for removing people) or
 * an operator may erase a person's name and e-mail, also after the person left. Another company
 * hears 404, as for a person that does not exist. Erasing again records nothing (idempotent).
 */
function erasePersonalData(command: ErasePersonalData, state: CompanyState): CompanyEvent[] {
  const requester = command.byOperator ? null : command.requester;
  if (!command.byOperator && requester?.companyId !== command.companyId) throw CompanyErrors.noSuchPerson(command.personId);
  if (state.status !== 'registered') throw CompanyErrors.notFound(command.companyId);
  const person = state.people.find((p) => p.personId === command.personId);
  if (!person) throw CompanyErrors.noSuchPerson(command.personId);
  if (requester && requester.personId !== person.personId && !mayManage(state, requester)) throw CompanyErrors.notAllowedToErase();
  if (person.personalData.status === 'erased') return [];
  return [{ type: 'PersonalDataErased', data: { companyId: state.companyId, personId: person.personId } }];
}

/** The operator's check of the registration; once. */
function verifyCompany(command: VerifyCompany, state: CompanyState): CompanyEvent[] {
  if (state.status !== 'registered') throw CompanyErrors.notFound(command.companyId);
  if (state.verified) throw CompanyErrors.alreadyVerified(state.companyId);
  return [{ type: 'CompanyVerified', data: { companyId: state.companyId, note: command.note } }];
}

export function decide(command: CompanyCommand, state: CompanyState): CompanyEvent[] {
  switch (command.type) {
    case 'RegisterCompany':
      return registerCompany(command, state);
    case 'AddPerson':
      return addPerson(command, state);
    case 'IssueApiKey':
      return issueApiKey(command, state);
    case 'RevokeApiKey':
      return revokeApiKey(command, state);
    case 'RemovePerson':
      return removePerson(command, state);
    case 'ChangePersonRoles':
      return changePersonRoles(command, state);
    case 'VerifyCompany':
      return verifyCompany(command, state);
    case 'ErasePersonalData':
      return erasePersonalData(command, state);
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
): { companyId: string; personId: string | null; roles: SigningRole[]; keyId: string; rolesVersion: number } {
  if (state.status !== 'registered') throw CompanyErrors.invalidKey();
  const key = state.apiKeys.find((k) => k.keyId === keyId);
  if (!key || key.revoked || !secretsMatch(key.secretHash, secretHash)) throw CompanyErrors.invalidKey();
  if (key.personId === null) return { companyId: state.companyId, personId: null, roles: [], keyId, rolesVersion: 0 };
  const person = state.people.find((p) => p.personId === key.personId && !p.removed);
  if (!person) throw CompanyErrors.invalidKey();
  return { companyId: state.companyId, personId: person.personId, roles: person.signingRoles, keyId, rolesVersion: person.rolesVersion };
}

/** The parties each company event concerns: the company itself. */
export function partiesOf(event: CompanyEvent): string[] {
  return [event.data.companyId];
}
