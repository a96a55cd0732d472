import { TokenRevocations } from './revocations';

describe('token revocations (as learned from the directory topic)', () => {
  const anna = { companyId: '11111111-1111-4111-8111-111111111111', personId: '22222222-2222-4222-8222-222222222222', roles: ['procurement'] };
  const company = { ...anna, personId: null, roles: [] };
  const key = (keyId: string, rolesVersion = 0) => ({ keyId, rolesVersion });

  it('holds a token until its key is revoked, its person removed or her roles changed after it was issued', () => {
    const r = new TokenRevocations();
    expect(r.reason(anna, key('k1'))).toBeNull();
    r.apply('ApiKeyRevoked', { keyId: 'k1' });
    expect(r.reason(anna, key('k1'))).toMatch(/revoked/);
    expect(r.reason(anna, key('k2'))).toBeNull();
    r.apply('PersonRolesChanged', { personId: anna.personId, rolesVersion: 2 });
    expect(r.reason(anna, key('k2', 1))).toMatch(/roles changed/);
    expect(r.reason(anna, key('k2', 2))).toBeNull();
    // Versions only rise, whatever order the feed applies them in.
    r.apply('PersonRolesChanged', { personId: anna.personId, rolesVersion: 1 });
    expect(r.reason(anna, key('k2', 1))).toMatch(/roles changed/);
    r.apply('PersonRemoved', { personId: anna.personId });
    expect(r.reason(anna, key('k2', 2))).toMatch(/removed/);
    expect(r.reason(company, key('k3'))).toBeNull();
  });

  it('tells waiters when it has caught up, or that it has not within their time', async () => {
    const r = new TokenRevocations();
    expect(await r.whenCaughtUp(10)).toBe(false);
    const waiting = r.whenCaughtUp(5000);
    r.markCaughtUp();
    expect(await waiting).toBe(true);
    expect(r.isCaughtUp).toBe(true);
  });
});
