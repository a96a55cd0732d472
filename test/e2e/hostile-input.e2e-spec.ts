import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { tokenFor, uniqueName } from '@dealledger/testing';
import { APPS, AppName, buildApps, Cluster } from './cluster';

// Every route of every app, from its own OpenAPI document, under generated and hostile input:
// no answer is a 5xx, every error is problem+json, and no refused request wrote anything.

type Json = Record<string, any>;
const ROLES = ['procurement', 'legal', 'finance', 'technical', 'executive', 'government'];
const HOSTILE_TEXT = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '',
  ' ',
  '%00',
  "'; DROP TABLE events; --",
  '../../etc/passwd',
  '9'.repeat(40),
  '2026-02-30',
  '1e308',
  '-1',
  'NaN',
  '__proto__',
  '🚗'.repeat(300),
  'x'.repeat(5000),
];
const HOSTILE_NUMBERS = [0, -1, 1e12, 1e15, 1e308, -1e308, 0.1, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2];
/** Percent-encodes, sending an unpaired surrogate as the (invalid) UTF-8 bytes a careless client would. */
const encode = (s: string) => [...s].map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
const nested = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

interface Operation {
  app: AppName;
  method: string;
  path: string;
  params: { name: string; in: string; schema?: Json }[];
  body?: Json;
}

/** A value for `schema` (resolving $ref against `doc`), valid-looking or hostile at any node. */
function valueOf(schema: Json | undefined, doc: Json, depth = 0): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(fc.constantFrom<unknown>(...HOSTILE_TEXT, ...HOSTILE_NUMBERS, null, true, [], {}), fc.jsonValue({ maxDepth: 2 }));
  if (!schema || depth > 6) return hostile;
  if (schema.$ref) return valueOf(doc.components?.schemas?.[String(schema.$ref).split('/').pop()!], doc, depth);
  if (schema.allOf) return valueOf(schema.allOf[0], doc, depth);
  let valid: fc.Arbitrary<unknown>;
  // The documented example is a value the route accepts: mostly that, so that one hostile leaf
  // in an otherwise valid body gets past validation to where it would do harm.
  if (schema.example !== undefined && schema.type !== 'object' && schema.type !== 'array')
    valid = fc.oneof({ weight: 3, arbitrary: fc.constant(schema.example) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
  else if (schema.enum) valid = fc.constantFrom(...schema.enum);
  else if (schema.type === 'object' || schema.properties) {
    const props = Object.fromEntries(Object.entries<Json>(schema.properties ?? {}).map(([k, s]) => [k, valueOf(s, doc, depth + 1)]));
    valid = fc.record(props, { requiredKeys: schema.required ?? Object.keys(props) });
  } else if (schema.type === 'array') valid = fc.array(valueOf(schema.items, doc, depth + 1), { maxLength: 3 });
  else if (schema.type === 'integer') valid = fc.oneof(fc.integer({ min: 0, max: 100000 }), fc.constantFrom(...HOSTILE_NUMBERS));
  else if (schema.type === 'number') valid = fc.oneof(fc.double({ noNaN: true, min: 0, max: 1e6 }), fc.constantFrom(...HOSTILE_NUMBERS));
  else if (schema.type === 'boolean') valid = fc.boolean();
  else if (schema.format === 'uuid') valid = fc.uuid();
  else if (schema.format === 'date-time')
    valid = fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  else valid = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('EUR', '52.00', '1000', 'lot-1', 'piece', 'critical'));
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

/** A generated value as a path or query parameter; JSON for objects (`{"toString": 1}` has no String()). */
const asParam = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));

