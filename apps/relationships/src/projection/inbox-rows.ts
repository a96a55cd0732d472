import { inboxChanges, InboxItem, InboxOp, itemId, resourcePrefix } from '../inbox/inbox';
import type { TimelineEvent } from '../history/timeline-event';
import type { Db } from './rows';

export function inboxTableDdl(schema: string, gen: number): string[] {
  const t = `"${schema}".inbox_g${gen}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
      company_id text NOT NULL,
      item_key   text NOT NULL,
      kind       text NOT NULL,
      role       text,
      resource   text NOT NULL,
      reason     text NOT NULL,
      due_at     text,
      since      text NOT NULL,
      PRIMARY KEY (company_id, item_key)
    )`,
    // `closeAll` deletes by key prefix across companies.
    `CREATE INDEX IF NOT EXISTS inbox_g${gen}_key_idx ON ${t} (item_key text_pattern_ops)`,
  ];
}

/**
 * Applies the inbox changes of a batch of events (in their order) to one generation in at most
 * three statements, however many events: the stored rows that the batch's closes of every
 * company reach are read first, every op is applied in memory (`foldInboxOps`), and only the
 * difference is written. (One statement per close used to make a rebuild's batch of thousands
 * of events thousands of round trips.)
 */
export async function writeInbox(
  db: Db,
  schema: string,
  gen: number,
  events: Pick<TimelineEvent, 'type' | 'data' | 'parties' | 'occurredAt' | 'streamId' | 'context'>[],
): Promise<void> {
  await writeInboxOps(
    db,
    schema,
    gen,
    events.flatMap((e) => inboxChanges(e)),
  );
}

