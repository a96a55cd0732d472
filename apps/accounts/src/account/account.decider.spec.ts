import type { Requester } from '@dealledger/domain';
import { DECISION_ROLES, type AccountEvent, type AccountTarget, type SealedPersonalData } from '@dealledger/events';
import { deciderSpec } from '@dealledger/testing';
import type { AccountCommand } from './account.commands';
import { accountDecider, committeeAsOf, coverage, effectiveCompanyId, MAX_STAKEHOLDERS, partiesOf, type DatedAccountEvent } from './account.decider';

const { given, history } = deciderSpec(accountDecider);

const seller = '5e11e500-0000-4000-8000-000000000001';
const buyer = 'b0b0b0b0-0000-4000-8000-000000000002';
const stranger = '0d0d0d0d-0000-4000-8000-000000000009';
const accountId = 'acc0acc0-0000-4000-8000-000000000003';
const registered = 'c0c0c0c0-0000-4000-8000-000000000004';
const campaignId = 'ca3ca3ca-0000-4000-8000-000000000005';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const p = (companyId: string, n: number): Requester => ({ companyId, personId: id(n), roles: [] });
const owner = p(seller, 10);
const rep = p(seller, 11);
const sellerKey: Requester = { companyId: seller, personId: null, roles: [] };
const outsider = p(stranger, 90);
// Stakeholder ids 100+, directory people 200+, touches 300+.
const [s1, s2, s3] = [id(101), id(102), id(103)];
const [dp1, dp2] = [id(201), id(202)];
const [touch1, touch2] = [id(301), id(302)];
const sealed = (keyId: string): SealedPersonalData => ({
  alg: 'A256GCM',
  keyId,
  iv: 'AAAAAAAAAAAAAAAA',
  ciphertext: 'c2VhbGVk',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
});
const now = new Date('2027-03-10T12:00:00Z');

const none = { companyId: null, name: null, registrationNumber: null, country: null, naceCode: null };
const companyTarget: AccountTarget = { kind: 'company', ...none, companyId: buyer };
const prospectTarget: AccountTarget = { kind: 'prospect', ...none, name: 'Nordblech GmbH', registrationNumber: 'HRB 12345', country: 'DE' };
const industryTarget: AccountTarget = { kind: 'industry', ...none, naceCode: '29.32', name: 'Automotive parts' };

type Cmd<T extends AccountCommand['type']> = Extract<AccountCommand, { type: T }>;
const targetAccount = (over: Partial<Cmd<'TargetAccount'>> = {}): Cmd<'TargetAccount'> => ({
  type: 'TargetAccount',
  accountId,
  sellerId: seller,
  target: companyTarget,
  tier: 'strategic',
  ownerId: owner.personId!,
  requester: owner,
  now,
  ...over,
});
const assign = (personId: string, part: Cmd<'AssignTeamMember'>['part'], over: Partial<Cmd<'AssignTeamMember'>> = {}): Cmd<'AssignTeamMember'> => ({
  type: 'AssignTeamMember',
  accountId,
  personId,
  part,
  requester: owner,
  now,
  ...over,
});
const release = (personId: string, over: Partial<Cmd<'ReleaseTeamMember'>> = {}): Cmd<'ReleaseTeamMember'> => ({
  type: 'ReleaseTeamMember',
  accountId,
  personId,
  requester: owner,
  now,
  ...over,
});
const registerProspect = (companyId = registered): Cmd<'RegisterProspect'> => ({ type: 'RegisterProspect', accountId, companyId, now });
const mapPerson = (stakeholderId: string, personId: string, over: Partial<Cmd<'MapStakeholder'>> = {}): Cmd<'MapStakeholder'> => ({
  type: 'MapStakeholder',
  accountId,
  stakeholderId,
  personId,
  contact: null,
  position: 'Head of purchasing',
  role: 'decider',
  stance: 'neutral',
  requester: rep,
  now,
  ...over,
});
const mapContact = (stakeholderId: string, over: Partial<Cmd<'MapStakeholder'>> = {}): Cmd<'MapStakeholder'> =>
  mapPerson(stakeholderId, '', { personId: null, contact: sealed(stakeholderId), position: 'Plant engineer', role: 'technical_evaluator', ...over });
