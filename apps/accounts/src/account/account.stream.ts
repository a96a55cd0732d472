import { fold, type Requester } from '@dealledger/domain';
import type { AccountEvent } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import { openPersonalData, type PersonalData, type PersonalDataVault } from '@dealledger/platform';
import { accountDecider, AccountState, committeeAsOf, coverage, DatedAccountEvent, effectiveCompanyId, Stakeholder } from './account.decider';
import { AccountErrors } from './account.errors';

export const accountStreamId = (accountId: string) => `account-${accountId}`;

export async function loadAccount(store: PostgresEventStore, accountId: string) {
  const recorded = await store.readStream(accountStreamId(accountId));
  const events = recorded.map((r) => ({ type: r.type, data: r.data, occurredAt: r.occurredAt }) as DatedAccountEvent);
  return { state: fold(accountDecider, events as AccountEvent[]), version: recorded.length, events };
}

/** The account as the seller's people see it; anyone else gets a 404, as for an account that does not exist. */
export function ownAccount(state: AccountState, viewer: Requester, accountId: string): Extract<AccountState, { status: 'active' }> {
  if (state.status === 'none' || state.sellerId !== viewer.companyId) throw AccountErrors.accountNotFound(accountId);
  return state;
}

/** A contact's name, e-mail and profile, opened with its key; `erased` once the key is gone. */
type ContactView = (PersonalData & { status: 'present' }) | { status: 'erased' };

/** Opens every sealed contact of these stakeholders that still has its key. */
export async function openContacts(
  vault: PersonalDataVault,
  stakeholders: Pick<Stakeholder, 'stakeholderId' | 'contact'>[],
): Promise<Map<string, ContactView>> {
  const sealed = stakeholders.filter((s) => s.contact !== null);
  const keys = await vault.dataKeys(sealed.map((s) => s.stakeholderId));
  const opened = new Map<string, ContactView>();
  for (const s of sealed) {
    const key = keys.get(s.stakeholderId);
    opened.set(s.stakeholderId, key ? { status: 'present', ...openPersonalData(s.contact!, key, s.stakeholderId) } : { status: 'erased' });
  }
  return opened;
}

function stakeholderView(s: Omit<Stakeholder, 'removed'>, contacts: Map<string, ContactView>) {
  const { contact: _sealed, erased: _e, ...rest } = s;
  return { ...rest, contact: s.contact === null ? null : (contacts.get(s.stakeholderId) ?? { status: 'erased' }) };
}

export async function accountView(state: AccountState, viewer: Requester, accountId: string, vault: PersonalDataVault) {
  const a = ownAccount(state, viewer, accountId);
  const current = Object.values(a.stakeholders).filter((s) => !s.removed);
  const contacts = await openContacts(vault, current);
  return {
    accountId: a.accountId,
    sellerId: a.sellerId,
    target: a.target,
    companyId: effectiveCompanyId(a),
    tier: a.tier,
    ownerId: a.ownerId,
    team: Object.entries(a.team).map(([personId, part]) => ({ personId, part })),
    committee: current.map(({ removed: _r, ...s }) => stakeholderView(s, contacts)),
    // The decision roles nobody on the map plays (an industry has no committee).
    missingRoles: a.target.kind === 'industry' ? [] : coverage(a),
    touches: a.touchIds.length,
  };
}

/** The committee as the seller had mapped it at `asOf`. */
export async function committeeView(events: DatedAccountEvent[], asOf: string, vault: PersonalDataVault) {
  const members = Object.values(committeeAsOf(events, asOf));
  const contacts = await openContacts(vault, members);
  return members.map((m) => stakeholderView(m, contacts));
}