/** `writeInbox` from the ops. */
export async function writeInboxOps(db: Db, schema: string, gen: number, ops: InboxOp[]): Promise<void> {
  if (ops.length === 0) return;
  const t = `"${schema}".inbox_g${gen}`;
  const read = storedRowsQuery(t, reachOf(ops));
  const stored: InboxItem[] = read ? await db.query(read.sql, read.params) : [];
  const { deletes, upserts } = foldInboxOps(stored, ops);
  if (deletes.length)
    await db.query(`DELETE FROM ${t} WHERE (company_id, item_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, [
      deletes.map((d) => d.companyId),
      deletes.map((d) => d.key),
    ]);
  if (upserts.length) {
    const col = <K extends keyof InboxItem>(k: K) => upserts.map((o) => o[k]);
    await db.query(
      `INSERT INTO ${t} (company_id, item_key, kind, role, resource, reason, due_at, since)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       ON CONFLICT (company_id, item_key) DO UPDATE SET kind = EXCLUDED.kind, role = EXCLUDED.role, resource = EXCLUDED.resource,
         reason = EXCLUDED.reason, due_at = EXCLUDED.due_at, since = EXCLUDED.since`,
      [col('companyId'), col('key'), col('kind'), col('role'), col('resource'), col('reason'), col('dueAt'), col('since')],
    );
  }
}

/** A stored row as an InboxItem. */
const STORED = `company_id AS "companyId", item_key AS key, kind, role, resource, reason, due_at AS "dueAt", since`;

/**
 * The statement that reads the rows `reachOf` names: exact keys, then key ranges in byte order
 * (~>=~, ~<~: the key index's text_pattern_ops), which is code point order in UTF-8. Only the
 * parts a batch needs are in it: the statement is prepared, and PostgreSQL's generic plan for
 * a range without an upper bound scanned the whole table, even for a batch that had none.
 */
export function storedRowsQuery(table: string, reach: ReturnType<typeof reachOf>): { sql: string; params: unknown[] } | null {
  const bounded = reach.ranges.filter((r): r is { from: string; to: string } => r.to !== null);
  const open = reach.ranges.filter((r) => r.to === null).map((r) => r.from);
  const parts: string[] = [];
  const params: unknown[] = [];
  if (reach.keys.length) {
    params.push(reach.keys);
    parts.push(`SELECT ${STORED} FROM ${table} WHERE item_key = ANY($${params.length}::text[])`);
  }
  if (bounded.length) {
    params.push(
      bounded.map((r) => r.from),
      bounded.map((r) => r.to),
    );
    parts.push(
      `SELECT x.* FROM unnest($${params.length - 1}::text[], $${params.length}::text[]) AS r(lo, hi)
         CROSS JOIN LATERAL (SELECT ${STORED} FROM ${table} WHERE item_key ~>=~ r.lo AND item_key ~<~ r.hi) x`,
    );
  }
  if (open.length) {
    params.push(open);
    parts.push(`SELECT x.* FROM unnest($${params.length}::text[]) AS r(lo) CROSS JOIN LATERAL (SELECT ${STORED} FROM ${table} WHERE item_key ~>=~ r.lo) x`);
  }
  return parts.length ? { sql: parts.join('\n UNION ALL\n'), params } : null;
}

/**
 * The stored keys the ops' closes of every company reach: exact keys (`close` without a
 * company) and key ranges [from, to) in code point order (`closeAll`; `to` null: no upper bound).
 * A `close` of one company's item needs nothing read: it is deleted by its key.
 */
export function reachOf(ops: InboxOp[]): { keys: string[]; ranges: { from: string; to: string | null }[] } {
  const keys = new Set<string>();
  const prefixes = new Set<string>();
  for (const op of ops) {
    if ('close' in op && op.close.companyId === undefined) keys.add(op.close.key);
    else if ('closeAll' in op) prefixes.add(op.closeAll.keyPrefix);
  }
  return { keys: [...keys], ranges: [...prefixes].map((p) => ({ from: p, to: prefixEnd(p) })) };
}

/** The least string greater than every string that starts with `prefix`, in code point order; null if there is none. */
export function prefixEnd(prefix: string): string | null {
  const cps = [...prefix].map((c) => c.codePointAt(0)!);
  while (cps.length > 0 && cps[cps.length - 1] === 0x10ffff) cps.pop();
  if (cps.length === 0) return null;
  const last = cps[cps.length - 1] + 1;
  // No string holds a surrogate on its own: the next code point after them.
  cps[cps.length - 1] = last >= 0xd800 && last <= 0xdfff ? 0xe000 : last;
  return String.fromCodePoint(...cps);
}

/**
 * Applies `ops` in their order (as `applyInboxOps` does) to `stored`, the rows they reach
 * (`reachOf`); returns what to delete and what to write so that the table ends as that rule
 * leaves it. Items are kept in buckets by resource (`<type>:<id>`): a close sweeps only its own.
 */
export function foldInboxOps(stored: InboxItem[], ops: InboxOp[]): { deletes: { companyId: string; key: string }[]; upserts: InboxItem[] } {
  const items = new Map<string, InboxItem>();
  const buckets = new Map<string, Set<string>>();
  const put = (item: InboxItem) => {
    const id = itemId(item.companyId, item.key);
    items.set(id, item);
    const b = resourcePrefix(item.key);
    (buckets.get(b) ?? buckets.set(b, new Set()).get(b)!).add(id);
    return id;
  };
  const drop = (id: string) => {
    const item = items.get(id);
    if (!item) return;
    items.delete(id);
    buckets.get(resourcePrefix(item.key))?.delete(id);
  };
  // Every key that starts with a string holding two colons is in that string's bucket; otherwise look everywhere.
  const candidates = (start: string) => [...((start.match(/:/g)?.length ?? 0) >= 2 ? (buckets.get(resourcePrefix(start)) ?? []) : items.keys())];
  // What may be stored, by id: what was read, and what a close names by company and key.
  const before = new Map<string, { companyId: string; key: string }>();
  for (const s of stored) before.set(put(s), s);
  const written = new Set<string>();
  for (const op of ops) {
    if ('open' in op) written.add(put(op.open));
    else if ('close' in op) {
      const { companyId, key } = op.close;
      if (companyId !== undefined) {
        const id = itemId(companyId, key);
        drop(id);
        // Perhaps stored, though not read: deleted by its key unless opened again.
        before.set(id, { companyId, key });
      } else for (const id of candidates(key)) if (items.get(id)!.key === key) drop(id);
    } else for (const id of candidates(op.closeAll.keyPrefix)) if (items.get(id)!.key.startsWith(op.closeAll.keyPrefix)) drop(id);
  }
  const deletes = [...before].filter(([id]) => !items.has(id)).map(([, { companyId, key }]) => ({ companyId, key }));
  const upserts = [...written].filter((id) => items.has(id)).map((id) => items.get(id)!);
  return { deletes, upserts };
}
