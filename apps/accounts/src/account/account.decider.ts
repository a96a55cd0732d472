import { fold, type Decider, type Requester } from '@dealledger/domain';
import {
  DECISION_ROLES,
  type AccountEvent,
  type AccountTarget,
  type AccountTier,
  type DecisionRole,
  type SealedPersonalData,
  type Stance,
  type TargetKind,
  type TeamPart,
} from '@dealledger/events';
import type {
  AccountCommand,
  AssignTeamMember,
  ChangeStakeholder,
  EraseContact,
  MapStakeholder,
  RecordTouch,
  RegisterProspect,
  ReleaseTeamMember,
  RemoveStakeholder,
  TargetAccount,
} from './account.commands';
import { AccountErrors as Errors } from './account.errors';

export interface Stakeholder {
  stakeholderId: string;
  personId: string | null;
  contact: SealedPersonalData | null;
  position: string;
  role: DecisionRole;
  stance: Stance;
  removed: boolean;
  /** The contact's key is gone: the sealed record stays, unreadable. */
  erased: boolean;
  /** The latest touch that reached them (by when it happened, not when it was recorded). */
  lastTouchAt: string | null;
}

export type AccountState =
  | { status: 'none' }
  | {
      status: 'active';
      accountId: string;
      sellerId: string;
      target: AccountTarget;
      tier: AccountTier;
      ownerId: string;
      /** The company a prospect registered as; null until then (and for other kinds). */
      registeredCompanyId: string | null;
      /** personId → the one part they play. */
      team: Record<string, TeamPart>;
      /** Removed ones stay: their ids are not reused, and their contacts may still be erased. */
      stakeholders: Record<string, Stakeholder>;
      touchIds: string[];
    };
type Active = Extract<AccountState, { status: 'active' }>;

export const initialState: AccountState = { status: 'none' };

/** At most this many current stakeholders on one account's map. */
export const MAX_STAKEHOLDERS = 100;
/** Nothing the ledger records happened before this. */
const EARLIEST_TOUCH = Date.parse('2000-01-01T00:00:00Z');

const later = (a: string | null, b: string) => (a === null || Date.parse(b) > Date.parse(a) ? b : a);

function withStakeholder(s: Active, id: string, change: (x: Stakeholder) => Partial<Stakeholder>): Active {
  const x = s.stakeholders[id];
  return x ? { ...s, stakeholders: { ...s.stakeholders, [id]: { ...x, ...change(x) } } } : s;
}

export function evolve(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountTargeted') {
    const { accountId, sellerId, target, tier, ownerId } = event.data;
    return { status: 'active', accountId, sellerId, target, tier, ownerId, registeredCompanyId: null, team: {}, stakeholders: {}, touchIds: [] };
  }
  if (state.status === 'none') return state;
  const s = state;
  switch (event.type) {
    case 'AccountTeamAssigned':
      return { ...s, team: { ...s.team, [event.data.personId]: event.data.part } };
    case 'AccountTeamReleased': {
      const team = { ...s.team };
      delete team[event.data.personId];
      return { ...s, team };
    }
    case 'ProspectRegistered':
      return { ...s, registeredCompanyId: event.data.companyId };
    case 'StakeholderMapped': {
      const { stakeholderId, personId, contact, position, role, stance } = event.data;
      const x: Stakeholder = { stakeholderId, personId, contact, position, role, stance, removed: false, erased: false, lastTouchAt: null };
      return { ...s, stakeholders: { ...s.stakeholders, [stakeholderId]: x } };
    }
    case 'StakeholderChanged':
      return withStakeholder(s, event.data.stakeholderId, () => ({ role: event.data.role, stance: event.data.stance }));
    case 'StakeholderRemoved':
      return withStakeholder(s, event.data.stakeholderId, () => ({ removed: true }));
    case 'ContactErased':
      return withStakeholder(s, event.data.stakeholderId, () => ({ erased: true }));
    case 'TouchRecorded': {
      const { touchId, stakeholderIds, at } = event.data;
      const touched = stakeholderIds.reduce((acc, id) => withStakeholder(acc, id, (x) => ({ lastTouchAt: later(x.lastTouchAt, at) })), s);
      return { ...touched, touchIds: [...s.touchIds, touchId] };
    }
  }
}

// ---- rules ----

const ref = (s: Active) => ({ accountId: s.accountId, sellerId: s.sellerId });

function person(r: Requester): string {
  if (!r.personId) throw Errors.personRequired();
  return r.personId;
}
function found(state: AccountState, accountId: string): Active {
  if (state.status === 'none') throw Errors.accountNotFound(accountId);
  return state;
}
/** The account, if the requester is of its seller: to anyone else it does not exist, as a missing one. */
function own(state: AccountState, accountId: string, r: Requester): Active {
  const s = found(state, accountId);
  if (r.companyId !== s.sellerId) throw Errors.accountNotFound(accountId);
  return s;
}
function stakeholder(s: Active, id: string): Stakeholder {
  const x = s.stakeholders[id];
  if (!x) throw Errors.stakeholderNotFound(id);
  return x;
}
function current(s: Active, id: string): Stakeholder {
  const x = stakeholder(s, id);
  if (x.removed) throw Errors.stakeholderRemoved(id);
  return x;
}
function once(what: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw Errors.duplicate(what, id);
    seen.add(id);
  }
}