const change = (stakeholderId: string, over: Partial<Cmd<'ChangeStakeholder'>> = {}): Cmd<'ChangeStakeholder'> => ({
  type: 'ChangeStakeholder',
  accountId,
  stakeholderId,
  role: 'decider',
  stance: 'champion',
  requester: rep,
  now,
  ...over,
});
const remove = (stakeholderId: string, over: Partial<Cmd<'RemoveStakeholder'>> = {}): Cmd<'RemoveStakeholder'> => ({
  type: 'RemoveStakeholder',
  accountId,
  stakeholderId,
  requester: rep,
  now,
  ...over,
});
const erase = (stakeholderId: string, requester: Requester | null = rep): Cmd<'EraseContact'> => ({
  type: 'EraseContact',
  accountId,
  stakeholderId,
  requester,
  now,
});
const touch = (over: Partial<Cmd<'RecordTouch'>> = {}): Cmd<'RecordTouch'> => ({
  type: 'RecordTouch',
  accountId,
  touchId: touch1,
  channel: 'visit',
  at: '2027-03-09T10:00:00+01:00',
  campaignId: null,
  sellerPeople: [rep.personId!],
  stakeholderIds: [s1],
  summary: 'Plant tour; they want samples of the 2 mm sheet',
  requester: rep,
  now,
  ...over,
});

const targeted = history(targetAccount());
/** A company account with a directory person (s1, decider) and a contact (s2, technical evaluator). */
const mapped = history(targetAccount(), mapPerson(s1, dp1), mapContact(s2));
const ref = { accountId, sellerId: seller };

