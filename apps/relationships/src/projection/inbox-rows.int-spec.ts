import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { dropSchema, genericPlan, openTestDatabase, sampleHistory, uniqueName } from '@dealledger/testing';
import { applyInboxOps, InboxItem, InboxOp, itemId } from '../inbox/inbox';
import { inboxTableDdl, storedRowsQuery, writeInbox, writeInboxOps } from './inbox-rows';
import { timelineEventOf } from './rows';

describe('the inbox rows of a batch of events (real PostgreSQL)', () => {
  const schema = uniqueName('inbox_rows');
  let db: DataSource;

  const table = async (gen: number): Promise<Map<string, InboxItem>> => {
    const rows: any[] = await db.query(`SELECT company_id, item_key, kind, role, resource, reason, due_at, since FROM "${schema}".inbox_g${gen}`);
    return new Map(
      rows.map((r) => [
        itemId(r.company_id, r.item_key),
        { companyId: r.company_id, key: r.item_key, kind: r.kind, role: r.role, resource: r.resource, reason: r.reason, dueAt: r.due_at, since: r.since },
      ]),
    );
  };
  const sorted = (m: Map<string, InboxItem>) => [...m.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  beforeAll(async () => {
    db = await openTestDatabase(schema, []);
    for (const gen of [1, 2, 3]) for (const ddl of inboxTableDdl(schema, gen)) await db.query(ddl);
  });
  afterAll(() => dropSchema(db, schema));

  it('leaves the table as the ops applied one at a time would, ranges of keys read in the database’s order', async () => {
    const resources = ['offer:1', 'offer:10', 'tender:1', 'contract:é', 'ticket:\u{10FFFF}'];
    const key = fc
      .tuple(fc.constantFrom(...resources), fc.constantFrom('answer', 'due', 'sign:legal', 'complaint:l1:q1', '\u{1F600}', ''))
      .map(([r, s]) => `${r}:${s}`);
    const item = fc.record({
      companyId: fc.constantFrom('', 'c1', 'c2'),
      key,
      kind: fc.constantFrom('answer_offer' as const, 'deadline' as const),
      role: fc.option(fc.constant('legal'), { nil: null }),
      resource: fc.constant('/offers/1'),
      reason: fc.string({ maxLength: 5 }),
      dueAt: fc.option(fc.constant('2026-01-01T00:00:00.000Z'), { nil: null }),
      since: fc.constant('2025-01-01T00:00:00.000Z'),
    });
    const op: fc.Arbitrary<InboxOp> = fc.oneof(
      item.map((open) => ({ open })),
      fc.record({ companyId: fc.constantFrom('', 'c1', 'c2'), key }).map((close) => ({ close })),
      key.map((k) => ({ close: { key: k } })),
      fc.oneof(key, fc.constantFrom('offer:1', 'offer:1:', 'complaint', 'ticket:\u{10FFFF}', '\u{10FFFF}')).map((keyPrefix) => ({ closeAll: { keyPrefix } })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 20 }), fc.array(op, { maxLength: 30 }), async (stored, ops) => {
        await db.query(`TRUNCATE "${schema}".inbox_g1`);
        await writeInboxOps(
          db,
          schema,
          1,
          stored.map((open) => ({ open })),
        );
        const before = await table(1);
        await writeInboxOps(db, schema, 1, ops);
        expect(sorted(await table(1))).toEqual(sorted(applyInboxOps(before, ops)));
      }),
      { numRuns: 60 },
    );
  });

  it('writes histories in one batch as it writes them event by event, in at most three statements', async () => {
    const events = Array.from({ length: 20 }, () => sampleHistory(randomUUID(), randomUUID(), randomUUID(), new Date('2025-01-01T00:00:00Z')))
      .flat()
      .map(timelineEventOf);
    // Half of them already written: the batch closes items stored before it too.
    const half = Math.floor(events.length / 2);
    for (const gen of [2, 3]) await writeInbox(db, schema, gen, events.slice(0, half));
    for (const e of events.slice(half)) await writeInbox(db, schema, 2, [e]);
    let statements = 0;
    const counting = { query: (sql: string, params?: unknown[]) => (statements++, db.query(sql, params)) };
    await writeInbox(counting, schema, 3, events.slice(half));
    const one = await table(2);
    expect(one.size).toBeGreaterThan(20);
    expect(sorted(await table(3))).toEqual(sorted(one));
    expect(statements).toBeLessThanOrEqual(3);
  });

  it('reads the rows a batch reaches by the key index, also in the generic plan a prepared statement keeps', async () => {
    for (const ddl of inboxTableDdl(schema, 4)) await db.query(ddl);
    const t = `"${schema}".inbox_g4`;
    const literal = (v: unknown) => `ARRAY[${(v as string[]).map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]::text[]`;
    const key = { keys: ['offer:12:answer'], ranges: [] };
    const range = { keys: [], ranges: [{ from: 'offer:77:', to: 'offer:77;' }] };
    // Open items of a busy ledger, at two sizes (the planner's choices change with the table's).
    let filled = 0;
    for (const size of [5000, 100000]) {
      await db.query(
        `INSERT INTO ${t} (company_id, item_key, kind, role, resource, reason, due_at, since)
         SELECT 'c' || (g % 50), 'offer:' || g || ':answer', 'answer_offer', NULL, '/offers/' || g, 'submitted', NULL, '2026-01-01T00:00:00.000Z'
           FROM generate_series($1::int + 1, $2::int) g`,
        [filled, size],
      );
      filled = size;
      await db.query(`ANALYZE ${t}`);
      for (const reach of [key, range, { keys: key.keys, ranges: range.ranges }]) {
        const read = storedRowsQuery(t, reach)!;
        const { plan, nodes, rows } = await genericPlan(db, read.sql, read.params.map(literal));
        expect(plan).not.toContain('Seq Scan');
        // One read of the key index per part of the batch's reach, the keys or range as its condition.
        const byIndex = nodes.filter((n) => n['Index Name'] === 'inbox_g4_key_idx' && n['Index Cond']?.includes('item_key'));
        expect(byIndex).toHaveLength(reach.keys.length > 0 && reach.ranges.length > 0 ? 2 : 1);
        const expected = [...reach.keys, ...(reach.ranges.length ? ['offer:77:answer'] : [])].sort();
        expect(rows.map((r: InboxItem) => r.key).sort()).toEqual(expected);
        expect(((await db.query(read.sql, read.params)) as InboxItem[]).map((r) => r.key).sort()).toEqual(expected);
      }
    }
    // A batch that closes nothing reads nothing.
    expect(storedRowsQuery(t, { keys: [], ranges: [] })).toBeNull();
  });
});