const TARGET_FIELDS = ['companyId', 'name', 'registrationNumber', 'country', 'naceCode'] as const;
const TARGET_NEEDS: Record<TargetKind, readonly (typeof TARGET_FIELDS)[number][]> = {
  company: ['companyId'],
  prospect: ['name', 'registrationNumber', 'country'],
  industry: ['naceCode', 'name'],
};
/** The target with exactly its kind's fields, the others null (absent ones included). */
function consistent(t: AccountTarget): AccountTarget {
  const needs = TARGET_NEEDS[t.kind];
  const out: AccountTarget = { kind: t.kind, companyId: null, name: null, registrationNumber: null, country: null, naceCode: null };
  for (const f of TARGET_FIELDS) {
    const v = t[f] ?? null;
    if (needs.includes(f)) {
      if (v === null || v.trim() === '') throw Errors.targetInconsistent(t.kind, `needs ${needs.join(', ')}`);
      out[f] = v;
    } else if (v !== null) throw Errors.targetInconsistent(t.kind, `has no ${f}`);
  }
  return out;
}

function target(c: TargetAccount, state: AccountState): AccountEvent[] {
  if (c.requester.companyId !== c.sellerId) throw Errors.sellerOnly('target an account');
  const by = person(c.requester);
  if (state.status !== 'none') throw Errors.alreadyExists('account', c.accountId);
  const t = consistent(c.target);
  if (t.companyId === c.sellerId) throw Errors.selfTarget();
  return [{ type: 'AccountTargeted', data: { accountId: c.accountId, sellerId: c.sellerId, target: t, tier: c.tier, ownerId: c.ownerId, targetedBy: by } }];
}

function assign(c: AssignTeamMember, state: AccountState): AccountEvent[] {
  const s = own(state, c.accountId, c.requester);
  const by = person(c.requester);
  const part = s.team[c.personId];
  if (part) throw Errors.alreadyOnTeam(c.personId, part);
  return [{ type: 'AccountTeamAssigned', data: { ...ref(s), personId: c.personId, part: c.part, assignedBy: by } }];
}

function release(c: ReleaseTeamMember, state: AccountState): AccountEvent[] {
  const s = own(state, c.accountId, c.requester);
  const by = person(c.requester);
  if (!s.team[c.personId]) throw Errors.notOnTeam(c.personId);
  if (c.personId === s.ownerId) throw Errors.ownerCannotLeave(c.personId);
  return [{ type: 'AccountTeamReleased', data: { ...ref(s), personId: c.personId, releasedBy: by } }];
}

function registerProspect(c: RegisterProspect, state: AccountState): AccountEvent[] {
  const s = found(state, c.accountId);
  if (s.target.kind !== 'prospect') throw Errors.notAProspect(c.accountId);
  // Issued from the directory's topic: a registration that changes nothing records nothing
  // (a refusal would dead-letter the registration for every seller). The seller's own
  // registration does not make it its own target.
  if (s.registeredCompanyId || c.companyId === s.sellerId) return [];
  return [{ type: 'ProspectRegistered', data: { ...ref(s), companyId: c.companyId } }];
}

function map(c: MapStakeholder, state: AccountState): AccountEvent[] {
  const s = own(state, c.accountId, c.requester);
  const by = person(c.requester);
  if (s.target.kind === 'industry') throw Errors.industryHasNoCommittee();
  if ((c.personId === null) === (c.contact === null)) throw Errors.oneIdentity();
  // One key per contact, so that erasing one erases no other.
  if (c.contact && c.contact.keyId !== c.stakeholderId) throw Errors.contactKey(c.stakeholderId);
  if (s.stakeholders[c.stakeholderId]) throw Errors.alreadyExists('stakeholder', c.stakeholderId);
  const mapped = Object.values(s.stakeholders).filter((x) => !x.removed);
  if (c.personId && mapped.some((x) => x.personId === c.personId)) throw Errors.alreadyMapped(c.personId);
  if (mapped.length >= MAX_STAKEHOLDERS) throw Errors.tooManyStakeholders(MAX_STAKEHOLDERS);
  const { stakeholderId, personId, contact, position, role, stance } = c;
  return [{ type: 'StakeholderMapped', data: { ...ref(s), stakeholderId, personId, contact, position, role, stance, mappedBy: by } }];
}

function change(c: ChangeStakeholder, state: AccountState): AccountEvent[] {
  const s = own(state, c.accountId, c.requester);
  const by = person(c.requester);
  const x = current(s, c.stakeholderId);
  if (x.role === c.role && x.stance === c.stance) throw Errors.nothingChanged(c.stakeholderId);
  return [{ type: 'StakeholderChanged', data: { ...ref(s), stakeholderId: c.stakeholderId, role: c.role, stance: c.stance, changedBy: by } }];
}