describe('account decider', () => {
  describe('targeting', () => {
    it('records the target with every field its kind has not as null, the tier and the owner', () => {
      given([])
        .when(targetAccount({ target: { kind: 'company', companyId: buyer } as AccountTarget }))
        .then([
          {
            type: 'AccountTargeted',
            data: { ...ref, target: companyTarget, tier: 'strategic', ownerId: owner.personId!, targetedBy: owner.personId! },
          },
        ]);
    });
    it('takes a prospect by name, registration number and country, and an industry by NACE code and name', () => {
      expect(given([]).when(targetAccount({ target: prospectTarget })).events[0].data).toMatchObject({ target: prospectTarget });
      expect(given([]).when(targetAccount({ target: industryTarget, tier: 'growth' })).events[0].data).toMatchObject({ target: industryTarget });
    });
    it('refuses a target whose fields do not fit its kind', () => {
      const inconsistent: AccountTarget[] = [
        { ...companyTarget, companyId: null },
        { ...companyTarget, name: 'Buyer AG' },
        { ...companyTarget, naceCode: '29' },
        { ...prospectTarget, country: null },
        { ...prospectTarget, registrationNumber: '  ' },
        { ...prospectTarget, companyId: buyer },
        { ...prospectTarget, naceCode: '29' },
        { ...industryTarget, naceCode: null },
        { ...industryTarget, name: null },
        { ...industryTarget, country: 'DE' },
      ];
      for (const target of inconsistent) given([]).when(targetAccount({ target })).thenThrows('invalid:accounts.target_inconsistent');
    });
    it('refuses the seller as its own target', () => {
      given([])
        .when(targetAccount({ target: { ...companyTarget, companyId: seller } }))
        .thenThrows('invalid:accounts.self_target');
    });
    it('refuses another company, a company key and an account that exists', () => {
      given([])
        .when(targetAccount({ requester: outsider }))
        .thenThrows('forbidden:accounts.seller_only');
      given([])
        .when(targetAccount({ requester: sellerKey }))
        .thenThrows('forbidden:accounts.person_required');
      given(targeted)
        .when(targetAccount({ target: industryTarget }))
        .thenThrows('conflict:accounts.already_exists');
    });
  });

  describe("the seller's people only", () => {
    const commands: Exclude<AccountCommand, Cmd<'RegisterProspect'>>[] = [
      assign(rep.personId!, 'sales'),
      release(owner.personId!),
      mapPerson(s3, dp2),
      change(s1),
      remove(s1),
      erase(s2),
      touch(),
    ];
    it.each(commands.map((c) => [c.type, c] as const))('%s: another company hears the account does not exist, as for a missing one', (_, c) => {
      given(mapped)
        .when({ ...c, requester: outsider })
        .thenThrows('not_found:accounts.account_not_found');
      given([]).when(c).thenThrows('not_found:accounts.account_not_found');
    });
    it.each(commands.map((c) => [c.type, c] as const))('%s: a company key is refused', (_, c) => {
      given(mapped)
        .when({ ...c, requester: sellerKey })
        .thenThrows('forbidden:accounts.person_required');
    });
  });

  describe('the account team', () => {
    it('assigns a person of the seller in a part, and releases them', () => {
      given(targeted)
        .when(assign(rep.personId!, 'technical'))
        .then([{ type: 'AccountTeamAssigned', data: { ...ref, personId: rep.personId!, part: 'technical', assignedBy: owner.personId! } }]);
      given(history(targetAccount(), assign(rep.personId!, 'technical')))
        .when(release(rep.personId!))
        .then([{ type: 'AccountTeamReleased', data: { ...ref, personId: rep.personId!, releasedBy: owner.personId! } }]);
    });
    it('gives one part per person: another part means releasing them first', () => {
      const onTeam = history(targetAccount(), assign(rep.personId!, 'sales'));
      given(onTeam).when(assign(rep.personId!, 'sales')).thenThrows('conflict:accounts.already_on_team');
      given(onTeam).when(assign(rep.personId!, 'legal')).thenThrows('conflict:accounts.already_on_team');
      const state = given([...onTeam, ...given(onTeam).when(release(rep.personId!)).events]).when(assign(rep.personId!, 'legal'));
      expect(state.events).toEqual([expect.objectContaining({ type: 'AccountTeamAssigned', data: expect.objectContaining({ part: 'legal' }) })]);
    });
    it('refuses to release someone not on the team, and the owner', () => {
      given(targeted).when(release(rep.personId!)).thenThrows('not_found:accounts.not_on_team');
      given(history(targetAccount(), assign(owner.personId!, 'account_lead')))
        .when(release(owner.personId!, { requester: rep }))
        .thenThrows('conflict:accounts.owner_cannot_leave');
    });
  });

  describe('a prospect registering', () => {
    const prospect = history(targetAccount({ target: prospectTarget }));
    it('records the company the prospect registered as, which the account targets from then on', () => {
      given(prospect)
        .when(registerProspect())
        .then([{ type: 'ProspectRegistered', data: { ...ref, companyId: registered } }]);
      expect(effectiveCompanyId(given(prospect).state)).toBeNull();
      expect(effectiveCompanyId(given(history(targetAccount({ target: prospectTarget }), registerProspect())).state)).toBe(registered);
      expect(effectiveCompanyId(given(targeted).state)).toBe(buyer);
      expect(effectiveCompanyId(given(history(targetAccount({ target: industryTarget }))).state)).toBeNull();
      expect(effectiveCompanyId(given([]).state)).toBeNull();
    });
    it('refuses a missing account and a target other than a prospect; records nothing for a second registration or the seller itself', () => {
      given([]).when(registerProspect()).thenThrows('not_found:accounts.account_not_found');
      given(targeted).when(registerProspect()).thenThrows('conflict:accounts.not_a_prospect');
      given(history(targetAccount({ target: prospectTarget }), registerProspect()))
        .when(registerProspect(id(5)))
        .then([]);
      given(prospect).when(registerProspect(seller)).then([]);
    });
  });

  describe('the buying committee', () => {
    it('maps a directory person, and a contact sealed with its own key', () => {
      given(targeted)
        .when(mapPerson(s1, dp1))
        .then([
          {
            type: 'StakeholderMapped',
            data: {
              ...ref,
              stakeholderId: s1,
              personId: dp1,
              contact: null,
              position: 'Head of purchasing',
              role: 'decider',
              stance: 'neutral',
              mappedBy: rep.personId!,
            },
          },
        ]);
      expect(given(targeted).when(mapContact(s2)).events[0].data).toMatchObject({ stakeholderId: s2, personId: null, contact: sealed(s2) });
    });
    it('maps a prospect’s committee before it registers', () => {
      expect(given(history(targetAccount({ target: prospectTarget }))).when(mapContact(s2)).error).toBeNull();
    });
    it('takes exactly one of a directory person and a contact, the contact under the stakeholder’s key', () => {
      given(targeted)
        .when(mapPerson(s1, dp1, { contact: sealed(s1) }))
        .thenThrows('invalid:accounts.stakeholder_identity');
      given(targeted)
        .when(mapContact(s1, { contact: null }))
        .thenThrows('invalid:accounts.stakeholder_identity');
      given(targeted)
        .when(mapContact(s1, { contact: sealed(s2) }))
        .thenThrows('invalid:accounts.contact_key');
    });
    it('refuses a committee for an industry', () => {
      given(history(targetAccount({ target: industryTarget })))
        .when(mapContact(s1))
        .thenThrows('conflict:accounts.industry_has_no_committee');
    });
    it('refuses a stakeholder id twice, also after removal, and a directory person while on the map', () => {
      given(mapped).when(mapPerson(s1, dp2)).thenThrows('conflict:accounts.already_exists');
      const removed = history(targetAccount(), mapPerson(s1, dp1), remove(s1));
      given(removed).when(mapPerson(s1, dp1)).thenThrows('conflict:accounts.already_exists');
      given(mapped).when(mapPerson(s3, dp1)).thenThrows('conflict:accounts.already_mapped');
      expect(given(removed).when(mapPerson(s3, dp1)).error).toBeNull();
    });
    it(`keeps at most ${MAX_STAKEHOLDERS} current stakeholders`, () => {
      const full = history(targetAccount(), ...Array.from({ length: MAX_STAKEHOLDERS }, (_, i) => mapContact(id(1000 + i))));
      given(full)
        .when(mapContact(id(5000)))
        .thenThrows('conflict:accounts.too_many_stakeholders');
      const oneLeft = [...full, ...given(full).when(remove(id(1000))).events];
      expect(given(oneLeft).when(mapContact(id(5000))).error).toBeNull();
    });

    it('changes a stakeholder’s role and stance', () => {
      given(mapped)
        .when(change(s1, { role: 'approver', stance: 'champion' }))
        .then([{ type: 'StakeholderChanged', data: { ...ref, stakeholderId: s1, role: 'approver', stance: 'champion', changedBy: rep.personId! } }]);
      expect(given(mapped).when(change(s1, { role: 'decider', stance: 'sceptic' })).error).toBeNull();
    });
    it('refuses a change to an unknown or removed stakeholder, and one that changes nothing', () => {
      given(mapped).when(change(s3)).thenThrows('not_found:accounts.stakeholder_not_found');
      given(history(targetAccount(), mapPerson(s1, dp1), remove(s1)))
        .when(change(s1))
        .thenThrows('conflict:accounts.stakeholder_removed');
      given(mapped)
        .when(change(s1, { role: 'decider', stance: 'neutral' }))
        .thenThrows('conflict:accounts.nothing_changed');
    });
    it('removes a stakeholder once', () => {
      given(mapped)
        .when(remove(s1))
        .then([{ type: 'StakeholderRemoved', data: { ...ref, stakeholderId: s1, removedBy: rep.personId! } }]);
      given(history(targetAccount(), mapPerson(s1, dp1), remove(s1)))
        .when(remove(s1))
        .thenThrows('conflict:accounts.stakeholder_removed');
      given(mapped).when(remove(s3)).thenThrows('not_found:accounts.stakeholder_not_found');
    });
  });

  describe('erasing a contact', () => {
    it('by one of the seller’s people, or by an operator, also after the stakeholder left the map', () => {
      given(mapped)
        .when(erase(s2))
        .then([{ type: 'ContactErased', data: { ...ref, stakeholderId: s2, erasedBy: rep.personId! } }]);
      given(history(targetAccount(), mapContact(s2), remove(s2)))
        .when(erase(s2, null))
        .then([{ type: 'ContactErased', data: { ...ref, stakeholderId: s2, erasedBy: null } }]);
      const state = given(history(targetAccount(), mapContact(s2), erase(s2))).state;
      expect(state.status === 'active' && state.stakeholders[s2]).toMatchObject({ erased: true, role: 'technical_evaluator' });
    });
    it('records nothing to erase a contact erased already; refuses a directory person, an unknown stakeholder and, for an operator, a missing account', () => {
      given(mapped).when(erase(s1)).thenThrows('conflict:accounts.not_a_contact');
      given(history(targetAccount(), mapContact(s2), erase(s2)))
        .when(erase(s2, null))
        .then([]);
      given(mapped).when(erase(s3, null)).thenThrows('not_found:accounts.stakeholder_not_found');
      given([]).when(erase(s2, null)).thenThrows('not_found:accounts.account_not_found');
    });
  });

  describe('touches', () => {
    it('records a touch with the people on both sides, its time in UTC', () => {
      given(mapped)
        .when(touch({ campaignId, stakeholderIds: [s1, s2] }))
        .then([
          {
            type: 'TouchRecorded',
            data: {
              ...ref,
              touchId: touch1,
              channel: 'visit',
              at: '2027-03-09T09:00:00.000Z',
              campaignId,
              sellerPeople: [rep.personId!],
              stakeholderIds: [s1, s2],
              summary: 'Plant tour; they want samples of the 2 mm sheet',
              recordedBy: rep.personId!,
            },
          },
        ]);
    });
    it('keeps each stakeholder’s latest touch by when it happened, not when it was recorded', () => {
      const state = given(
        history(
          targetAccount(),
          mapPerson(s1, dp1),
          mapContact(s2),
          touch({ at: '2027-03-08T10:00:00Z', stakeholderIds: [s1] }),
          touch({ touchId: touch2, at: '2027-03-01T10:00:00Z', stakeholderIds: [s1, s2] }),
        ),
      ).state;
      expect(state.status === 'active' && [state.stakeholders[s1].lastTouchAt, state.stakeholders[s2].lastTouchAt]).toEqual([
        '2027-03-08T10:00:00.000Z',
        '2027-03-01T10:00:00.000Z',
      ]);
    });
    it('reaches no stakeholder on an industry account, only its market', () => {
      expect(given(history(targetAccount({ target: industryTarget }))).when(touch({ channel: 'trade_publication', stakeholderIds: [] })).error).toBeNull();
    });
    it('is dated up to now and from 2000 on', () => {
      expect(given(mapped).when(touch({ at: now.toISOString() })).error).toBeNull();
      given(mapped)
        .when(touch({ at: new Date(now.getTime() + 1000).toISOString() }))
        .thenThrows('invalid:accounts.touch_in_future');
      expect(given(mapped).when(touch({ at: '2000-01-01T00:00:00Z' })).error).toBeNull();
      given(mapped)
        .when(touch({ at: '1999-12-31T23:59:59Z' }))
        .thenThrows('invalid:accounts.touch_too_early');
      given(mapped)
        .when(touch({ at: 'last Tuesday' }))
        .thenThrows('invalid:accounts.touch_date');
    });
    it('reaches only current stakeholders of this account, each once', () => {
      given(history(targetAccount(), mapPerson(s1, dp1), remove(s1)))
        .when(touch())
        .thenThrows('invalid:accounts.unknown_stakeholder');
      given(mapped)
        .when(touch({ stakeholderIds: [s1, s3] }))
        .thenThrows('invalid:accounts.unknown_stakeholder');
      given(mapped)
        .when(touch({ stakeholderIds: [s1, s1] }))
        .thenThrows('invalid:accounts.duplicate');
    });
    it('needs the seller’s people, a summary and a touch id of its own', () => {
      given(mapped)
        .when(touch({ sellerPeople: [] }))
        .thenThrows('invalid:accounts.seller_people_required');
      given(mapped)
        .when(touch({ sellerPeople: [rep.personId!, rep.personId!] }))
        .thenThrows('invalid:accounts.duplicate');
      given(mapped)
        .when(touch({ summary: '  ' }))
        .thenThrows('invalid:accounts.summary_required');
      given(history(targetAccount(), mapPerson(s1, dp1), touch()))
        .when(touch({ stakeholderIds: [] }))
        .thenThrows('conflict:accounts.already_exists');
    });
  });

  it('names the seller as the only party of every event', () => {
    const events = history(
      targetAccount({ target: prospectTarget }),
      assign(rep.personId!, 'sales'),
      release(rep.personId!),
      registerProspect(),
      mapPerson(s1, dp1),
      mapContact(s2),
      change(s1),
      touch(),
      remove(s1),
      erase(s2, null),
    );
    expect(new Set(events.map((e) => e.type)).size).toBe(9);
    for (const e of events) expect(partiesOf(e)).toEqual([seller]);
  });

  describe('the committee as of a date', () => {
    const at = (day: number, hour = 12) => `2027-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
    const dated = (pairs: [string, AccountCommand][]): DatedAccountEvent[] => {
      const events: DatedAccountEvent[] = [];
      for (const [occurredAt, c] of pairs) {
        for (const e of given(events).when({ ...c, now: new Date(occurredAt) }).events) events.push({ ...e, occurredAt } as DatedAccountEvent);
      }
      return events;
    };
    const log = dated([
      [at(1), targetAccount()],
      [at(2), mapPerson(s1, dp1, { stance: 'neutral' })],
      [at(3), mapContact(s2)],
      [at(4), touch({ at: at(4, 9), stakeholderIds: [s1] })],
      [at(5), change(s1, { stance: 'sceptic' })],
      // Recorded on the 7th, about a call on the 6th.
      [at(7), touch({ touchId: touch2, channel: 'call', at: at(6), stakeholderIds: [s1] })],
      [at(8), remove(s2)],
      [at(9), mapContact(s3)],
      [at(10), erase(s3, null)],
    ]);

    it('is empty before anything was mapped', () => {
      expect(committeeAsOf(log, at(1, 23))).toEqual({});
      expect(committeeAsOf([], at(20))).toEqual({});
    });
    it('folds what was recorded up to and including that moment', () => {
      const early = committeeAsOf(log, at(4));
      expect(Object.keys(early).sort()).toEqual([s1, s2]);
      expect(early[s1]).toEqual({
        stakeholderId: s1,
        personId: dp1,
        contact: null,
        position: 'Head of purchasing',
        role: 'decider',
        stance: 'neutral',
        erased: false,
        lastTouchAt: at(4, 9),
      });
      expect(committeeAsOf(log, at(3, 23))[s1].lastTouchAt).toBeNull();
      expect(committeeAsOf(log, at(5))[s1].stance).toBe('sceptic');
      expect(committeeAsOf(log, at(4, 23))[s1].stance).toBe('neutral');
    });
    it('counts a touch from when it was recorded, and dates it by when it happened', () => {
      expect(committeeAsOf(log, at(6, 23))[s1].lastTouchAt).toBe(at(4, 9));
      expect(committeeAsOf(log, at(7))[s1].lastTouchAt).toBe(at(6));
    });
    it('drops a removed stakeholder from then on', () => {
      expect(Object.keys(committeeAsOf(log, at(7, 23))).sort()).toEqual([s1, s2]);
      expect(Object.keys(committeeAsOf(log, at(8))).sort()).toEqual([s1]);
    });
    it('shows a contact erased later as erased in every earlier map too', () => {
      expect(committeeAsOf(log, at(9))[s3]).toMatchObject({ erased: true, contact: sealed(s3) });
      expect(committeeAsOf(log.slice(0, -1), at(9))[s3].erased).toBe(false);
    });
  });

  describe('committee coverage', () => {
    it('lists the decision roles no current stakeholder plays', () => {
      expect(coverage(given([]).state)).toEqual([...DECISION_ROLES]);
      expect(coverage(given(targeted).state)).toEqual([...DECISION_ROLES]);
      expect(coverage(given(mapped).state)).toEqual(['user', 'influencer', 'approver', 'gatekeeper', 'government_representative']);
    });
    it('follows role changes and removals', () => {
      const events: AccountEvent[] = history(targetAccount(), mapPerson(s1, dp1), mapContact(s2), change(s1, { role: 'approver' }), remove(s2));
      expect(coverage(given(events).state)).toEqual(['user', 'influencer', 'technical_evaluator', 'decider', 'gatekeeper', 'government_representative']);
    });
  });
});
