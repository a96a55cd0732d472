import { Controller, Headers, HttpCode, OnApplicationBootstrap, OnApplicationShutdown, Param, Post } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DataSource, EntityManager } from 'typeorm';
import { adminKey, checkAdminKey, Public } from '@dealledger/auth';
import type { Request } from 'express';
import { invalid, notFound } from '@dealledger/domain';
import { Checkpoint, LocalProjector, PostgresEventStore, RecordedEvent } from '@dealledger/event-store';

/** Anything that runs a query: the projector's transaction or the data source. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/** `after` cursors are the base64url of a position in the log: opaque to callers, cheap to check. */
export function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

export function decodeCursor(cursor: string): number | null {
  try {
    const { p } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown };
    return Number.isSafeInteger(p) && (p as number) > 0 ? (p as number) : null;
  } catch {
    return null;
  }
}

/** The decoded `after` of a list request; 400 problem+json for anything not made by `encodeCursor`. */
export function checkedCursor(after: string | undefined): number | undefined {
  if (after === undefined) return undefined;
  const p = decodeCursor(after);
  if (p === null) throw invalid('list.bad_cursor', 'after must be a cursor from a previous page');
  return p;
}

/** The page with `next` as a link: the same path and filters, after the page's last row. */
export function withNextLink<T>(req: Request, page: Page<T>): Page<T> {
  if (page.next === null) return page;
  const filters = Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'after');
  return { items: page.items, next: `${req.baseUrl}${req.path}?${new URLSearchParams([...filters, ['after', page.next]])}` };
}

/**
 * A list's full-text search, in PostgreSQL's own text search: the row's document (a `tsvector`
 * column made at projection time with the `simple` configuration, as deals are written in many
 * languages) matches the words (web-search syntax: quotes, `or`, `-`), or the row's counterparty
 * is one of the companies whose name matches (names live in the directory, not the app's log).
 */
export function textSearch(q: string, document: string, counterparty: string, namedIds: string[], param: (v: unknown) => string): string {
  return `(${document} @@ websearch_to_tsquery('simple', ${param(q)}) OR ${counterparty}::text = ANY(${param(namedIds)}::text[]))`;
}

/**
 * A page of a list, newest first by `order` (a column of `columns`), of the rows `roles` select
 * (each a condition on the caller, `$1`) that also meet `where`. With several roles, one branch a
 * role, each read in the order of that role's index and cut at the page's length, then merged:
 * `role OR role` in one condition makes PostgreSQL combine the roles' indexes and sort every row
 * the caller has for each page. The roles must not overlap (exclude in a later role the rows an
 * earlier one holds), or a row would come twice.
 */
export function rolePageSql(q: { columns: string; table: string; roles: string[]; where: string[]; order: string; limit: string }): string {
  // A line break before FROM: a column list may end in an SQL comment.
  const branch = (role: string) => `SELECT ${q.columns}\n  FROM ${q.table} WHERE ${[role, ...q.where].join(' AND ')} ORDER BY ${q.order} DESC LIMIT ${q.limit}`;
  if (q.roles.length === 1) return branch(q.roles[0]);
  return `SELECT * FROM (${q.roles.map((r) => `(${branch(r)})`).join(' UNION ALL ')}) page ORDER BY ${q.order} DESC LIMIT ${q.limit}`;
}

/** A page of a list and the cursor after its last row (null on the last page). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** Cuts `limit + 1` rows fetched in list order into a page; `position` names the row's cursor position. */
export function pageOf<R, T>(rows: R[], limit: number, position: (row: R) => number, view: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  return { items: rows.slice(0, limit).map(view), next: more ? encodeCursor(position(rows[limit - 1])) : null };
}

export interface RebuildReport {
  readModel: string;
  /** Count and digest of the rows the live projection had, and of those replayed from the log. */
  live: { rows: number; digest: string };
  rebuilt: { rows: number; digest: string };
  /** True when they differed and the replayed rows replaced the live ones. */
  replaced: boolean;
  /** The log position both stand at. */
  checkpoint: Checkpoint;
  events: number;
}

/** Every read model of this process, by name (for the rebuild route). */
const registry = new Map<string, LocalReadModel>();

const after = (e: RecordedEvent, c: Checkpoint) => {
  const [x, y] = [BigInt(e.transactionId), BigInt(c.transactionId)];
  return x > y || (x === y && e.position > c.position);
};