function remove(c: RemoveStakeholder, state: AccountState): AccountEvent[] {
  const s = own(state, c.accountId, c.requester);
  const by = person(c.requester);
  current(s, c.stakeholderId);
  return [{ type: 'StakeholderRemoved', data: { ...ref(s), stakeholderId: c.stakeholderId, removedBy: by } }];
}

/** The seller's people or an operator; also after the stakeholder left the map. */
function erase(c: EraseContact, state: AccountState): AccountEvent[] {
  const s = c.requester ? own(state, c.accountId, c.requester) : found(state, c.accountId);
  const by = c.requester && person(c.requester);
  const x = stakeholder(s, c.stakeholderId);
  if (!x.contact) throw Errors.notAContact(c.stakeholderId);
  // Erasing again records nothing (the key is gone already): as for the directory's people.
  if (x.erased) return [];
  return [{ type: 'ContactErased', data: { ...ref(s), stakeholderId: c.stakeholderId, erasedBy: by } }];
}

function touch(c: RecordTouch, state: AccountState): AccountEvent[] {
  const s = own(state, c.accountId, c.requester);
  const by = person(c.requester);
  if (s.touchIds.includes(c.touchId)) throw Errors.alreadyExists('touch', c.touchId);
  const at = Date.parse(c.at);
  if (Number.isNaN(at)) throw Errors.touchDate(c.at);
  if (at > c.now.getTime()) throw Errors.touchInFuture();
  if (at < EARLIEST_TOUCH) throw Errors.touchTooEarly();
  if (!c.summary.trim()) throw Errors.summaryRequired();
  if (!c.sellerPeople.length) throw Errors.sellerPeopleRequired();
  once('person', c.sellerPeople);
  once('stakeholder', c.stakeholderIds);
  for (const id of c.stakeholderIds) if (!s.stakeholders[id] || s.stakeholders[id].removed) throw Errors.unknownStakeholder(id);
  const { touchId, channel, campaignId, sellerPeople, stakeholderIds, summary } = c;
  // In UTC, so that touches compare as strings in the state and the read tables.
  const when = new Date(at).toISOString();
  return [{ type: 'TouchRecorded', data: { ...ref(s), touchId, channel, at: when, campaignId, sellerPeople, stakeholderIds, summary, recordedBy: by } }];
}

export function decide(command: AccountCommand, state: AccountState): AccountEvent[] {
  switch (command.type) {
    case 'TargetAccount':
      return target(command, state);
    case 'AssignTeamMember':
      return assign(command, state);
    case 'ReleaseTeamMember':
      return release(command, state);
    case 'RegisterProspect':
      return registerProspect(command, state);
    case 'MapStakeholder':
      return map(command, state);
    case 'ChangeStakeholder':
      return change(command, state);
    case 'RemoveStakeholder':
      return remove(command, state);
    case 'EraseContact':
      return erase(command, state);
    case 'RecordTouch':
      return touch(command, state);
  }
}

export const accountDecider: Decider<AccountState, AccountCommand, AccountEvent> = { initialState, evolve, decide };

/** Every account event is the seller's alone. */
export function partiesOf(event: AccountEvent): string[] {
  return [event.data.sellerId];
}

/** The company the account targets: the target's, or the one its prospect registered as; null for an industry or an unregistered prospect. */
export function effectiveCompanyId(state: AccountState): string | null {
  if (state.status === 'none') return null;
  return state.target.companyId ?? state.registeredCompanyId;
}

export type CommitteeMember = Omit<Stakeholder, 'removed'>;
export type DatedAccountEvent = AccountEvent & { occurredAt: string };

/**
 * The map of the buying committee as the seller had it at `asOf`: the events recorded by then
 * (a touch is never dated after it was recorded, so each last touch is before `asOf` too). An
 * erasure reaches back: a contact erased later is erased in every past map as well.
 */
export function committeeAsOf(events: readonly DatedAccountEvent[], asOf: string): Record<string, CommitteeMember> {
  const until = Date.parse(asOf);
  const known = events.filter((e) => Date.parse(e.occurredAt) <= until);
  const state = fold({ initialState, evolve }, known);
  if (state.status === 'none') return {};
  const erased = new Set(events.flatMap((e) => (e.type === 'ContactErased' ? [e.data.stakeholderId] : [])));
  const committee: Record<string, CommitteeMember> = {};
  for (const { removed, ...x } of Object.values(state.stakeholders))
    if (!removed) committee[x.stakeholderId] = { ...x, erased: x.erased || erased.has(x.stakeholderId) };
  return committee;
}

/** The decision roles no current stakeholder plays: the gaps in the seller's map of the committee. */
export function coverage(state: AccountState): DecisionRole[] {
  const played = new Set(state.status === 'none' ? [] : Object.values(state.stakeholders).flatMap((x) => (x.removed ? [] : [x.role])));
  return DECISION_ROLES.filter((role) => !played.has(role));
}
