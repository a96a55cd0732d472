import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CONTEXTS, EventEnvelope, eventsTopic } from '@dealledger/events';
import { connectProducer, createKafka, ensureTopics } from '@dealledger/messaging';
import { eventually, genericPlan, http, sampleHistory, sendToTopics, startTestApp, tokenFor, uniqueName } from '@dealledger/testing';
import { RELATIONSHIPS, RelationshipsModule } from './relationships.module';
import { verifyDelivery } from './webhooks/webhook-policy';
import { deliveriesSql } from './webhooks/webhooks.service';
import { writeFeed } from './feed/feed-rows';

/** A webhook receiver on 127.0.0.1 that answers as `answer` says for each request, counting from 1. */
class Receiver {
  readonly accepted: { body: any; signature: string; raw: string }[] = [];
  requests = 0;
  private server!: Server;
  url = '';

  constructor(public answer: (n: number) => number) {}

  async start(): Promise<this> {
    this.server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const status = this.answer(++this.requests);
      if (status >= 200 && status < 300) {
        const raw = Buffer.concat(chunks).toString();
        this.accepted.push({ body: JSON.parse(raw), signature: String(req.headers['dealledger-signature']), raw });
      }
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('feed and webhooks (real PostgreSQL and Kafka)', () => {
  const prefix = uniqueName('dl');
  const schema = uniqueName('feed');
  let kafka: Kafka;
  let producer: Producer;
  let db: DataSource;
  let app: INestApplication;
  let url: string;
  const supplier = randomUUID();
  const buyer = randomUUID();
  const intermediary = randomUUID();
  const start = new Date('2026-01-05T09:00:00.000Z');
  const history = sampleHistory(supplier, buyer, intermediary, start);
  const send = (events: EventEnvelope[]) => sendToTopics(producer, prefix, events);
  const asBuyer = tokenFor({ companyId: buyer, personId: randomUUID(), roles: ['procurement'] });
  const asSupplier = tokenFor({ companyId: supplier, personId: randomUUID(), roles: ['executive'] });
  const asStranger = tokenFor({ companyId: randomUUID(), personId: randomUUID(), roles: [] });
  const partyTo = (company: string, events: EventEnvelope[]) => events.filter((e) => e.parties.includes(company));

  /** Follows a company's feed from the start until it holds `count` entries. */
  const readAll = async (token: string, count: number, after = '0') => {
    const entries: any[] = [];
    let cursor = after;
    const deadline = Date.now() + 60000;
    while (entries.length < count && Date.now() < deadline) {
      const r = await http(url, 'GET', `/feed?after=${cursor}&limit=7&wait=1`, undefined, token);
      expect(r.status).toBe(200);
      entries.push(...r.body.entries);
      cursor = r.body.next;
    }
    return { entries, cursor };
  };

  /** Everything in a company's feed now. */
  const feedNow = async (token: string) => {
    const entries: any[] = [];
    for (let cursor = '0'; ;) {
      const r = await http(url, 'GET', `/feed?after=${cursor}&limit=1000`, undefined, token);
      if (r.body.entries.length === 0) return { entries, next: cursor };
      entries.push(...r.body.entries);
      cursor = r.body.next;
    }
  };

  beforeAll(async () => {
    process.env.TOPIC_PREFIX = prefix;
    process.env.DB_SCHEMA = schema;
    process.env.RELATIONSHIPS_GROUP_ID = `${prefix}.relationships`;
    process.env.WEBHOOK_ALLOWED_URLS = 'http://127.0.0.1:*';
    process.env.WEBHOOK_RETRY_BASE_MS = '50';
    process.env.WEBHOOK_RETRY_MAX_MS = '200';
    process.env.WEBHOOK_MAX_ATTEMPTS = '4';
    process.env.WEBHOOK_POLL_MS = '50';
    kafka = createKafka('feed-test');
    await ensureTopics(
      kafka,
      CONTEXTS.map((c) => ({ topic: eventsTopic(c, prefix), partitions: 3 })),
    );
    producer = await connectProducer(kafka);
    db = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    await db.initialize();
    await send(history);
    ({ app, url } = await startTestApp(RelationshipsModule, RELATIONSHIPS));
  });

  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
    if (!process.env.KEEP) await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db?.destroy();
    for (const k of [
      'DB_SCHEMA',
      'TOPIC_PREFIX',
      'RELATIONSHIPS_GROUP_ID',
      'WEBHOOK_ALLOWED_URLS',
      'WEBHOOK_RETRY_BASE_MS',
      'WEBHOOK_RETRY_MAX_MS',
      'WEBHOOK_MAX_ATTEMPTS',
      'WEBHOOK_POLL_MS',
    ])
      delete process.env[k];
  });

  describe('GET /feed', () => {
    it("gives a company every event it is a party to, each stream in order, with another hop's prices cut out", async () => {
      const expected = partyTo(supplier, history);
      const { entries, cursor } = await readAll(asSupplier, expected.length);
      expect(entries.map((e) => `${e.event.type} ${e.event.id}`).sort()).toEqual(expected.map((e) => `${e.type} ${e.id}`).sort());
      const offerTypes = entries.filter((e) => e.event.streamType === 'offer').map((e) => e.event.type);
      expect(offerTypes).toEqual(['OfferDrafted', 'OfferSubmitted', 'OfferAccepted']);
      const resale = entries.find((e) => e.event.type === 'LotResold');
      expect(resale.redacted).toBe(true);
      expect(resale.event.data.unitPrice).toBeUndefined();
      expect(resale.event.data.unitCost).toBeUndefined();
      expect(resale.event.hash).toBeUndefined();
      expect(entries.filter((e) => !e.redacted).every((e) => e.asRecorded)).toBe(true);
      // Same envelope as Kafka (for an entry with nothing cut out; which comes first depends on the topics' interleaving).
      const whole = entries.find((e) => !e.redacted);
      const sent = history.find((e) => e.id === whole.event.id)!;
      expect(whole.event).toEqual(JSON.parse(JSON.stringify(sent)));
      // Nothing more, and cursors only move forward.
      const after = await http(url, 'GET', `/feed?after=${cursor}`, undefined, asSupplier);
      expect(after.body).toEqual({ entries: [], next: cursor });
      expect(entries.map((e) => BigInt(e.cursor))).toEqual([...entries.map((e) => BigInt(e.cursor))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    });

    it('shows a stranger nothing, and refuses a cursor it never gave', async () => {
      await readAll(asBuyer, partyTo(buyer, history).length);
      expect((await http(url, 'GET', '/feed', undefined, asStranger)).body).toEqual({ entries: [], next: '0' });
      for (const bad of ['abc', '-1', '1e3', '99999999999999999999', '999999999']) {
        const r = await http(url, 'GET', `/feed?after=${bad}`, undefined, asBuyer);
        expect(r.status).toBe(400);
        expect(r.type).toContain('application/problem+json');
      }
      expect((await http(url, 'GET', '/feed?wait=31', undefined, asBuyer)).status).toBe(400);
      expect((await http(url, 'GET', '/feed')).status).toBe(401);
    });

    it('answers a long poll as soon as an event of the company arrives', async () => {
      const { cursor } = await readAll(asBuyer, partyTo(buyer, history).length);
      const polling = http(url, 'GET', `/feed?after=${cursor}&wait=20`, undefined, asBuyer);
      await new Promise((r) => setTimeout(r, 500));
      const later = sampleHistory(supplier, buyer, randomUUID(), new Date('2026-06-01T09:00:00.000Z'));
      const asked = Date.now();
      await send(later);
      const r = await polling;
      expect(r.status).toBe(200);
      expect(r.body.entries.length).toBeGreaterThan(0);
      expect(r.body.entries.every((e: any) => later.some((l) => l.id === e.event.id && l.parties.includes(buyer)))).toBe(true);
      expect(Date.now() - asked).toBeLessThan(15000);
      // All of it in before the next test reads.
      await readAll(asBuyer, partyTo(buyer, [...history, ...later]).length);
    });

    it('streams the same entries as server-sent events, resumable with Last-Event-ID', async () => {
      const expected = (await feedNow(asSupplier)).entries.map((e) => e.event);
      const read = async (headers: Record<string, string>, want: number) => {
        const stop = new AbortController();
        const res = await fetch(`${url}/feed/stream`, { headers: { authorization: `Bearer ${asSupplier}`, ...headers }, signal: stop.signal });
        expect(res.headers.get('content-type')).toContain('text/event-stream');
        const decoder = new TextDecoder();
        let text = '';
        const events: { id: string; data: any }[] = [];
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          text += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = text.indexOf('\n\n')) >= 0) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const id = /^id: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (id && data) events.push({ id, data: JSON.parse(data) });
          }
          if (events.length >= want) break;
        }
        stop.abort();
        return events;
      };
      const all = await read({}, expected.length);
      expect(all.map((e) => e.data.event.id).sort()).toEqual(expected.map((e) => e.id).sort());
      expect(all.every((e) => e.id === e.data.cursor)).toBe(true);
      const rest = await read({ 'last-event-id': all[4].id }, expected.length - 5);
      expect(rest.map((e) => e.id)).toEqual(all.slice(5).map((e) => e.id));
    });

    it('misses nothing and repeats nothing for a reader following the cursor while many events arrive at once', async () => {
      const { next: end } = await feedNow(asBuyer);
      const more = Array.from({ length: 12 }, (_, i) => sampleHistory(supplier, buyer, randomUUID(), new Date(Date.UTC(2026, 1, 1 + i)))).flat();
      const reading = readAll(asBuyer, partyTo(buyer, more).length, end);
      // One send: each stream's events in order, over three partitions of each topic.
      await send(more);
      const { entries } = await reading;
      const ids = entries.map((e) => e.event.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(
        partyTo(buyer, more)
          .map((e) => e.id)
          .sort(),
      );
      // Each offer's events in stream order.
      const byOffer = new Map<string, string[]>();
      for (const e of entries.filter((x) => x.event.streamType === 'offer'))
        byOffer.set(e.event.streamId, [...(byOffer.get(e.event.streamId) ?? []), e.event.type]);
      expect([...byOffer.values()].every((types) => types.join() === 'OfferDrafted,OfferSubmitted,OfferAccepted')).toBe(true);
    });
  });