/**
 * A read model of an app's own log, kept by a local projector in the app's schema (a list, a
 * queue of work). Subclasses say how events change rows of a table (`apply`, given the table so
 * that a rebuild can replay into a copy) and answer queries.
 *
 * Rebuild and digest, as for the relationships tables: `rebuild()` holds the live projection's
 * checkpoint (every replica's projector waits), replays the log up to that checkpoint into a
 * fresh copy of the table, compares the digests of both (row count and the sum of a 64-bit
 * hash of each row), and when they differ replaces the live rows with the replayed ones, all in
 * one transaction. Rows must hold only what comes from events (no wall-clock columns) so that
 * equal histories give equal digests.
 */
export abstract class LocalReadModel implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly projector: LocalProjector;
  /** The live table, schema-qualified and quoted. */
  readonly table: string;

  constructor(
    protected readonly dataSource: DataSource,
    protected readonly store: PostgresEventStore,
    readonly name: string,
  ) {
    this.table = `"${store.schema}".${name}`;
    this.projector = new LocalProjector(dataSource, store, { name: `projection:${name}`, apply: (events, tx) => this.apply(events, tx, this.table) });
    registry.set(name, this);
  }

  /** Writes what `events` change into `table` (the live one or a rebuild's copy). */
  protected abstract apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void>;

  onApplicationBootstrap(): void {
    this.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (registry.get(this.name) === this) registry.delete(this.name);
    await this.projector.stop();
  }

  /** Applies what is committed so far (tests; a reader that must see its own writes). */
  catchUp(): Promise<number> {
    return this.projector.catchUp();
  }

  async digest(on: Queryable = this.dataSource, table = this.table): Promise<{ rows: number; digest: string }> {
    const [r] = await on.query(`SELECT count(*)::int AS n, coalesce(sum(hashtextextended(t::text, 0)), 0)::text AS h FROM ${table} t`);
    return { rows: r.n, digest: `${r.n}:${r.h}` };
  }

  async rebuild(): Promise<RebuildReport> {
    return this.dataSource.transaction(async (tx: EntityManager) => {
      const [c] = await tx.query(`SELECT transaction_id::text AS t, position FROM "${this.store.schema}".outbox_checkpoints WHERE name = $1 FOR UPDATE`, [
        `projection:${this.name}`,
      ]);
      const checkpoint: Checkpoint = c ? { transactionId: c.t, position: Number(c.position) } : { transactionId: '0', position: 0 };
      await tx.query(`CREATE TEMP TABLE ${this.name}_rebuild (LIKE ${this.table} INCLUDING ALL) ON COMMIT DROP`);
      const temp = `pg_temp.${this.name}_rebuild`;
      let from: Checkpoint = { transactionId: '0', position: 0 };
      let events = 0;
      for (;;) {
        const batch = await this.store.readAll(from, 1000);
        const upTo = await this.store.asCurrent(batch.events.filter((e) => !after(e, checkpoint)));
        if (upTo.length) await this.apply(upTo, tx, temp);
        events += upTo.length;
        if (upTo.length < batch.events.length || batch.events.length === 0) break;
        from = batch.checkpoint;
      }
      const live = await this.digest(tx);
      const rebuilt = await this.digest(tx, temp);
      const replaced = live.digest !== rebuilt.digest;
      if (replaced) {
        await tx.query(`DELETE FROM ${this.table}`);
        await tx.query(`INSERT INTO ${this.table} SELECT * FROM ${temp}`);
      }
      return { readModel: this.name, live, rebuilt, replaced, checkpoint, events };
    });
  }
}

/** `POST /admin/read-models/:name/rebuild` for every local read model of the app. */
@ApiTags('operations')
@ApiHeader({ name: 'X-Admin-Key', required: true, description: 'ADMIN_KEY' })
@Controller('admin/read-models')
export class ReadModelAdminController {
  private readonly key = adminKey();

  @Public()
  @Post(':name/rebuild')
  @HttpCode(200)
  @ApiOperation({
    summary: "Replays the app's log into a copy of a read model, compares digests with the live rows, and replaces them if they differ",
  })
  async rebuild(@Param('name') name: string, @Headers('x-admin-key') key: string | undefined): Promise<RebuildReport> {
    checkAdminKey(key, this.key);
    const model = registry.get(name);
    if (!model) throw notFound('read_model.not_found', `no read model ${name} in this app (known: ${[...registry.keys()].join(', ') || 'none'})`);
    return model.rebuild();
  }
}
