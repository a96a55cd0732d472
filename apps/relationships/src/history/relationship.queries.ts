import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE } from '@dealledger/platform';
import { activeGeneration, timelineRowEvent } from '../projection/generations';
import { readSummary } from '../projection/summaries';
import { pairKey } from './pairs';
import { RelationshipSummary, withDecimalVolumes } from './summary';
import { byTime, TimelineEvent } from './timeline-event';
import { touchesWith } from '../touches/touches';

const toEvent = timelineRowEvent;

export const COUNTERPARTY_SORTS = ['lastActivity', 'value', 'sla', 'events'] as const;
export interface CounterpartyQuery {
  sort: (typeof COUNTERPARTY_SORTS)[number];
  /** For `value`: contracts executed in this currency. */
  currency: string;
  limit: number;
  after?: { key: string; id: string };
}

/**
 * Each sort as a text that orders like the figure (text keys keep the cursor one shape): times
 * are ISO strings; numbers are zero-padded; a pair without the figure sorts last.
 */
function sortKey(sort: CounterpartyQuery['sort'], currency: string, p: (v: unknown) => string): string {
  const padded = (n: string) => `lpad(to_char(coalesce(${n}, -1) + 1, 'FM0000000000000000000.00'), 24, '0')`;
  switch (sort) {
    case 'lastActivity':
      return `coalesce(last_activity, '')`;
    case 'events':
      return padded('events::numeric');
    case 'value':
      return padded(`(summary->'contracts'->'value'->>${p(currency)})::numeric`);
    case 'sla':
      return padded(`(summary->'sla'->>'compliancePercent')::numeric`);
  }
}

/** Reads the active generation of the read tables. */
@Injectable()
export class RelationshipQueries {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly store: PostgresEventStore,
  ) {}

  private get s() {
    return `"${this.store.schema}"`;
  }

  /** Every event concerning both companies, in timeline order, up to `asOf` if given. */
  async pairEvents(x: string, y: string, asOf?: string): Promise<TimelineEvent[]> {
    const gen = await activeGeneration(this.db, this.store.schema);
    const [a, b] = pairKey(x, y);
    const rows = await this.db.query(
      `SELECT * FROM ${this.s}.timeline_g${gen} WHERE company_a = $1 AND company_b = $2 AND ($3::text IS NULL OR occurred_at <= $3)`,
      [a, b, asOf ?? null],
    );
    return rows.map(toEvent).sort(byTime);
  }

  /** The seller's own touches with a company it targets, up to `asOf` (no one else's: see touches.ts). */
  async touches(sellerId: string, companyId: string, asOf?: string): Promise<TimelineEvent[]> {
    return touchesWith(this.db, this.store.schema, sellerId, companyId, asOf);
  }

  /** Every event of every pair the company is in (each once), in timeline order. */
  async companyEvents(companyId: string, asOf?: string): Promise<TimelineEvent[]> {
    const gen = await activeGeneration(this.db, this.store.schema);
    const rows = await this.db.query(
      `SELECT DISTINCT ON (event_id) * FROM ${this.s}.timeline_g${gen}
        WHERE (company_a = $1 OR company_b = $1) AND ($2::text IS NULL OR occurred_at <= $2) ORDER BY event_id`,
      [companyId, asOf ?? null],
    );
    return rows.map(toEvent).sort(byTime);
  }

  /** The pair's summary as `viewer` sees it, kept per event (null: nothing between them yet). */
  async summary(x: string, y: string, viewer: string): Promise<RelationshipSummary | null> {
    const gen = await activeGeneration(this.db, this.store.schema);
    const [a, b] = pairKey(x, y);
    const rows = await this.db.query(`SELECT summary FROM ${this.s}.summaries_g${gen} WHERE company_a = $1 AND company_b = $2 AND viewer = $3`, [a, b, viewer]);
    return rows[0]?.summary ? withDecimalVolumes(readSummary(rows[0].summary)) : null;
  }

  /**
   * A page of `viewer`'s counterparties with their tallies, sorted by `sort` (descending, then by
   * counterparty id): keyset paging on that pair of values, so a page never repeats a row; a
   * counterparty whose figures change while paging moves, as in any list sorted by live figures.
   */
  async counterparties(
    viewer: string,
    q: CounterpartyQuery,
  ): Promise<{ rows: { counterparty: string; summary: RelationshipSummary; key: string }[]; more: boolean }> {
    const gen = await activeGeneration(this.db, this.store.schema);
    const params: unknown[] = [viewer];
    const p = (v: unknown) => `$${params.push(v)}`;
    const key = sortKey(q.sort, q.currency, p);
    // As the counterparties index writes it (viewer, not $1: the same value, an expression the index matches).
    const other = `CASE WHEN company_a = viewer THEN company_b ELSE company_a END`;
    const where = [`viewer = $1`, `events > 0`];
    if (q.after) where.push(`(${key}, ${other}) < (${p(q.after.key)}, ${p(q.after.id)})`);
    const rows = await this.db.query(
      `SELECT ${other} AS counterparty, summary, ${key} AS key FROM ${this.s}.summaries_g${gen}
        WHERE ${where.join(' AND ')} ORDER BY ${key} DESC, ${other} DESC LIMIT ${p(q.limit + 1)}`,
      params,
    );
    return {
      rows: rows.slice(0, q.limit).map((r: { counterparty: string; summary: RelationshipSummary; key: string }) => ({
        ...r,
        summary: r.summary && withDecimalVolumes(readSummary(r.summary)),
      })),
      more: rows.length > q.limit,
    };
  }

  async names(ids: string[]): Promise<Map<string, string>> {
    const gen = await activeGeneration(this.db, this.store.schema);
    const rows = await this.db.query(`SELECT company_id, name FROM ${this.s}.companies_g${gen} WHERE company_id = ANY($1)`, [ids]);
    return new Map(rows.map((r: { company_id: string; name: string }) => [r.company_id, r.name]));
  }

  async generation(): Promise<number> {
    return activeGeneration(this.db, this.store.schema);
  }
}
