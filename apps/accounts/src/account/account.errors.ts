import { conflict, forbidden, invalid, notFound } from '@dealledger/domain';

export const AccountErrors = {
  accountNotFound: (id: string) => notFound('accounts.account_not_found', `no account ${id} of yours`),
  stakeholderNotFound: (id: string) => notFound('accounts.stakeholder_not_found', `no stakeholder ${id} on this account`),
  notOnTeam: (personId: string) => notFound('accounts.not_on_team', `${personId} is not on the account team`),
  sellerOnly: (action: string) => forbidden('accounts.seller_only', `only the seller's people can ${action}`),
  personRequired: () => forbidden('accounts.person_required', 'this needs a person, not a company key'),
  alreadyExists: (what: string, id: string) => conflict('accounts.already_exists', `${what} ${id} already exists`),
  targetInconsistent: (kind: string, rule: string) => invalid('accounts.target_inconsistent', `a ${kind} target ${rule}`),
  selfTarget: () => invalid('accounts.self_target', 'a seller cannot target itself'),
  alreadyOnTeam: (personId: string, part: string) =>
    conflict('accounts.already_on_team', `${personId} is on the team as ${part}: one part per person, release them first`),
  ownerCannotLeave: (personId: string) => conflict('accounts.owner_cannot_leave', `${personId} owns the account and stays on its team`),
  notAProspect: (id: string) => conflict('accounts.not_a_prospect', `account ${id} does not target a prospect`),
  alreadyRegistered: (companyId: string) =>
    conflict('accounts.prospect_registered', `the prospect is registered already, as company ${companyId}: target it as a company`),
  industryHasNoCommittee: () => conflict('accounts.industry_has_no_committee', 'an industry has no buying committee: target its companies to map one'),
  oneIdentity: () => invalid('accounts.stakeholder_identity', 'a stakeholder is either a directory person or a contact, exactly one of the two'),
  contactKey: (stakeholderId: string) => invalid('accounts.contact_key', `a contact is sealed with its own key, keyId ${stakeholderId}`),
  alreadyMapped: (personId: string) => conflict('accounts.already_mapped', `${personId} is already on the map`),
  tooManyStakeholders: (max: number) => conflict('accounts.too_many_stakeholders', `at most ${max} stakeholders on one account`),
  stakeholderRemoved: (id: string) => conflict('accounts.stakeholder_removed', `stakeholder ${id} was removed from the map`),
  nothingChanged: (id: string) => conflict('accounts.nothing_changed', `stakeholder ${id} already has this role and stance`),
  notAContact: (id: string) => conflict('accounts.not_a_contact', `stakeholder ${id} is a directory person: their data is erased in the directory`),
  touchDate: (at: string) => invalid('accounts.touch_date', `${at} is not a time`),
  touchInFuture: () => invalid('accounts.touch_in_future', 'a touch is recorded after it happened, never ahead'),
  touchTooEarly: () => invalid('accounts.touch_too_early', 'a touch happened in 2000 or later'),
  unknownStakeholder: (id: string) => invalid('accounts.unknown_stakeholder', `${id} is not a current stakeholder of this account`),
  duplicate: (what: string, id: string) => invalid('accounts.duplicate', `${what} ${id} is named twice`),
  sellerPeopleRequired: () => invalid('accounts.seller_people_required', "a touch names at least one of the seller's people"),
  summaryRequired: () => invalid('accounts.summary_required', 'a touch needs a summary'),
  nameRequired: () => invalid('accounts.name_required', 'a campaign needs a name'),
};
