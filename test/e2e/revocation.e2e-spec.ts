import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { uniqueName } from '@dealledger/testing';
import { AppName, buildApps, Cluster } from './cluster';

type Json = Record<string, any>;

// Three of the apps as separate processes: the directory that records revocations and two
// others that learn them from its topic alone.
const RUNNING: AppName[] = ['directory', 'offers', 'contracts'];

describe('revoked keys, removed people and changed roles end tokens in every app within seconds (real processes, PostgreSQL and Kafka)', () => {
  const cluster = new Cluster(uniqueName('rev'));
  let db: DataSource;

  beforeAll(async () => {
    buildApps();
    await cluster.startAll(RUNNING);
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
  }, 300000);

  afterAll(async () => {
    await cluster.stopAll();
    await cluster.dropSchemas(db, RUNNING);
    await db?.destroy();
  });

  async function call(app: AppName, method: string, path: string, token?: string, body?: unknown) {
    const res = await fetch(`${cluster.url(app)}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : null) as Json };
  }
  const token = async (apiKey: string) => {
    const r = await call('directory', 'POST', '/auth/token', undefined, { apiKey });
    return r.status === 200 ? (r.body.accessToken as string) : r;
  };
  /** What each app answers a token: 404 for an unknown offer, 200 for a list, 200 for a company: it was accepted. */
  const answers = async (t: string, companyId: string) => ({
    directory: (await call('directory', 'GET', `/companies/${companyId}`, t)).status,
    offers: (await call('offers', 'GET', `/offers/${randomUUID()}`, t)).status,
    contracts: (await call('contracts', 'GET', `/contracts?origin=offer:${randomUUID()}`, t)).status,
  });
  const accepted = { directory: 200, offers: 404, contracts: 200 };
  const refused = { directory: 401, offers: 401, contracts: 401 };
  /** How long until every app refuses the token (measured from the change), or a failure after 10 s. */
  async function refusedEverywhere(t: string, companyId: string, since: number): Promise<number> {
    for (;;) {
      const seen = await answers(t, companyId);
      if (JSON.stringify(seen) === JSON.stringify(refused)) return Date.now() - since;
      if (Date.now() - since > 10000) throw new Error(`still accepted after 10 s: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('ends the tokens of a rotated-out key, of an older roles version and of a removed person, and nothing else', async () => {
    const company = (
      await call('directory', 'POST', '/companies', undefined, {
        name: 'Voss Fahrzeugbau GmbH',
        registrationNumber: `HRB ${randomUUID().slice(0, 8)}`,
        country: 'DE',
        roles: ['buyer'],
      })
    ).body;
    const companyToken = (await token(company.apiKey.key)) as string;
    const anna = (
      await call('directory', 'POST', `/companies/${company.companyId}/people`, companyToken, {
        name: 'Anna Voss',
        email: 'anna@voss.example',
        position: 'Buyer',
        signingRoles: ['procurement'],
      })
    ).body;
    const first = (await token(anna.apiKey.key)) as string;
    expect(await answers(first, company.companyId)).toEqual(accepted);

    // Rotation: Anna issues herself a new key, then revokes the old one.
    const second = (await call('directory', 'POST', `/companies/${company.companyId}/api-keys`, first, { personId: anna.personId })).body;
    expect(second).toMatchObject({ personId: anna.personId, key: expect.stringMatching(/^dlk\./) });
    const secondToken = (await token(second.key)) as string;
    let at = Date.now();
    expect((await call('directory', 'DELETE', `/companies/${company.companyId}/api-keys/${anna.apiKey.keyId}`, secondToken)).body).toEqual({
      keyId: anna.apiKey.keyId,
      revoked: true,
    });
    const afterRevoke = await refusedEverywhere(first, company.companyId, at);
    const why = await call('offers', 'GET', `/offers/${randomUUID()}`, first);
    expect(why).toMatchObject({ status: 401, type: expect.stringContaining('application/problem+json'), body: { detail: expect.stringContaining('revoked') } });
    expect(await token(anna.apiKey.key)).toMatchObject({ status: 401 });
    expect(await answers(secondToken, company.companyId)).toEqual(accepted);
    expect((await call('directory', 'DELETE', `/companies/${company.companyId}/api-keys/${anna.apiKey.keyId}`, secondToken)).body).toMatchObject({
      status: 409,
      code: 'api_key.already_revoked',
    });

    // Roles: tokens carry the roles they were issued with; a change ends them.
    at = Date.now();
    expect(
      (await call('directory', 'PUT', `/companies/${company.companyId}/people/${anna.personId}/roles`, companyToken, { signingRoles: ['legal'] })).body,
    ).toEqual({ personId: anna.personId, signingRoles: ['legal'], rolesVersion: 1 });
    const afterRoles = await refusedEverywhere(secondToken, company.companyId, at);
    const third = await call('directory', 'POST', '/auth/token', undefined, { apiKey: second.key });
    expect(third.body.roles).toEqual(['legal']);
    expect(await answers(third.body.accessToken, company.companyId)).toEqual(accepted);
    // She is no executive: she may not manage others.
    expect((await call('directory', 'DELETE', `/companies/${company.companyId}/people/${anna.personId}`, third.body.accessToken)).body).toMatchObject({
      status: 403,
      code: 'company.cannot_manage_access',
    });

    // Removal: her remaining key is revoked with her; her tokens end everywhere.
    at = Date.now();
    expect((await call('directory', 'DELETE', `/companies/${company.companyId}/people/${anna.personId}`, companyToken)).body).toEqual({
      personId: anna.personId,
      removed: true,
      revokedKeys: [second.keyId],
    });
    const afterRemoval = await refusedEverywhere(third.body.accessToken, company.companyId, at);
    expect(await token(second.key)).toMatchObject({ status: 401 });
    expect((await call('directory', 'GET', `/companies/${company.companyId}`, companyToken)).body.people).toEqual([]);
    expect(await answers(companyToken, company.companyId)).toEqual(accepted);
    console.log(`[revocation] refused in every app after ${afterRevoke} ms (key), ${afterRoles} ms (roles), ${afterRemoval} ms (person)`);

    // Another company cannot touch these keys.
    const other = (
      await call('directory', 'POST', '/companies', undefined, {
        name: 'Other GmbH',
        registrationNumber: `HRB ${randomUUID().slice(0, 8)}`,
        country: 'DE',
        roles: ['supplier'],
      })
    ).body;
    const otherToken = (await token(other.apiKey.key)) as string;
    expect((await call('directory', 'DELETE', `/companies/${company.companyId}/api-keys/${company.apiKey.keyId}`, otherToken)).body).toMatchObject({
      status: 403,
      code: 'company.not_yours',
    });

    // A restarted app learns it all again from the topic before it accepts a token.
    await cluster.kill9('offers');
    await cluster.start('offers');
    expect((await call('offers', 'GET', `/offers/${randomUUID()}`, first)).status).toBe(401);
    expect((await call('offers', 'GET', `/offers/${randomUUID()}`, third.body.accessToken)).status).toBe(401);
    expect((await call('offers', 'GET', `/offers/${randomUUID()}`, companyToken)).status).toBe(404);
  });
});
