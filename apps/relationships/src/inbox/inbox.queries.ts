import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Principal } from '@dealledger/auth';
import { PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE, Page } from '@dealledger/platform';
import { activeGeneration } from '../projection/generations';
import { ActionKind, encodeInboxCursor, GONE_WHEN_DUE, INBOX_KINDS, InboxCursor, InboxEntry, NO_DUE, RESOURCE_ROWS } from './inbox';

export interface InboxQuery {
  kind?: ActionKind;
  limit: number;
  after?: InboxCursor;
  /** For the items that are gone at their due time. */
  now: string;
}

/**
 * Reads `inbox_g<N>` of the active generation, by the rule of `inboxView` (inbox.ts): the
 * caller's company, items for anyone or for a role the caller holds, the due time of the item or
 * else of its resource's `:due` row, `sign_renewal` items only while their contract's
 * `:proposed` row exists (and as of it). Keyset paging on (due time or NO_DUE, since, key).
 */
@Injectable()
export class InboxQueries {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly store: PostgresEventStore,
  ) {}

  async page(viewer: Principal, q: InboxQuery): Promise<Page<InboxEntry>> {
    const gen = await activeGeneration(this.db, this.store.schema);
    const t = `"${this.store.schema}".inbox_g${gen}`;
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    // `offer:<id>:answer` → `offer:<id>`: the prefix of the item's resource rows.
    const base = `split_part(i.item_key, ':', 1) || ':' || split_part(i.item_key, ':', 2)`;
    const none = p(RESOURCE_ROWS);
    const due = `coalesce(x.due_at, ${p(NO_DUE)})`;
    const where = [`NOT (x.kind = ANY(${p(GONE_WHEN_DUE)}::text[]) AND ${due} <= ${p(q.now)})`];
    if (q.after) where.push(`(${due}, x.since, x.item_key) > (${p(q.after.due)}, ${p(q.after.since)}, ${p(q.after.key)})`);
    const rows: { item_key: string; kind: ActionKind; role: string | null; resource: string; reason: string; due_at: string | null; since: string }[] =
      await this.db.query(
        `SELECT x.* FROM (
           SELECT i.item_key, i.kind, i.role, i.resource, i.reason,
                  coalesce(i.due_at, d.due_at) AS due_at,
                  CASE WHEN i.kind = 'sign_renewal' THEN g.since ELSE i.since END AS since
             FROM ${t} i
             LEFT JOIN ${t} d ON i.due_at IS NULL AND d.company_id = ${none} AND d.item_key = ${base} || ':due'
             LEFT JOIN ${t} g ON i.kind = 'sign_renewal' AND g.company_id = ${none} AND g.item_key = ${base} || ':proposed'
            WHERE i.company_id = ${p(viewer.companyId)}
              AND i.kind = ANY(${p(q.kind ? [q.kind] : INBOX_KINDS)}::text[])
              AND (i.role IS NULL OR i.role = ANY(${p(viewer.roles)}::text[]))
              AND (i.kind <> 'sign_renewal' OR g.item_key IS NOT NULL)
         ) x
         WHERE ${where.join(' AND ')}
         ORDER BY ${due}, x.since, x.item_key
         LIMIT ${p(q.limit + 1)}`,
        params,
      );
    const items = rows
      .slice(0, q.limit)
      .map((r): InboxEntry => ({ key: r.item_key, kind: r.kind, role: r.role, resource: r.resource, reason: r.reason, dueAt: r.due_at, since: r.since }));
    return { items, next: rows.length > q.limit ? encodeInboxCursor(items[items.length - 1]) : null };
  }
}
