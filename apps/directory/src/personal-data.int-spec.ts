import type { INestApplication } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { adminKey } from '@dealledger/auth';
import { eventsTopic, Headers } from '@dealledger/events';
import { PostgresEventStore } from '@dealledger/event-store';
import { createKafka, headerString } from '@dealledger/messaging';
import { Collected, collectFromTopic, readWholeTopic, startTestApp, uniqueName } from '@dealledger/testing';
import { DIRECTORY, DirectoryModule } from './directory.module';

type Json = Record<string, any>;

/**
 * Crypto-shredding end to end: a person's name and e-mail are recorded only sealed with a key of
 * their own; erasing deletes that key with the PersonalDataErased event, after which neither
 * string is anywhere in the directory's database or on its topic, and the hash chain still holds.
 * (No read model outside the directory keeps PersonAdded data: nothing else to rebuild.)
 */
describe('erasing personal data from the directory (real PostgreSQL and Kafka)', () => {
  const schema = uniqueName('directory_pd');
  const prefix = uniqueName('dl');
  // Distinctive, so that finding them anywhere means they leaked.
  const marker = randomBytes(4).toString('hex');
  const name = `Zephyrine Quillfeather ${marker}`;
  const email = `zephyrine.${marker}@shredding.example`;
  let app: INestApplication;
  let url: string;
  let kafka: Kafka;
  let db: DataSource;
  let store: PostgresEventStore;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  async function tokenFor(apiKey: string): Promise<string> {
    const res = await call('POST', '/auth/token', { apiKey });
    expect(res.status).toBe(200);
    return res.body.accessToken;
  }
  const keyRows = async (personId: string) =>
    Number((await db.query(`SELECT count(*) AS n FROM "${schema}".person_keys WHERE person_id = $1`, [personId]))[0].n);

  /** Every place in the test's schema (each column of each table, as text or as bytes) that holds `text`. */
  async function placesHolding(text: string): Promise<string[]> {
    const columns: { table_name: string; column_name: string; data_type: string }[] = await db.query(
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'`,
      [schema],
    );
    expect(columns.map((c) => c.table_name)).toEqual(expect.arrayContaining(['events', 'person_keys', 'inbox', 'migrations']));
    const found: string[] = [];
    for (const c of columns) {
      const column = `"${c.column_name}"`;
      const holds = c.data_type === 'bytea' ? `position(convert_to($1, 'UTF8') IN ${column}) > 0` : `strpos(lower(${column}::text), lower($1)) > 0`;
      const rows = await db.query(`SELECT count(*) AS n FROM "${schema}"."${c.table_name}" WHERE ${holds}`, [text]);
      if (Number(rows[0].n) > 0) found.push(`${c.table_name}.${c.column_name}`);
    }
    return found;
  }

  const text = (m: Collected) =>
    [m.message.key?.toString() ?? '', m.message.value?.toString() ?? '', ...Object.values(m.message.headers ?? {}).map((h) => String(h ?? ''))].join('\n');
  const typeOf = (m: Collected) => headerString(m.message.headers, Headers.eventType);

  beforeAll(async () => {
    process.env.DB_SCHEMA = schema;
    process.env.TOPIC_PREFIX = prefix;
    ({ app, url } = await startTestApp(DirectoryModule, DIRECTORY));
    store = app.get(PostgresEventStore);
    kafka = createKafka('personal-data-test');
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
  });

  afterAll(async () => {
    await app.close();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
    delete process.env.DB_SCHEMA;
    delete process.env.TOPIC_PREFIX;
  });

  let company: Json;
  let companyToken: string;
  let person: Json;
  let personToken: string;
  let clerkToken: string;
  let strangerToken: string;

  it('records a person with their name and e-mail sealed: colleagues read them in clear, the log does not hold them', async () => {
    company = (await call('POST', '/companies', { name: 'Shredwerk GmbH', registrationNumber: `HRB ${marker}`, country: 'DE', roles: ['supplier'] })).body;
    companyToken = await tokenFor(company.apiKey.key);
    const path = `/companies/${company.companyId}/people`;
    const body = { name, email: email.toUpperCase(), position: 'Head of Procurement', signingRoles: ['procurement', 'executive'] };
    const added = await call('POST', path, body, { ...bearer(companyToken), 'idempotency-key': `add-${marker}` });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      name,
      email,
      position: 'Head of Procurement',
      signingRoles: ['procurement', 'executive'],
      apiKey: { key: expect.any(String) },
    });
    person = added.body;
    personToken = await tokenFor(person.apiKey.key);

    // A retried request names the same person and makes no second key.
    const retry = await call('POST', path, body, { ...bearer(companyToken), 'idempotency-key': `add-${marker}` });
    expect(retry.body).toMatchObject({ personId: person.personId, name, email, apiKey: { keyId: person.apiKey.keyId, key: null } });
    expect(await keyRows(person.personId)).toBe(1);

    const clerk = await call(
      'POST',
      path,
      { name: 'Ola Clerk', email: `ola.${marker}@shredding.example`, position: 'Clerk', signingRoles: ['procurement'] },
      bearer(companyToken),
    );
    clerkToken = await tokenFor(clerk.body.apiKey.key);
    const stranger = await call('POST', '/companies', { name: 'Elsewhere AG', registrationNumber: `HRB X${marker}`, country: 'DE', roles: ['buyer'] });
    strangerToken = await tokenFor(stranger.body.apiKey.key);

    const seen = await call('GET', `/companies/${company.companyId}`, undefined, bearer(clerkToken));
    expect(seen.body.people).toEqual(
      expect.arrayContaining([
        { personId: person.personId, name, email, position: 'Head of Procurement', signingRoles: ['procurement', 'executive'], erased: false },
      ]),
    );
    // Sealed from the start: in clear only in what the API answers.
    const stored: { type: string; schema_version: number; data: Json }[] = await db.query(
      `SELECT type, schema_version, data FROM "${schema}".events WHERE stream_id = $1 AND type = 'PersonAdded'`,
      [`company-${company.companyId}`],
    );
    expect(stored.find((e) => e.data.personId === person.personId)).toMatchObject({
      schema_version: 2,
      data: { personal: { alg: 'A256GCM', keyId: person.personId }, position: 'Head of Procurement' },
    });
    expect(await placesHolding(name)).toEqual([]);
    expect(await placesHolding(email)).toEqual([]);
  });

  it('lets only the person, their company or an operator erase; others hear 403 or, from another company, 404', async () => {
    const path = `/companies/${company.companyId}/people/${person.personId}/personal-data`;
    expect((await call('DELETE', path, undefined, bearer(strangerToken))).body).toMatchObject({ status: 404, code: 'person.not_found' });
    expect((await call('DELETE', path, undefined, bearer(clerkToken))).body).toMatchObject({ status: 403, code: 'person.cannot_erase_personal_data' });
    expect((await call('DELETE', `/companies/${company.companyId}/people/${randomUUID()}/personal-data`, undefined, bearer(companyToken))).body).toMatchObject({
      status: 404,
      code: 'person.not_found',
    });
    expect((await call('DELETE', `/admin${path}`, undefined, { 'x-admin-key': 'not-the-key' })).status).toBe(401);
    expect(await keyRows(person.personId)).toBe(1);
  });

  it('erases at the person’s request, once: the key goes with the event, and every read shows them erased', async () => {
    const path = `/companies/${company.companyId}/people/${person.personId}/personal-data`;
    expect(await call('DELETE', path, undefined, bearer(personToken))).toEqual({ status: 200, body: { personId: person.personId, erased: true } });
    expect(await keyRows(person.personId)).toBe(0);
    // Idempotent: again, by the company or an operator, answers the same and records nothing.
    const events = async () => (await store.readStreamAsStored(`company-${company.companyId}`)).map((e) => e.type);
    const before = await events();
    expect(before.filter((t) => t === 'PersonalDataErased')).toHaveLength(1);
    expect((await call('DELETE', path, undefined, bearer(companyToken))).body).toEqual({ personId: person.personId, erased: true });
    expect((await call('DELETE', `/admin${path}`, undefined, { 'x-admin-key': adminKey() })).body).toEqual({ personId: person.personId, erased: true });
    expect(await events()).toEqual(before);

    for (const token of [clerkToken, strangerToken]) {
      const view = await call('GET', `/companies/${company.companyId}`, undefined, bearer(token));
      const shown = view.body.people.find((p: Json) => p.personId === person.personId);
      expect(shown).toMatchObject({
        personId: person.personId,
        name: null,
        position: 'Head of Procurement',
        signingRoles: ['procurement', 'executive'],
        erased: true,
      });
      if (token === clerkToken) expect(shown.email).toBeNull();
      expect(JSON.stringify(view.body)).not.toContain('Zephyrine');
      expect(JSON.stringify(view.body)).not.toContain(email);
    }
    // The person, their roles and their key stay: they still sign in.
    expect((await call('POST', '/auth/token', { apiKey: person.apiKey.key })).body).toMatchObject({
      personId: person.personId,
      roles: ['procurement', 'executive'],
    });
    // Their e-mail is free again.
    const again = await call(
      'POST',
      `/companies/${company.companyId}/people`,
      { name: 'Someone Else', email, position: 'Buyer', signingRoles: [] },
      bearer(companyToken),
    );
    expect(again.status).toBe(201);
  });

  it('keeps the hash chain whole', async () => {
    const report = await store.verify();
    expect(report).toMatchObject({ ok: true, broken: [] });
    expect(report.events).toBeGreaterThan(0);
  });

  it('leaves neither the name nor the e-mail in any table of the schema', async () => {
    expect(await placesHolding(name)).toEqual([]);
    expect(await placesHolding(email)).toEqual([]);
    // The search itself finds what is there: the company's registration number holds the marker.
    expect(await placesHolding(`HRB ${marker}`)).toEqual(['events.data']);
  });

  it('leaves neither on the directory topic, every message of which is read', async () => {
    const topic = eventsTopic('directory', prefix);
    // Once the relay has published every stored event (at least once), read all the topic holds.
    const stored = new Set((await store.readAll()).events.map((e) => e.id));
    const idOf = (m: Collected) => (JSON.parse(m.message.value!.toString()) as { id: string }).id;
    await collectFromTopic(kafka, topic, (seen) => new Set(seen.map(idOf).filter((id) => stored.has(id))).size === stored.size);
    const all = await readWholeTopic(kafka, topic);
    expect(new Set(all.map(idOf))).toEqual(stored);
    const added = all.filter((m) => typeOf(m) === 'PersonAdded');
    expect(added.length).toBeGreaterThanOrEqual(3);
    for (const m of added) expect(JSON.parse(m.message.value!.toString())).toMatchObject({ schemaVersion: 2, data: { personal: { alg: 'A256GCM' } } });
    // Published at least once: a copy may come twice.
    const erasures = new Map(all.filter((m) => typeOf(m) === 'PersonalDataErased').map((m) => [idOf(m), JSON.parse(m.message.value!.toString()).data]));
    expect([...erasures.values()]).toEqual([{ companyId: company.companyId, personId: person.personId }]);
    for (const m of all) {
      expect(text(m).toLowerCase()).not.toContain(name.toLowerCase());
      expect(text(m).toLowerCase()).not.toContain(email.toLowerCase());
    }
  });

  it('can only hide a person recorded before sealing (PersonAdded v1): the clear text stays in the log', async () => {
    const streamId = `company-${company.companyId}`;
    const oldPersonId = randomUUID();
    const oldName = `Ottilie Oldrecord ${marker}`;
    const version = (await store.readStreamAsStored(streamId)).length;
    await store.append(streamId, version, [
      {
        id: randomUUID(),
        type: 'PersonAdded',
        schemaVersion: 1,
        data: {
          companyId: company.companyId,
          personId: oldPersonId,
          name: oldName,
          email: `ottilie.${marker}@old.example`,
          position: 'Archivist',
          signingRoles: [],
        },
        metadata: { occurredAt: new Date(), parties: [company.companyId], actor: null, correlationId: randomUUID() },
      },
    ]);
    const shown = async () =>
      (await call('GET', `/companies/${company.companyId}`, undefined, bearer(companyToken))).body.people.find((p: Json) => p.personId === oldPersonId);
    expect(await shown()).toMatchObject({ name: oldName, erased: false });

    const path = `/admin/companies/${company.companyId}/people/${oldPersonId}/personal-data`;
    expect((await call('DELETE', path, undefined, { 'x-admin-key': adminKey() })).body).toEqual({ personId: oldPersonId, erased: true });
    expect(await shown()).toMatchObject({ name: null, email: null, erased: true });
    // Hidden, not shredded: no key to delete, and the immutable v1 event keeps it.
    expect(await placesHolding(oldName)).toEqual(['events.data']);
    expect((await store.verify()).ok).toBe(true);
  });
});
