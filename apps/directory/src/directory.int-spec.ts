import type { INestApplication } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventEnvelope, eventsTopic, Headers } from '@dealledger/events';
import { adminKey } from '@dealledger/auth';
import { createKafka, headerString } from '@dealledger/messaging';
import { collectFromTopic, startTestApp, uniqueName } from '@dealledger/testing';
import { DIRECTORY, DirectoryModule } from './directory.module';

type Json = Record<string, any>;

describe('directory app over HTTP, with its events on Kafka (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('directory');
  const prefix = uniqueName('dl');
  let app: INestApplication;
  let url: string;
  let kafka: Kafka;
  let db: DataSource;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      location: res.headers.get('location'),
      body: (text ? JSON.parse(text) : null) as Json,
    };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const eventCount = async () => Number((await db.query(`SELECT count(*) AS n FROM "${schema}".events`))[0].n);
  async function tokenFor(apiKey: string): Promise<string> {
    const res = await call('POST', '/auth/token', { apiKey });
    expect(res.status).toBe(200);
    return res.body.accessToken;
  }

  beforeAll(async () => {
    process.env.DB_SCHEMA = schema;
    process.env.TOPIC_PREFIX = prefix;
    // As behind the console under npm start: X-Forwarded-For is believed from loopback only.
    process.env.TRUST_PROXY = 'loopback';
    ({ app, url } = await startTestApp(DirectoryModule, DIRECTORY));
    kafka = createKafka('directory-test');
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
  });

  afterAll(async () => {
    await app.close();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    delete process.env.DB_SCHEMA;
    delete process.env.TOPIC_PREFIX;
    delete process.env.TRUST_PROXY;
  });

  let supplier: Json;
  let supplierToken: string;

  it('registers a company over HTTP and publishes CompanyRegistered to dealledger.directory.events', async () => {
    const res = await call('POST', '/companies', { name: 'Nordstahl AG', registrationNumber: 'HRB 86123', country: 'DE', roles: ['supplier'] });
    expect(res.status).toBe(201);
    expect(res.location).toBe(`/companies/${res.body.companyId}`);
    expect(res.body).toMatchObject({ name: 'Nordstahl AG', country: 'DE', roles: ['supplier'], apiKey: { key: expect.stringMatching(/^dlk\./) } });
    supplier = res.body;

    const topic = eventsTopic('directory', prefix);
    expect(topic).toBe(`${prefix}.directory.events`);
    const seen = await collectFromTopic(kafka, topic, (s) => s.some((m) => headerString(m.message.headers, Headers.eventType) === 'CompanyRegistered'));
    const message = seen.find((m) => headerString(m.message.headers, Headers.eventType) === 'CompanyRegistered')!;
    const envelope = JSON.parse(message.message.value!.toString()) as EventEnvelope;
    expect(message.message.key!.toString()).toBe(`company-${supplier.companyId}`);
    expect(envelope).toMatchObject({
      type: 'CompanyRegistered',
      schemaVersion: 1,
      context: 'directory',
      streamId: `company-${supplier.companyId}`,
      streamVersion: 1,
      parties: [supplier.companyId],
      actor: { companyId: supplier.companyId, personId: null },
      data: { companyId: supplier.companyId, name: 'Nordstahl AG', registrationNumber: 'HRB 86123', country: 'DE', roles: ['supplier'] },
    });
    // The secret itself never reaches the log, only its hash.
    const all = seen.map((m) => m.message.value!.toString()).join('\n');
    expect(all).not.toContain(supplier.apiKey.key.split('.')[3]);
  });

  it('refuses the same company twice with 409 problem+json, writing nothing', async () => {
    const before = await eventCount();
    const res = await call('POST', '/companies', { name: 'Nordstahl (again)', registrationNumber: 'HRB  86123', country: 'DE', roles: ['buyer'] });
    expect(res.status).toBe(409);
    expect(res.type).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 409, code: 'company.already_registered', detail: expect.stringContaining('already registered') });
    expect(await eventCount()).toBe(before);
  });

  it('answers bad input with 400 problem+json listing every problem, writing nothing', async () => {
    const before = await eventCount();
    const res = await call('POST', '/companies', { name: '', country: 'Germany', roles: ['wholesaler'], hack: true });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        'property hack should not exist',
        'name should not be empty',
        'country must be an ISO 3166-1 alpha-2 code such as DE',
        expect.stringContaining('each value in roles must be one of'),
      ]),
    );
    const malformed = await call('POST', '/companies', '{"name": ');
    expect(malformed).toMatchObject({ status: 400, body: { code: 'request.malformed_json' } });
    expect(await eventCount()).toBe(before);
  });

  it('exchanges API keys for tokens and refuses wrong keys with 401', async () => {
    supplierToken = await tokenFor(supplier.apiKey.key);
    const wrong = supplier.apiKey.key.slice(0, -4) + 'AAAA';
    expect((await call('POST', '/auth/token', { apiKey: wrong })).status).toBe(401);
    expect((await call('POST', '/auth/token', { apiKey: 'nonsense' })).body).toMatchObject({ status: 401, code: 'auth.unauthorized' });
  });

  it('slows down guessing: after 10 tries for one key within a minute, 429 problem+json, even with the right secret', async () => {
    const key = supplier.apiKey.key;
    const guesses = Array.from({ length: 12 }, (_, i) => key.slice(0, -4) + String(1000 + i));
    const statuses: number[] = [];
    for (const guess of guesses) statuses.push((await call('POST', '/auth/token', { apiKey: guess })).status);
    // The earlier test made two requests for this key already.
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(7);
    const limited = await call('POST', '/auth/token', { apiKey: key });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 429, code: 'request.rate_limited' });
    // Another key from the same address is not held up by it.
    expect((await call('POST', '/auth/token', { apiKey: 'dlk.someone.else.secret' })).status).toBe(401);
    // Nor is the key's holder, signing in from another address through a trusted proxy (the console).
    expect((await call('POST', '/auth/token', { apiKey: key }, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expect((await call('POST', '/auth/token', { apiKey: key })).status).toBe(429);
  });

  it('records people with signing roles, guarded by company and role', async () => {
    const path = `/companies/${supplier.companyId}/people`;
    const ceo = { name: 'Greta Lindqvist', email: 'Greta@Nordstahl.example', position: 'CEO', signingRoles: ['executive'] };
    expect((await call('POST', path, ceo)).status).toBe(401);
    const added = await call('POST', path, ceo, bearer(supplierToken));
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email: 'greta@nordstahl.example', signingRoles: ['executive'], apiKey: { key: expect.stringMatching(/^dlk\./) } });

    const ceoLogin = await call('POST', '/auth/token', { apiKey: added.body.apiKey.key });
    expect(ceoLogin.body).toMatchObject({ companyId: supplier.companyId, personId: added.body.personId, roles: ['executive'] });

    // An executive may add colleagues; a procurement officer may not.
    const buyerRep = await call(
      'POST',
      path,
      { name: 'Ola', email: 'ola@nordstahl.example', position: 'Buyer', signingRoles: ['procurement'] },
      bearer(ceoLogin.body.accessToken),
    );
    expect(buyerRep.status).toBe(201);
    const olaToken = await tokenFor(buyerRep.body.apiKey.key);
    const refused = await call('POST', path, { name: 'X', email: 'x@nordstahl.example', position: 'X', signingRoles: [] }, bearer(olaToken));
    expect(refused.body).toMatchObject({ status: 403, code: 'company.cannot_add_people' });

    expect((await call('POST', path, { ...ceo, name: 'Dup' }, bearer(supplierToken))).body).toMatchObject({ status: 409, code: 'person.email_taken' });
    expect((await call('POST', path, { ...ceo, signingRoles: ['government'], email: 'g@n.example' }, bearer(supplierToken))).body.code).toBe(
      'person.government_role_needs_public_body',
    );
  });

  it("shows a company to other members without its people's emails, and refuses other companies' changes", async () => {
    const buyer = await call('POST', '/companies', { name: 'Autowerk Süd GmbH', registrationNumber: 'HRB 4711', country: 'DE', roles: ['buyer'] });
    const buyerToken = await tokenFor(buyer.body.apiKey.key);

    const own = await call('GET', `/companies/${supplier.companyId}`, undefined, bearer(supplierToken));
    expect(own.status).toBe(200);
    expect(own.body.people).toHaveLength(2);
    expect(own.body.people[0].email).toBe('greta@nordstahl.example');

    const seenByBuyer = await call('GET', `/companies/${supplier.companyId}`, undefined, bearer(buyerToken));
    expect(seenByBuyer.body.people.map((p: Json) => p.name)).toEqual(['Greta Lindqvist', 'Ola']);
    expect(seenByBuyer.body.people[0].email).toBeUndefined();

    const meddling = await call(
      'POST',
      `/companies/${supplier.companyId}/people`,
      { name: 'Mole', email: 'm@x.example', position: 'Spy', signingRoles: [] },
      bearer(buyerToken),
    );
    expect(meddling.body).toMatchObject({ status: 403, code: 'company.not_yours' });

    expect((await call('GET', '/companies/00000000-0000-4000-8000-000000000000', undefined, bearer(buyerToken))).body).toMatchObject({
      status: 404,
      code: 'company.not_found',
    });
    expect((await call('GET', '/companies/not-a-uuid', undefined, bearer(buyerToken))).status).toBe(400);
    expect((await call('GET', `/companies/${supplier.companyId}`, undefined, bearer(buyerToken + 'x'))).status).toBe(401);
  });

  it('keeps a public body pending until an operator verifies it: only then may its people hold the government role', async () => {
    const city = await call('POST', '/companies', { name: 'City of Graz', registrationNumber: 'GKZ 60101', country: 'AT', roles: ['buyer', 'public_body'] });
    const cityToken = await tokenFor(city.body.apiKey.key);
    expect((await call('GET', `/companies/${city.body.companyId}`, undefined, bearer(cityToken))).body.verification).toBe('pending');
    const official = { name: 'Franz Gruber', email: 'f@graz.example', position: 'Federal representative', signingRoles: ['government'] };
    expect((await call('POST', `/companies/${city.body.companyId}/people`, official, bearer(cityToken))).body.code).toBe(
      'person.government_role_needs_public_body',
    );

    // No company verifies itself: the operator's key, which no default provides, is required.
    const verify = (headers: Record<string, string>) =>
      call('POST', `/admin/companies/${city.body.companyId}/verification`, { note: 'register of public bodies checked' }, headers);
    expect((await verify(bearer(cityToken))).body).toMatchObject({ status: 401, code: 'auth.unauthorized' });
    expect((await verify({ 'x-admin-key': 'dev-admin-key' })).status).toBe(401);
    expect((await verify({ 'x-admin-key': adminKey() })).body).toEqual({ companyId: city.body.companyId, verification: 'verified' });
    expect((await verify({ 'x-admin-key': adminKey() })).body).toMatchObject({ status: 409, code: 'company.already_verified' });
    expect((await call('GET', `/companies/${city.body.companyId}`, undefined, bearer(cityToken))).body.verification).toBe('verified');
    expect((await call('POST', `/companies/${city.body.companyId}/people`, official, bearer(cityToken))).status).toBe(201);
  });

  it('answers 409, not a wrong answer or a 500, when an Idempotency-Key is reused for another request', async () => {
    const company = await call('POST', '/companies', { name: 'Keyreuse GmbH', registrationNumber: 'HRB 99001', country: 'DE', roles: ['supplier'] });
    const token = await tokenFor(company.body.apiKey.key);
    const key = { ...bearer(token), 'idempotency-key': 'reused-key-1' };
    const spare = await call('POST', `/companies/${company.body.companyId}/api-keys`, {}, bearer(token));
    expect((await call('DELETE', `/companies/${company.body.companyId}/api-keys/${spare.body.keyId}`, undefined, key)).body).toEqual({
      keyId: spare.body.keyId,
      revoked: true,
    });
    const before = await eventCount();
    expect((await call('POST', `/companies/${company.body.companyId}/api-keys`, {}, key)).body).toMatchObject({
      status: 409,
      code: 'request.idempotency_key_reused',
    });
    expect(
      (await call('POST', `/companies/${company.body.companyId}/people`, { name: 'X', email: 'x@k.example', position: 'Y', signingRoles: [] }, key)).body,
    ).toMatchObject({ status: 409, code: 'request.idempotency_key_reused' });
    expect(await eventCount()).toBe(before);
  });

  it('gives a retried request with the same Idempotency-Key the same answer and no second effect', async () => {
    const body = { name: 'Reifen Nord', registrationNumber: 'HRB 777', country: 'DE', roles: ['supplier'] };
    const first = await call('POST', '/companies', body, { 'idempotency-key': 'register-reifen-nord' });
    const before = await eventCount();
    const retry = await call('POST', '/companies', body, { 'idempotency-key': 'register-reifen-nord' });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ companyId: first.body.companyId, apiKey: { keyId: first.body.apiKey.keyId, key: null } });
    expect(await eventCount()).toBe(before);
  });

  it('serves /health, /metrics and /docs', async () => {
    expect((await call('GET', '/health')).body).toMatchObject({ status: 'up', database: 'up', context: 'directory' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('dealledger_http_request_duration_seconds');
    expect((await fetch(`${url}/docs`)).status).toBe(200);
    const openapi = (await call('GET', '/docs/openapi.json')).body;
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/companies', '/companies/{id}', '/companies/{id}/people', '/auth/token', '/health']));
    expect((await call('GET', '/no-such-route')).body).toMatchObject({ status: 404 });
  });
});
