import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { invalid } from '@dealledger/domain';
import { PostgresEventStore } from '@dealledger/event-store';
import type { FeedEnvelope } from './feed-view';
import { FeedSignal } from './feed-signal';
import { DATA_SOURCE } from '@dealledger/platform';

export interface FeedPage {
  entries: { cursor: string; redacted: boolean; asRecorded: boolean; event: FeedEnvelope }[];
  /** Pass as `after` for what follows; the same as `after` when nothing came. */
  next: string;
}

/** A cursor is a feed position (`seq`), opaque to callers but checked here. */
export function checkedFeedCursor(after: string | undefined): string {
  if (after === undefined || after === '') return '0';
  if (!/^\d{1,18}$/.test(after)) throw invalid('feed.bad_cursor', "after must be a cursor given by this feed (`next` or an entry's `cursor`)");
  return BigInt(after).toString();
}

@Injectable()
export class FeedQueries {
  private readonly schema: string;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    store: PostgresEventStore,
    private readonly signal: FeedSignal,
  ) {
    this.schema = store.schema;
  }

  /** Entries of `company` after `after`; waits up to `waitMs` for the first when there is none yet. */
  async page(company: string, after: string, limit: number, waitMs = 0, signal?: AbortSignal): Promise<FeedPage> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const rows: { seq: string; redacted: boolean; as_recorded: boolean; envelope: FeedEnvelope }[] = await this.db.query(
        `SELECT seq::text AS seq, redacted, as_recorded, envelope FROM "${this.schema}".feed WHERE company_id = $1 AND feed.seq > $2 ORDER BY feed.seq LIMIT $3`,
        [company, after, limit],
      );
      if (rows.length || Date.now() >= deadline || signal?.aborted) {
        return {
          entries: rows.map((r) => ({ cursor: r.seq, redacted: r.redacted, asRecorded: r.as_recorded, event: r.envelope })),
          next: rows.length ? rows[rows.length - 1].seq : after,
        };
      }
      // Woken by the next commit of feed rows; a second at most, in case a wake-up was missed.
      await this.signal.wait(Math.min(1000, Math.max(0, deadline - Date.now())), signal);
    }
  }

  /** `after` when `company`'s feed has reached it; a 400 for a cursor beyond its end (not one this feed gave). */
  async checkedAfter(company: string, after: string | undefined): Promise<string> {
    const cursor = checkedFeedCursor(after);
    const end = await this.end(company);
    if (BigInt(cursor) > BigInt(end)) throw invalid('feed.bad_cursor', `after must be a cursor this feed gave (it is at ${end})`);
    return cursor;
  }

  /** The last position of `company`'s feed ('0' when empty). */
  async end(company: string): Promise<string> {
    const [r] = await this.db.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM "${this.schema}".feed WHERE company_id = $1`, [company]);
    return r.seq;
  }
}
