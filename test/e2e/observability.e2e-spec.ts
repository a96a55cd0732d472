import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { uniqueName } from '@dealledger/testing';
import { AppName, buildApps, Cluster, freePorts } from './cluster';

type Json = Record<string, any>;

interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
}

/** A stand-in for Jaeger or any OTLP collector: keeps every span the apps export (OTLP/HTTP, JSON). */
class OtlpReceiver {
  readonly spans: ExportedSpan[] = [];
  private server: Server | null = null;
  port = 0;

  async start(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        if (req.url === '/v1/traces') {
          const payload = JSON.parse(body) as Json;
          for (const rs of payload.resourceSpans ?? []) {
            const service = (rs.resource?.attributes ?? []).find((a: Json) => a.key === 'service.name')?.value?.stringValue ?? '?';
            for (const ss of rs.scopeSpans ?? [])
              for (const s of ss.spans ?? [])
                this.spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.port = port;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  of(traceId: string): ExportedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

// SERVER = 2, PRODUCER = 4, CONSUMER = 5 (OTLP span kinds).
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;
const RUNNING: AppName[] = ['directory', 'offers', 'contracts', 'relationships'];

describe('one trace follows a command across processes and Kafka; logs and metrics tell the truth (real processes, PostgreSQL and Kafka)', () => {
  const receiver = new OtlpReceiver();
  let cluster: Cluster;
  let db: DataSource;

  beforeAll(async () => {
    buildApps();
    const [otlpPort] = await freePorts(1);
    await receiver.start(otlpPort);
    // Short export delay: spans reach the receiver within a fraction of a second.
    cluster = new Cluster(uniqueName('obs'), {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'info',
    });
    await cluster.startAll(RUNNING);
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
  }, 300000);

  afterAll(async () => {
    await cluster?.stopAll();
    await receiver.stop();
    await cluster?.dropSchemas(db, RUNNING);
    await db?.destroy();
  });

  async function call(app: AppName, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${cluster.url(app)}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
  }

  async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 30000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function company(name: string, roles: string[], signingRoles: string[]) {
    const registered = (
      await call('directory', 'POST', '/companies', undefined, { name, registrationNumber: `HRB ${randomUUID().slice(0, 8)}`, country: 'DE', roles })
    ).body;
    const companyToken = (await call('directory', 'POST', '/auth/token', undefined, { apiKey: registered.apiKey.key })).body.accessToken as string;
    const person = (
      await call('directory', 'POST', `/companies/${registered.companyId}/people`, companyToken, {
        name: `${name} Lead`,
        email: `lead@${randomUUID().slice(0, 6)}.example`,
        position: 'Lead',
        signingRoles,
      })
    ).body;
    const token = (await call('directory', 'POST', '/auth/token', undefined, { apiKey: person.apiKey.key })).body.accessToken as string;
    return { companyId: registered.companyId as string, token };
  }

  it('offers → Kafka → contracts → Kafka → relationships is one trace with unbroken parent links', async () => {
    const buyer = await company('Spur Werke GmbH', ['buyer'], ['procurement']);
    const supplier = await company('Trace Metall AG', ['supplier'], ['executive']);
    const items = [
      {
        sku: 'AL-SHEET-2',
        kind: 'raw_material',
        description: 'Aluminium sheet 2 mm',
        unit: 't',
        currency: 'EUR',
        tiers: [{ minQuantity: 10, unitPrice: '2400.00' }],
      },
    ];
    // The offers app learns the companies from the directory topic: retry until it knows them.
    const offer = await eventually('the offers app to know the buyer', async () => {
      const r = await call('offers', 'POST', '/offers', supplier.token, {
        buyerId: buyer.companyId,
        items,
        validUntil: new Date(Date.now() + 30 * 86400000).toISOString(),
        paymentTerms: '30 days net',
        deliveryTerms: 'DAP',
      });
      return r.status === 201 ? r.body : undefined;
    });
    const submitted = (await call('offers', 'POST', `/offers/${offer.offerId}/submit`, supplier.token, {})).body;

    // The accepting request arrives with a trace context of its caller.
    const traceId = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const accepted = await call(
      'offers',
      'POST',
      `/offers/${offer.offerId}/accept`,
      buyer.token,
      { revision: submitted.revision, quantities: [{ sku: 'AL-SHEET-2', quantity: 40 }] },
      { traceparent: `00-${traceId}-${clientSpan}-01` },
    );
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('x-trace-id')).toBe(traceId);

    // The contracts app drafts the contract from OfferAccepted; relationships projects both.
    await eventually('the contract draft', async () => {
      const r = await call('contracts', 'GET', `/contracts?origin=offer:${offer.offerId}`, buyer.token);
      return r.status === 200 && (Array.isArray(r.body) ? r.body.length : (r.body.items ?? r.body.contracts ?? []).length) > 0 ? true : undefined;
    });

    const chain = await eventually('the whole chain of spans', async () => {
      const spans = receiver.of(traceId);
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const parentOf = (s: ExportedSpan) => byId.get(s.parentSpanId);
      // From a relationships consumer span that read the contracts topic, walk up to the root.
      for (const leaf of spans.filter((s) => s.service === 'dealledger-relationships' && s.kind === CONSUMER && s.name.includes('.contracts.events'))) {
        const path: ExportedSpan[] = [leaf];
        for (let p = parentOf(leaf); p; p = parentOf(p)) path.push(p);
        if (path[path.length - 1].parentSpanId === clientSpan) return { spans, path: path.reverse() };
      }
      return undefined;
    });

    expect(chain.spans.every((s) => s.traceId === traceId)).toBe(true);
    // Every span's parent is in the trace, but for the root, whose parent is the caller's span.
    const ids = new Set(chain.spans.map((s) => s.spanId));
    expect(chain.spans.filter((s) => !ids.has(s.parentSpanId)).map((s) => s.parentSpanId)).toEqual(expect.arrayContaining([clientSpan]));
    expect(new Set(chain.spans.filter((s) => !ids.has(s.parentSpanId)).map((s) => s.parentSpanId))).toEqual(new Set([clientSpan]));
    // The path, hop by hop: request, append, publish (offers) → consume, append, publish (contracts) → consume (relationships).
    const hops = chain.path
      .filter((s) => s.kind !== 1 || s.name.startsWith('append'))
      .map(
        (s) =>
          `${s.service.replace('dealledger-', '')}:${s.kind === SERVER ? 'server' : s.kind === PRODUCER ? 'publish' : s.kind === CONSUMER ? 'consume' : s.name.split(' ')[0]}`,
      );
    expect(hops).toEqual([
      'offers:server',
      'offers:append',
      'offers:publish',
      'contracts:consume',
      'contracts:append',
      'contracts:publish',
      'relationships:consume',
    ]);
    expect(chain.path[0]).toMatchObject({ name: 'POST /offers/:id/accept', kind: SERVER });

    // The offers app's log line for the request carries the trace, the correlation id and the caller's company.
    const lines = readFileSync(join(cluster.logDir, 'offers.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Json);
    const access = lines.find((l) => l.trace_id === traceId && l.req?.url?.endsWith('/accept'));
    expect(access).toMatchObject({
      app: 'dealledger-offers',
      level: 'info',
      companyId: buyer.companyId,
      correlationId: expect.any(String),
      res: { statusCode: 200 },
    });
    // Nest's and kafkajs's lines are JSON in the same stream, not text beside it.
    expect(lines.some((l) => l.context === 'NestApplication')).toBe(true);
  });

  it('metrics count what happened: appends, publishes, consumed messages, lag of relays and consumer groups', async () => {
    const scrape = async (app: AppName) => (await fetch(`${cluster.url(app)}/metrics`)).text();
    const value = (text: string, name: string, labels: Record<string, string> = {}) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
        .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const offersTopic = `${cluster.prefix}.offers.events`;

    // Relay lag is read at scrape time: once everything is out, it is 0 (a number, not absent).
    const offers = await eventually('the offers relay to catch up', async () => {
      const text = await scrape('offers');
      return text.includes(`dealledger_relay_lag_events{topic="${offersTopic}"} 0`) ? text : undefined;
    });
    const [stored] = await db.query(`SELECT count(*)::int AS n FROM "${cluster.schemaOf('offers')}".events WHERE type = 'OfferAccepted'`);
    expect(value(offers, 'dealledger_events_appended_total', { type: 'OfferAccepted' })).toBe(stored.n);
    expect(stored.n).toBeGreaterThan(0);
    const [all] = await db.query(`SELECT count(*)::int AS n FROM "${cluster.schemaOf('offers')}".events`);
    expect(value(offers, 'dealledger_relay_published_total', { topic: offersTopic })).toBe(all.n);
    expect(value(offers, 'dealledger_relay_active', { topic: offersTopic })).toBe(1);
    expect(offers).toMatch(new RegExp(`dealledger_relay_lag_seconds\\{topic="${offersTopic.replace(/\./g, '\\.')}"\\} 0\\n`));

    const contracts = await eventually('the contracts group to have no lag', async () => {
      const text = await scrape('contracts');
      const lagLines = text.split('\n').filter((l) => l.startsWith('dealledger_consumer_lag_messages{') && l.includes(`topic="${offersTopic}"`));
      return lagLines.length > 0 && lagLines.every((l) => l.endsWith(' 0')) ? text : undefined;
    });
    expect(value(contracts, 'dealledger_consumer_messages_total', { outcome: 'handled' })).toBeGreaterThan(0);
    // Appended inside the consumer's transaction: counted once it committed, once per event.
    const [drafted] = await db.query(`SELECT count(*)::int AS n FROM "${cluster.schemaOf('contracts')}".events WHERE type = 'ContractDrafted'`);
    expect(drafted.n).toBeGreaterThan(0);
    expect(value(contracts, 'dealledger_events_appended_total', { type: 'ContractDrafted' })).toBe(drafted.n);
    expect(contracts).toContain(`dealledger_dead_letter_topic_messages{topic="${offersTopic}.dlq"} 0`);
    expect(value(contracts, 'dealledger_http_request_duration_seconds_count', { route: '/contracts' })).toBeGreaterThan(0);
  });
});
