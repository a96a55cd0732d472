import { fold } from '@dealledger/domain';
import { eventCatalog, PersonAddedV2, SealedPersonalData } from '@dealledger/events';
import { deciderSpec } from '@dealledger/testing';
import { revealPersonAdded } from '../personal-data/personal-data.reader';
import type { AddPerson, ErasePersonalData, RegisterCompany } from './company.commands';
import { authenticate, companyDecider, CompanyState, emailOf } from './company.decider';
import type { CompanyEvent } from './company.events';

const { given } = deciderSpec(companyDecider);

const companyId = '11111111-1111-4111-8111-111111111111';
const personId = '22222222-2222-4222-8222-222222222222';
const hash = (c: string) => c.repeat(64);

const register: RegisterCompany = {
  type: 'RegisterCompany',
  companyId,
  name: 'Acme Steel',
  registrationNumber: 'HRB 1234',
  country: 'DE',
  roles: ['supplier'],
  apiKey: { keyId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', secretHash: hash('a') },
};
const registered: CompanyEvent[] = [
  { type: 'CompanyRegistered', data: { companyId, name: 'Acme Steel', registrationNumber: 'HRB 1234', country: 'DE', roles: ['supplier'] } },
  { type: 'ApiKeyIssued', data: { companyId, keyId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', personId: null, secretHash: hash('a') } },
];
const companyKey = { companyId, personId: null, roles: [] };
/** What the handler seals (the decider records it as given, never opens it). */
const sealed: SealedPersonalData = {
  alg: 'A256GCM',
  keyId: personId,
  iv: 'AAECAwQFBgcICQoL',
  ciphertext: 'c2VhbGVkIHtuYW1lLCBlbWFpbH0=',
  tag: 'AAECAwQFBgcICQoLDA0ODw==',
};
const addPerson = (overrides: Partial<AddPerson> = {}): AddPerson => ({
  type: 'AddPerson',
  companyId,
  personId,
  email: 'Ada@Acme.example',
  personal: sealed,
  position: 'Head of procurement',
  signingRoles: ['procurement', 'executive'],
  apiKey: { keyId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', secretHash: hash('b') },
  requester: companyKey,
  ...overrides,
});
/** As decided and stored: the name and e-mail only sealed. */
const personAdded: CompanyEvent[] = [
  { type: 'PersonAdded', data: { companyId, personId, personal: sealed, position: 'Head of procurement', signingRoles: ['procurement', 'executive'] } },
  { type: 'ApiKeyIssued', data: { companyId, keyId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', personId, secretHash: hash('b') } },
];
/** The same events as the directory's reader hands them to folds: the sealed record opened. */
const personAddedAsRead: CompanyEvent[] = [
  {
    type: 'PersonAdded',
    data: {
      companyId,
      personId,
      personalData: { status: 'present', name: 'Ada Buyer', email: 'ada@acme.example' },
      position: 'Head of procurement',
      signingRoles: ['procurement', 'executive'],
    },
  },
  personAdded[1],
];

describe('company decider', () => {
  describe('when no company is registered', () => {
    it('registers the company and issues its first API key', () => {
      given([]).when(register).then(registered);
    });
    it('refuses a company without roles', () => {
      given([])
        .when({ ...register, roles: [] })
        .thenThrows('invalid:company.roles_required');
    });
    it('refuses to add a person', () => {
      given([]).when(addPerson()).thenThrows('not_found:company.not_found');
    });
  });

  describe('when the company is registered', () => {
    it('refuses to register it again', () => {
      given(registered).when(register).thenThrows('conflict:company.already_registered');
    });
    it("adds a person with the company's key, recording the name and e-mail only sealed, and issues the person's key", () => {
      given(registered).when(addPerson()).then(personAdded);
    });
    it('folds a PersonAdded it has just decided as sealed: no name, no e-mail until the reader opens it', () => {
      const person = (fold(companyDecider, [...registered, ...personAdded]) as Extract<CompanyState, { status: 'registered' }>).people[0];
      expect(person.personalData).toEqual({ status: 'sealed' });
      expect(emailOf(person)).toBeNull();
    });
    it('lets an executive of the company add people', () => {
      const result = given([...registered, ...personAddedAsRead]).when(
        addPerson({
          personId: '33333333-3333-4333-8333-333333333333',
          email: 'lee@acme.example',
          apiKey: { keyId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', secretHash: hash('c') },
          requester: { companyId, personId, roles: ['executive'] },
        }),
      );
      expect(result.events.map((e) => e.type)).toEqual(['PersonAdded', 'ApiKeyIssued']);
    });
    it('refuses a person who is not an executive', () => {
      given(registered)
        .when(addPerson({ requester: { companyId, personId, roles: ['procurement'] } }))
        .thenThrows('forbidden:company.cannot_add_people');
    });
    it('refuses another company', () => {
      const other = { companyId: '99999999-9999-4999-8999-999999999999', personId: null, roles: [] };
      given(registered)
        .when(addPerson({ requester: other }))
        .thenThrows('forbidden:company.not_yours');
    });
    it('refuses an email already used in the company, whatever its case', () => {
      const again = addPerson({ personId: '33333333-3333-4333-8333-333333333333', email: 'ADA@acme.example' });
      given([...registered, ...personAddedAsRead])
        .when(again)
        .thenThrows('conflict:person.email_taken');
    });
    it('refuses the same person twice', () => {
      given([...registered, ...personAddedAsRead])
        .when(addPerson({ email: 'x@acme.example' }))
        .thenThrows('person.already_added');
    });
    it('refuses the government role outside a public body', () => {
      given(registered)
        .when(addPerson({ signingRoles: ['government'] }))
        .thenThrows('person.government_role_needs_public_body');
    });
    it('accepts the government role only in a public body an operator has verified', () => {
      const publicBody = [{ ...registered[0], data: { ...registered[0].data, roles: ['buyer', 'public_body'] } } as CompanyEvent, registered[1]];
      given(publicBody)
        .when(addPerson({ signingRoles: ['government'] }))
        .thenThrows('person.government_role_needs_public_body');
      const verified = given(publicBody).when({ type: 'VerifyCompany', companyId, note: 'register checked' });
      verified.then([{ type: 'CompanyVerified', data: { companyId, note: 'register checked' } }]);
      expect(given([...publicBody, ...verified.events]).when(addPerson({ signingRoles: ['government'] })).error).toBeNull();
      given([...publicBody, ...verified.events])
        .when({ type: 'VerifyCompany', companyId, note: 'again' })
        .thenThrows('conflict:company.already_verified');
      given([]).when({ type: 'VerifyCompany', companyId, note: 'x' }).thenThrows('company.not_found');
    });
  });

  describe('authenticate', () => {
    const state: CompanyState = fold(companyDecider, [...registered, ...personAddedAsRead]);
    const eq = (a: string, b: string) => a === b;
    it("speaks for the company with the company's key", () => {
      expect(authenticate(state, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', hash('a'), eq)).toEqual({
        companyId,
        personId: null,
        roles: [],
        keyId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
        rolesVersion: 0,
      });
    });
    it("speaks for a person, with the person's signing roles", () => {
      expect(authenticate(state, 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', hash('b'), eq)).toEqual({
        companyId,
        personId,
        roles: ['procurement', 'executive'],
        keyId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
        rolesVersion: 0,
      });
    });
    it('refuses a wrong secret or an unknown key', () => {
      expect(() => authenticate(state, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', hash('b'), eq)).toThrow(/not valid/);
      expect(() => authenticate(state, 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', hash('a'), eq)).toThrow(/not valid/);
      expect(() => authenticate({ status: 'unregistered' }, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', hash('a'), eq)).toThrow(/not valid/);
    });
  });

  describe('managing access: keys issued and revoked, people removed, roles changed', () => {
    const annaKey = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
    const newKey = { keyId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', secretHash: hash('c') };
    const ada = { companyId, personId, roles: ['procurement'] };
    const executive = { companyId, personId: '33333333-3333-4333-8333-333333333333', roles: ['executive'] };
    const stranger = { companyId: '44444444-4444-4444-8444-444444444444', personId: null, roles: [] };
    const history = [...registered, ...personAddedAsRead];
    const revoked: CompanyEvent = { type: 'ApiKeyRevoked', data: { companyId, keyId: annaKey, personId, reason: 'revoked' } };

    it('issues a key to a person for the company, or to the person herself (rotation), never to another company', () => {
      const issued: CompanyEvent[] = [{ type: 'ApiKeyIssued', data: { companyId, keyId: newKey.keyId, personId, secretHash: hash('c') } }];
      given(history).when({ type: 'IssueApiKey', companyId, personId, apiKey: newKey, requester: companyKey }).then(issued);
      given(history).when({ type: 'IssueApiKey', companyId, personId, apiKey: newKey, requester: ada }).then(issued);
      given(history).when({ type: 'IssueApiKey', companyId, personId: null, apiKey: newKey, requester: ada }).thenThrows('company.cannot_manage_access');
      given(history).when({ type: 'IssueApiKey', companyId, personId, apiKey: newKey, requester: stranger }).thenThrows('company.not_yours');
    });

    it('revokes a key by its holder or the company, once; the key then signs nobody in', () => {
      given(history).when({ type: 'RevokeApiKey', companyId, keyId: annaKey, requester: ada }).then([revoked]);
      given(history).when({ type: 'RevokeApiKey', companyId, keyId: annaKey, requester: executive }).then([revoked]);
      given(history)
        .when({ type: 'RevokeApiKey', companyId, keyId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', requester: ada })
        .thenThrows('company.cannot_manage_access');
      given([...history, revoked])
        .when({ type: 'RevokeApiKey', companyId, keyId: annaKey, requester: ada })
        .thenThrows('conflict:api_key.already_revoked');
      given(history).when({ type: 'RevokeApiKey', companyId, keyId: newKey.keyId, requester: companyKey }).thenThrows('api_key.not_found');
      expect(() => authenticate(fold(companyDecider, [...history, revoked]), annaKey, hash('b'), (a, b) => a === b)).toThrow(/not valid/);
    });

    it('removes a person with every key she still holds; she then signs nobody in and can be added again by e-mail', () => {
      const second: CompanyEvent = { type: 'ApiKeyIssued', data: { companyId, keyId: newKey.keyId, personId, secretHash: hash('c') } };
      const removal = given([...history, second, revoked]).when({ type: 'RemovePerson', companyId, personId, requester: companyKey });
      removal.then([
        { type: 'PersonRemoved', data: { companyId, personId } },
        { type: 'ApiKeyRevoked', data: { companyId, keyId: newKey.keyId, personId, reason: 'person_removed' } },
      ]);
      const after = [...history, second, revoked, ...removal.events];
      expect(() => authenticate(fold(companyDecider, after), newKey.keyId, hash('c'), (a, b) => a === b)).toThrow(/not valid/);
      given(after).when({ type: 'RemovePerson', companyId, personId, requester: companyKey }).thenThrows('person.not_found');
      given(history).when({ type: 'RemovePerson', companyId, personId, requester: ada }).thenThrows('company.cannot_manage_access');
      const readd = addPerson({
        personId: '55555555-5555-4555-8555-555555555555',
        apiKey: { keyId: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', secretHash: hash('d') },
      });
      expect(given(after).when(readd).error).toBeNull();
    });

    it('changes roles with a new roles version, which tokens carry; the same roles change nothing', () => {
      const changed = given(history).when({ type: 'ChangePersonRoles', companyId, personId, signingRoles: ['legal'], requester: executive });
      changed.then([{ type: 'PersonRolesChanged', data: { companyId, personId, signingRoles: ['legal'], rolesVersion: 1 } }]);
      const state = fold(companyDecider, [...history, ...changed.events]);
      expect(authenticate(state, annaKey, hash('b'), (a, b) => a === b)).toMatchObject({ roles: ['legal'], rolesVersion: 1 });
      given([...history, ...changed.events])
        .when({ type: 'ChangePersonRoles', companyId, personId, signingRoles: ['legal'], requester: companyKey })
        .then([]);
      given(history)
        .when({ type: 'ChangePersonRoles', companyId, personId, signingRoles: ['government'], requester: companyKey })
        .thenThrows('person.government_role_needs_public_body');
      given(history)
        .when({ type: 'ChangePersonRoles', companyId, personId, signingRoles: ['executive'], requester: ada })
        .thenThrows('company.cannot_manage_access');
    });
  });

  describe('erasing personal data', () => {
    const ada = { companyId, personId, roles: ['procurement', 'executive'] };
    const leeId = '33333333-3333-4333-8333-333333333333';
    const lee = { companyId, personId: leeId, roles: ['procurement'] };
    const leeAdded: CompanyEvent = {
      type: 'PersonAdded',
      data: {
        companyId,
        personId: leeId,
        personalData: { status: 'present', name: 'Lee', email: 'lee@acme.example' },
        position: 'Buyer',
        signingRoles: ['procurement'],
      },
    };
    const history = [...registered, ...personAddedAsRead, leeAdded];
    const erased: CompanyEvent = { type: 'PersonalDataErased', data: { companyId, personId } };
    const erase = (requester: ErasePersonalData['requester'], overrides: Partial<ErasePersonalData> = {}): ErasePersonalData => ({
      type: 'ErasePersonalData',
      companyId,
      personId,
      byOperator: false,
      requester,
      ...overrides,
    });
    const registeredState = (events: CompanyEvent[]) => fold(companyDecider, events) as Extract<CompanyState, { status: 'registered' }>;

    it("is allowed to the person themselves, the company's own key, an executive and an operator", () => {
      given(history).when(erase(ada)).then([erased]);
      given(history).when(erase(companyKey)).then([erased]);
      given(history)
        .when(erase({ companyId, personId: leeId, roles: ['executive'] }))
        .then([erased]);
      given(history)
        .when(erase(null, { byOperator: true }))
        .then([erased]);
    });

    it('is refused to a colleague who is neither the person nor an executive', () => {
      given(history).when(erase(lee)).thenThrows('forbidden:person.cannot_erase_personal_data');
    });

    it('answers another company 404, as for a person that does not exist', () => {
      const stranger = { companyId: '44444444-4444-4444-8444-444444444444', personId: null, roles: [] };
      given(history).when(erase(stranger)).thenThrows('not_found:person.not_found');
      given([]).when(erase(stranger)).thenThrows('not_found:person.not_found');
      given(history).when(erase(null)).thenThrows('not_found:person.not_found');
    });

    it('answers 404 for an unknown person or company', () => {
      given(history)
        .when(erase(companyKey, { personId: '55555555-5555-4555-8555-555555555555' }))
        .thenThrows('not_found:person.not_found');
      given([])
        .when(erase(null, { byOperator: true }))
        .thenThrows('not_found:company.not_found');
    });

    it('records nothing the second time (idempotent), nor when the key was found gone already', () => {
      given([...history, erased])
        .when(erase(ada))
        .then([]);
      const keyGone: CompanyEvent = { ...personAddedAsRead[0], data: { ...personAddedAsRead[0].data, personalData: { status: 'erased' } } } as CompanyEvent;
      given([...registered, keyGone, personAdded[1]])
        .when(erase(companyKey))
        .then([]);
    });

    it('keeps the person, roles and keys: only the name and e-mail are gone, and the e-mail can be used again', () => {
      const state = registeredState([...history, erased]);
      const person = state.people.find((p) => p.personId === personId)!;
      expect(person).toMatchObject({ personalData: { status: 'erased' }, signingRoles: ['procurement', 'executive'], removed: false });
      expect(emailOf(person)).toBeNull();
      expect(authenticate(state, 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', hash('b'), (a, b) => a === b)).toMatchObject({
        personId,
        roles: ['procurement', 'executive'],
      });
      const again = addPerson({
        personId: '66666666-6666-4666-8666-666666666666',
        apiKey: { keyId: 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', secretHash: hash('e') },
      });
      expect(given([...history, erased]).when(again).error).toBeNull();
      expect(given(history).when(again).error).toBe('conflict:person.email_taken');
    });

    it('erases a person who has left, at the company’s request', () => {
      const removed: CompanyEvent = { type: 'PersonRemoved', data: { companyId, personId } };
      given([...history, removed])
        .when(erase(companyKey))
        .then([erased]);
    });
  });

  describe('a PersonAdded recorded as v1 (name and e-mail in clear), upcast to v2', () => {
    const v1 = {
      companyId,
      personId,
      name: 'Ada Buyer',
      email: 'ada@acme.example',
      position: 'Head of procurement',
      signingRoles: ['procurement', 'executive'],
    };
    const upcast = eventCatalog.upcast('PersonAdded', 1, v1).data as unknown as PersonAddedV2;

    it('folds like a v2 one, through the reader or without it', () => {
      const asV2 = fold(companyDecider, [...registered, ...personAddedAsRead]);
      const throughReader: CompanyEvent = { type: 'PersonAdded', data: revealPersonAdded(upcast, new Map()) };
      expect(fold(companyDecider, [...registered, throughReader, personAdded[1]])).toEqual(asV2);
      expect(fold(companyDecider, [...registered, { type: 'PersonAdded', data: upcast }, personAdded[1]])).toEqual(asV2);
    });

    it('can only be hidden by an erasure: the event keeps the clear text, the fold does not show it', () => {
      const history: CompanyEvent[] = [...registered, { type: 'PersonAdded', data: revealPersonAdded(upcast, new Map()) }, personAdded[1]];
      given(history)
        .when({ type: 'ErasePersonalData', companyId, personId, byOperator: true, requester: null })
        .then([{ type: 'PersonalDataErased', data: { companyId, personId } }]);
      const state = fold(companyDecider, [...history, { type: 'PersonalDataErased', data: { companyId, personId } }]);
      expect(state.status === 'registered' && state.people[0].personalData).toEqual({ status: 'erased' });
      expect(upcast.personal).toEqual({ alg: 'clear', name: 'Ada Buyer', email: 'ada@acme.example' });
    });
  });
});