  it('numbers feed rows in commit order: a writer waits for the one that numbered rows before it to commit', async () => {
    const [a, b] = [sampleHistory(randomUUID(), randomUUID(), randomUUID(), start), sampleHistory(randomUUID(), randomUUID(), randomUUID(), start)];
    const first = db.createQueryRunner();
    const second = db.createQueryRunner();
    try {
      await first.startTransaction();
      await writeFeed(first, schema, a);
      await second.startTransaction();
      let secondWrote = false;
      const writing = writeFeed(second, schema, b).then(() => (secondWrote = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(secondWrote).toBe(false);
      await first.commitTransaction();
      await writing;
      await second.commitTransaction();
      const seqs = async (events: EventEnvelope[]): Promise<bigint[]> =>
        (await db.query(`SELECT seq FROM "${schema}".feed WHERE event_id = ANY($1)`, [events.map((e) => e.id)])).map((r: { seq: string }) => BigInt(r.seq));
      const [maxA, minB] = [(await seqs(a)).reduce((x, y) => (x > y ? x : y)), (await seqs(b)).reduce((x, y) => (x < y ? x : y))];
      expect(maxA < minB).toBe(true);
    } finally {
      await first.release();
      await second.release();
    }
  });

  describe('webhooks', () => {
    it('refuses URLs off the allowed list, unknown event types, and strangers', async () => {
      for (const [body, code] of [
        [{ url: 'https://example.com/hooks' }, 'webhook.url_not_allowed'],
        [{ url: 'http://user:pw@127.0.0.1:9/hooks' }, 'webhook.bad_url'],
        [{ url: 'http://127.0.0.1:9/hooks', eventTypes: ['NoSuchEvent'] }, 'webhook.unknown_event_type'],
        [{ url: 42 }, undefined],
      ] as const) {
        const r = await http(url, 'POST', '/webhooks', body, asBuyer);
        expect(r.status).toBe(400);
        expect(r.type).toContain('application/problem+json');
        if (code) expect(r.body.code).toBe(code);
      }
      const mine = await http(url, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/hooks' }, asBuyer);
      expect(mine.status).toBe(201);
      expect((await http(url, 'GET', `/webhooks/${mine.body.id}`, undefined, asSupplier)).status).toBe(404);
      expect((await http(url, 'DELETE', `/webhooks/${mine.body.id}`, undefined, asSupplier)).status).toBe(404);
      expect((await http(url, 'GET', '/webhooks', undefined, asSupplier)).body.endpoints).toEqual([]);
      expect((await http(url, 'DELETE', `/webhooks/${mine.body.id}`, undefined, asBuyer)).status).toBe(204);
      expect((await http(url, 'GET', `/webhooks/${mine.body.id}`, undefined, asBuyer)).status).toBe(404);
    });

    it('delivers every event of the feed, signed, in feed order, to a receiver that fails every third request', async () => {
      const receiver = await new Receiver((n) => (n % 3 === 0 ? 503 : 200)).start();
      try {
        const feed = (await feedNow(asBuyer)).entries;
        const r = await http(url, 'POST', '/webhooks', { url: receiver.url, after: '0' }, asBuyer);
        expect(r.status).toBe(201);
        expect(r.body.secret).toMatch(/^whsec_/);
        expect((await http(url, 'GET', `/webhooks/${r.body.id}`, undefined, asBuyer)).body.secret).toBeUndefined();
        await eventually(
          async () => (await http(url, 'GET', `/webhooks/${r.body.id}`, undefined, asBuyer)).body,
          (s) => s.deliveries.delivered === feed.length,
          60000,
        );
        expect(feed.length).toBeGreaterThan(0);
        expect(receiver.accepted.map((a) => a.body.event.id)).toEqual(feed.map((e: any) => e.event.id));
        expect(receiver.accepted.every((a) => verifyDelivery(r.body.secret, a.raw, a.signature, new Date()))).toBe(true);
        expect(receiver.accepted.some((a) => verifyDelivery('whsec_other', a.raw, a.signature, new Date()))).toBe(false);
        // Every third answer was a 503, each followed by a retry that was taken.
        expect(receiver.requests - receiver.accepted.length).toBe(Math.floor(receiver.requests / 3));
        const retried = (await http(url, 'GET', `/webhooks/${r.body.id}/deliveries?limit=500`, undefined, asBuyer)).body.deliveries.filter(
          (d: any) => d.attempts === 2,
        );
        expect(retried.length).toBeGreaterThan(0);
        expect(retried.every((d: any) => d.status === 'delivered' && d.lastStatus === 200)).toBe(true);
      } finally {
        await receiver.stop();
      }
    });

    it('dead-letters a delivery after the last attempt, goes on with the next, and replays from a cursor', async () => {
      let healthy = false;
      const receiver = await new Receiver(() => (healthy ? 204 : 500)).start();
      try {
        const { next: cursor } = await feedNow(asSupplier);
        const r = await http(url, 'POST', '/webhooks', { url: receiver.url, eventTypes: ['TicketOpened', 'TicketClosed'] }, asSupplier);
        const later = sampleHistory(supplier, buyer, randomUUID(), new Date('2026-08-01T09:00:00.000Z'));
        const [first, second] = later.filter((e) => e.type === 'TicketOpened' || e.type === 'TicketClosed');
        await send(later);
        const dead = await eventually(
          async () => (await http(url, 'GET', `/webhooks/${r.body.id}/deliveries?status=dead`, undefined, asSupplier)).body.deliveries,
          (d) => d.length === 2,
          60000,
        );
        expect(dead.map((d: any) => d.eventId).sort()).toEqual([first.id, second.id].sort());
        expect(dead.every((d: any) => d.attempts === 4 && d.lastStatus === 500 && d.lastError === 'answered 500')).toBe(true);
        expect(receiver.accepted).toEqual([]);
        healthy = true;
        const replayed = await http(url, 'POST', `/webhooks/${r.body.id}/replay`, { after: cursor }, asSupplier);
        expect(replayed.status).toBe(200);
        await eventually(
          async () => receiver.accepted.length,
          (n) => n === 2,
          30000,
        );
        expect(receiver.accepted.map((a) => a.body.event.id)).toEqual([first.id, second.id]);
        expect((await http(url, 'POST', `/webhooks/${r.body.id}/replay`, { after: 'x' }, asSupplier)).status).toBe(400);
        // The counts kept as deliveries are written agree with the deliveries themselves.
        const counted = await eventually(
          async () => (await http(url, 'GET', `/webhooks/${r.body.id}`, undefined, asSupplier)).body.deliveries,
          (c) => c.delivered === 2,
          30000,
        );
        const stored: { status: string; n: number }[] = await db.query(
          `SELECT status, count(*)::int AS n FROM "${schema}".webhook_deliveries WHERE endpoint_id = $1 GROUP BY status`,
          [r.body.id],
        );
        expect(counted).toEqual({ pending: 0, delivered: 2, dead: 2, replaced: 0 });
        expect(Object.fromEntries(stored.map((x) => [x.status, x.n]))).toEqual({ delivered: 2, dead: 2 });
        // Newest first: the replayed deliveries before the dead-lettered ones.
        const page = (await http(url, 'GET', `/webhooks/${r.body.id}/deliveries`, undefined, asSupplier)).body.deliveries;
        expect(page.map((d: any) => d.status)).toEqual(['delivered', 'delivered', 'dead', 'dead']);
        expect(page.map((d: any) => d.eventId)).toEqual([second.id, first.id, second.id, first.id]);
        expect((await http(url, 'GET', `/webhooks/${r.body.id}/deliveries?limit=1`, undefined, asSupplier)).body.deliveries).toEqual(page.slice(0, 1));
      } finally {
        await receiver.stop();
      }
    });

    it('keeps the counts per status exact through any statements that write deliveries', async () => {
      const s = `"${schema}"`;
      const statuses = ['pending', 'delivered', 'dead', 'replaced'] as const;
      const status = fc.constantFrom(...statuses);
      // Each a statement of many rows or none: inserts, status changes of a slice, deletions.
      const step = fc.oneof(
        fc.record({ op: fc.constant('insert' as const), n: fc.integer({ min: 0, max: 5 }), status }),
        fc.record({ op: fc.constant('update' as const), from: status, to: status, mod: fc.integer({ min: 1, max: 3 }) }),
        fc.record({ op: fc.constant('delete' as const), status, mod: fc.integer({ min: 1, max: 3 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
          // Deleted endpoints: the delivery worker leaves their deliveries alone while this runs.
          const endpoints = [randomUUID(), randomUUID()];
          for (const id of endpoints)
            await db.query(
              `INSERT INTO ${s}.webhook_endpoints (id, company_id, url, event_types, secret, status, cursor) VALUES ($1, $2, 'http://127.0.0.1:9/h', '{*}', 'x', 'deleted', 0)`,
              [id, randomUUID()],
            );
          let seq = 0;
          for (const [i, st] of steps.entries()) {
            const endpoint = endpoints[i % 2];
            if (st.op === 'insert')
              await db.query(
                `INSERT INTO ${s}.webhook_deliveries (id, endpoint_id, seq, event_id, event_type, status)
                 SELECT gen_random_uuid(), $1, $2 + i, 'e', 'T', $3 FROM generate_series(1, $4) i`,
                [endpoint, seq, st.status, st.n],
              );
            else if (st.op === 'update')
              await db.query(`UPDATE ${s}.webhook_deliveries SET status = $2 WHERE endpoint_id = ANY($1) AND status = $3 AND seq % $4 = 0`, [
                endpoints,
                st.to,
                st.from,
                st.mod,
              ]);
            else await db.query(`DELETE FROM ${s}.webhook_deliveries WHERE endpoint_id = $1 AND status = $2 AND seq % $3 = 0`, [endpoint, st.status, st.mod]);
            seq += 10;
          }
          const [kept, counted] = await Promise.all(
            [
              `SELECT endpoint_id, status, n::int AS n FROM ${s}.webhook_delivery_counts WHERE endpoint_id = ANY($1) AND n <> 0`,
              `SELECT endpoint_id, status, count(*)::int AS n FROM ${s}.webhook_deliveries WHERE endpoint_id = ANY($1) GROUP BY endpoint_id, status`,
            ].map(async (sql) =>
              ((await db.query(sql, [endpoints])) as { endpoint_id: string; status: string; n: number }[])
                .map((r) => `${r.endpoint_id} ${r.status} ${r.n}`)
                .sort(),
            ),
          );
          expect(kept).toEqual(counted);
        }),
        { numRuns: 30 },
      );
    });

    it("reads a page of an endpoint's deliveries from an index, in its order, however many there are", async () => {
      const s = `"${schema}"`;
      const endpoint = "'00000000-0000-0000-0000-000000000000'::uuid";
      for (const [sql, args] of [
        [deliveriesSql(s, false), [endpoint, '50']],
        [deliveriesSql(s, true), [endpoint, "'delivered'", '50']],
      ] as const) {
        const { nodes } = await genericPlan(db, sql, [...args], { asIfLarge: true });
        const types = nodes.map((n) => n['Node Type']);
        expect(types).not.toContain('Sort');
        expect(types).not.toContain('Seq Scan');
        expect(nodes.find((n) => n['Scan Direction'] === 'Backward')?.['Index Name']).toMatch(/^webhook_deliveries_(status_)?recent_idx$/);
      }
    });
  });
});