function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; type: string; json: Json | null }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Json | null = null;
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('hostile input on every route of every app (real PostgreSQL and Kafka)', () => {
  const cluster = new Cluster(uniqueName('fuzz'));
  let db: DataSource;
  const operations: Operation[] = [];
  const refused: string[] = [];
  const statuses = new Map<string, number>();

  beforeAll(async () => {
    buildApps();
    await cluster.startAll();
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
    for (const app of APPS) {
      const doc = (await (await fetch(`${cluster.url(app)}/docs/openapi.json`)).json()) as Json;
      for (const [path, item] of Object.entries<Json>(doc.paths)) {
        for (const [method, op] of Object.entries<Json>(item)) {
          const body = op.requestBody?.content?.['application/json']?.schema;
          operations.push({ app, method: method.toUpperCase(), path, params: op.parameters ?? [], body: body ? { schema: body, doc } : undefined });
        }
      }
    }
  }, 300000);

  afterAll(async () => {
    await cluster.stopAll();
    await cluster.dropSchemas(db);
    await db?.destroy();
  });

  /** Sends one request and checks the answer; remembers refused commands by their command id. */
  async function check(op: Operation, path: string, headers: Record<string, string>, body: string | undefined, company: string | null) {
    const key = randomUUID();
    const r = await send(`${cluster.url(op.app)}${path}`, op.method, { ...headers, 'idempotency-key': key }, body);
    const what = `${op.app} ${op.method} ${path} ${body === undefined ? '' : body.slice(0, 200)}`;
    // Thrown inside a property, so fast-check shrinks the input and prints the seed to replay it.
    if (r.status >= 500) throw new Error(`${r.status} ${what}: ${JSON.stringify(r.json)}`);
    if (r.status >= 400 && (!r.type.startsWith('application/problem+json') || r.json?.status !== r.status || typeof r.json?.code !== 'string'))
      throw new Error(`${r.status} not problem+json (${r.type}) ${what}`);
    // A command's id is its caller's company (or "anonymous") and the Idempotency-Key.
    if (r.status >= 400) refused.push(`${company ?? 'anonymous'}:${key}`);
    statuses.set(`${op.app} ${op.method} ${op.path} ${r.status}`, (statuses.get(`${op.app} ${op.method} ${op.path} ${r.status}`) ?? 0) + 1);
    return r.status;
  }

  it('answers every generated request without a 5xx, every error as problem+json', async () => {
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations) {
      const params = op.params.filter((p) => p.in === 'path' || p.in === 'query');
      const arb = fc.record({
        params: fc.tuple(
          ...params.map((p) => fc.oneof(fc.uuid(), fc.constantFrom('not-a-uuid', '2026-02-30', 'true', '-1', '%00'), valueOf(p.schema, {}).map(asParam))),
        ),
        body: op.body ? valueOf(op.body.schema, op.body.doc) : fc.constant(undefined),
        company: fc.uuid(),
        roles: fc.subarray(ROLES),
        auth: fc.oneof({ weight: 8, arbitrary: fc.constant('token') }, { weight: 1, arbitrary: fc.constantFrom('none', 'garbage') }),
      });
      await fc.assert(
        fc.asyncProperty(arb, async ({ params: values, body, company, roles, auth }) => {
          let path = op.path;
          const query: string[] = [];
          params.forEach((p, i) => {
            if (p.in === 'path') path = path.replace(`{${p.name}}`, encode(values[i]));
            else query.push(`${p.name}=${encode(values[i])}`);
          });
          const headers: Record<string, string> = {};
          if (auth === 'token') headers.authorization = `Bearer ${tokenFor({ companyId: company, personId: randomUUID(), roles })}`;
          if (auth === 'garbage') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.e30.';
          if (path.startsWith('/admin')) headers['x-admin-key'] = 'wrong';
          await check(
            op,
            `${path}${query.length ? `?${query.join('&')}` : ''}`,
            headers,
            body === undefined ? undefined : JSON.stringify(body),
            auth === 'token' ? company : null,
          );
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
      );
    }
    if (process.env.FUZZ_REPORT)
      console.log(
        [...statuses]
          .sort()
          .map(([k, n]) => `${k}: ${n}`)
          .join('\n'),
      );
  }, 600000);

  /** Every leaf of a JSON value, as a path of keys and indexes. */
  function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
    if (value === null || typeof value !== 'object') return [path];
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Json);
    return entries.length ? entries.flatMap(([k, v]) => leaves(v, [...path, k])) : [path];
  }

  /** `body` with the leaf at `path` replaced by `value`, removed, or given an unknown sibling. */
  function mutate(body: Json, path: (string | number)[], op: 'replace' | 'delete' | 'add', value: unknown): Json {
    const copy = JSON.parse(JSON.stringify(body));
    if (path.length === 0) return op === 'replace' ? (value as Json) : copy;
    let parent = copy;
    for (const k of path.slice(0, -1)) parent = parent[k];
    const last = path[path.length - 1];
    if (op === 'replace') parent[last] = value;
    else if (op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (!Array.isArray(parent)) parent[`${String(last)}\u0000x`] = value;
    return copy;
  }

  it('answers valid commands with one hostile change anywhere in them without a 5xx, every error as problem+json', async () => {
    const supplier = randomUUID();
    const buyer = randomUUID();
    const as = (companyId: string) => ({ authorization: `Bearer ${tokenFor({ companyId, personId: randomUUID(), roles: ROLES })}` });
    const post = async (app: AppName, path: string, body: Json, headers: Record<string, string>) =>
      (await send(`${cluster.url(app)}${path}`, 'POST', headers, JSON.stringify(body))).json as Json;
    const offer = {
      buyerId: buyer,
      items: [
        {
          sku: 'TYRE',
          kind: 'component',
          description: 'Tyre',
          unit: 'piece',
          currency: 'EUR',
          tiers: [
            { minQuantity: 100, unitPrice: '52.00' },
            { minQuantity: 1000, unitPrice: '47.50' },
          ],
        },
      ],
      validUntil: new Date(Date.now() + 30 * 86400000).toISOString(),
      paymentTerms: '60 days net',
      deliveryTerms: 'DAP',
    };
    const tender = {
      title: 'Bearings',
      items: [{ itemId: 'lot-1', description: 'Bearing', quantity: 1000, unit: 'piece', specification: 'ISO' }],
      submissionDeadline: new Date(Date.now() + 3600000).toISOString(),
      weights: { price: 50, quality: 20, reputation: 10, service: 10, partnership: 10 },
      publicProcurement: false,
      currency: 'EUR',
    };
    // Entities to act on, so that changed commands reach their deciders and stores.
    const submitted = (await post('offers', '/offers', offer, as(supplier))).offerId;
    expect((await post('offers', `/offers/${submitted}/submit`, {}, as(supplier))).status).toBe('submitted');
    const open = (await post('offers', '/tenders', tender, as(buyer))).tenderId;
    expect((await post('offers', `/tenders/${open}/invitations`, { supplierIds: [supplier] }, as(buyer))).invited).toEqual([supplier]);
    const templates: { op: Operation; path: string; body: Json; company: string }[] = [
      {
        op: { app: 'directory', method: 'POST', path: '/companies', params: [] },
        path: '/companies',
        body: { name: 'Acme GmbH', registrationNumber: `HRB ${Date.now()}`, country: 'DE', roles: ['supplier'] },
        company: supplier,
      },
      { op: { app: 'offers', method: 'POST', path: '/offers', params: [] }, path: '/offers', body: offer, company: supplier },
      { op: { app: 'offers', method: 'POST', path: '/tenders', params: [] }, path: '/tenders', body: tender, company: buyer },
      {
        op: { app: 'offers', method: 'POST', path: '/offers/{id}/counter', params: [] },
        path: `/offers/${submitted}/counter`,
        body: { proposals: [{ sku: 'TYRE', unitPrice: '50.00' }], note: 'lower' },
        company: buyer,
      },
      {
        op: { app: 'offers', method: 'POST', path: '/offers/{id}/accept', params: [] },
        path: `/offers/${submitted}/accept`,
        body: { revision: 0, quantities: [{ sku: 'TYRE', quantity: 1200 }] },
        company: buyer,
      },
      {
        op: { app: 'offers', method: 'POST', path: '/tenders/{id}/bids', params: [] },
        path: `/tenders/${open}/bids`,
        body: { prices: [{ itemId: 'lot-1', unitPrice: '21.40' }], note: 'incl. delivery' },
        company: supplier,
      },
      {
        op: { app: 'resale', method: 'POST', path: '/lots', params: [] },
        path: '/lots',
        body: { source: { kind: 'contract', contractId: randomUUID() }, sku: 'TYRE', quantity: 10, unitCost: '50.00', currency: 'EUR' },
        company: buyer,
      },
      {
        op: { app: 'service-desk', method: 'POST', path: '/tickets', params: [] },
        path: '/tickets',
        body: { contractId: randomUUID(), sku: 'TYRE', severity: 'critical', description: 'broken' },
        company: buyer,
      },
      {
        op: { app: 'contracts', method: 'POST', path: '/contracts/{id}/call-offs', params: [] },
        path: `/contracts/${randomUUID()}/call-offs`,
        body: { lines: [{ sku: 'TYRE', quantity: 5 }] },
        company: buyer,
      },
    ];
    for (const t of templates) {
      const paths = leaves(t.body);
      const arb = fc.record({
        leaf: fc.nat({ max: paths.length - 1 }),
        op: fc.constantFrom<'replace' | 'delete' | 'add'>('replace', 'replace', 'replace', 'delete', 'add'),
        value: fc.oneof(fc.constantFrom<unknown>(...HOSTILE_TEXT, ...HOSTILE_NUMBERS, null, {}, [], JSON.parse(nested(40))), fc.jsonValue({ maxDepth: 3 })),
      });
      await fc.assert(
        fc.asyncProperty(arb, async ({ leaf, op, value }) => {
          const headers = t.op.app === 'directory' ? {} : as(t.company);
          await check(t.op, t.path, headers, JSON.stringify(mutate(t.body, paths[leaf], op, value)), t.op.app === 'directory' ? null : t.company);
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
      );
    }
  }, 600000);

  it('refuses the known hostile bodies on every route with a body as problem+json (deep nesting, NUL, prototype keys, no body, not JSON)', async () => {
    const company = randomUUID();
    const headers = { authorization: `Bearer ${tokenFor({ companyId: company, personId: randomUUID(), roles: ROLES })}` };
    for (const op of operations.filter((o) => o.body)) {
      const path = op.path.replace(/\{[^}]+\}/g, randomUUID());
      for (const body of [nested(2500), '{"a":"\\u0000"}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '', '{', '[]', '"text"', '{}']) {
        const status = await check(op, path, headers, body, company);
        expect(status).toBeLessThan(500);
      }
    }
  });

  it('answers headers too large with 431 problem+json', async () => {
    const r = await send(`${cluster.url('offers')}/offers`, 'GET', { 'x-filler': 'x'.repeat(64 * 1024) });
    expect(r.status).toBe(431);
    expect(r.type).toContain('application/problem+json');
    expect(r.json).toMatchObject({ status: 431, code: 'request.headers_too_large' });
  });

  it('wrote nothing for any refused request', async () => {
    expect(refused.length).toBeGreaterThan(100);
    for (const app of APPS) {
      const rows = await db.query(`SELECT type, causation_id FROM "${cluster.schemaOf(app)}".events WHERE causation_id = ANY($1)`, [refused]);
      expect(rows).toEqual([]);
    }
  });
});
