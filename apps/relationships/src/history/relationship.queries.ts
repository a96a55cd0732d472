import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE } from '@dealledger/platform';
import { activeGeneration } from '../projection/generations';
import { pairKey } from './pairs';
import { byTime, TimelineEvent } from './timeline-event';

const toEvent = (r: any): TimelineEvent => ({
  eventId: r.event_id,
  context: r.context,
  type: r.type,
  streamId: r.stream_id,
  occurredAt: r.occurred_at,
  recordedAt: r.recorded_at,
  position: Number(r.position),
  parties: r.parties,
  data: r.data,
});

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

  async names(ids: string[]): Promise<Map<string, string>> {
    const gen = await activeGeneration(this.db, this.store.schema);
    const rows = await this.db.query(`SELECT company_id, name FROM ${this.s}.companies_g${gen} WHERE company_id = ANY($1)`, [ids]);
    return new Map(rows.map((r: { company_id: string; name: string }) => [r.company_id, r.name]));
  }

  async generation(): Promise<number> {
    return activeGeneration(this.db, this.store.schema);
  }
}
