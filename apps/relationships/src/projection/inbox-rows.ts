import { inboxChanges, InboxItem, InboxOp, itemId } from '../inbox/inbox';
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
 * Applies the inbox changes of a batch of events (in their order) to one generation: the ops
 * are folded in memory per item and written in a few statements; a `close` of a key for every
 * company or a `closeAll` writes what came before it first, then deletes in the table.
 */
export async function writeInbox(
  db: Db,
  schema: string,
  gen: number,
  events: Pick<TimelineEvent, 'type' | 'data' | 'parties' | 'occurredAt' | 'streamId' | 'context'>[],
): Promise<void> {
  const t = `"${schema}".inbox_g${gen}`;
  let pending = new Map<string, InboxItem | { companyId: string; key: string; closed: true }>();
  const flush = async () => {
    if (pending.size === 0) return;
    const values = [...pending.values()];
    pending = new Map();
    const closed = values.filter((v): v is { companyId: string; key: string; closed: true } => 'closed' in v);
    const opened = values.filter((v): v is InboxItem => !('closed' in v));
    if (closed.length)
      await db.query(`DELETE FROM ${t} WHERE (company_id, item_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, [
        closed.map((c) => c.companyId),
        closed.map((c) => c.key),
      ]);
    if (opened.length) {
      const col = <K extends keyof InboxItem>(k: K) => opened.map((o) => o[k]);
      await db.query(
        `INSERT INTO ${t} (company_id, item_key, kind, role, resource, reason, due_at, since)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         ON CONFLICT (company_id, item_key) DO UPDATE SET kind = EXCLUDED.kind, role = EXCLUDED.role, resource = EXCLUDED.resource,
           reason = EXCLUDED.reason, due_at = EXCLUDED.due_at, since = EXCLUDED.since`,
        [col('companyId'), col('key'), col('kind'), col('role'), col('resource'), col('reason'), col('dueAt'), col('since')],
      );
    }
  };
  const ops: InboxOp[] = events.flatMap((e) => inboxChanges(e));
  for (const op of ops) {
    if ('open' in op) pending.set(itemId(op.open.companyId, op.open.key), op.open);
    else if ('close' in op && op.close.companyId !== undefined) {
      const { companyId, key } = op.close;
      pending.set(itemId(companyId, key), { companyId, key, closed: true });
    } else {
      await flush();
      if ('close' in op) await db.query(`DELETE FROM ${t} WHERE item_key = $1`, [op.close.key]);
      else await db.query(`DELETE FROM ${t} WHERE item_key LIKE $1`, [`${op.closeAll.keyPrefix.replace(/[\\%_]/g, '\\$&')}%`]);
    }
  }
  await flush();
}
