import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AccountEvent, CampaignEvent, OpportunityEvent } from '@dealledger/events';
import { prospectCompanyId } from '@dealledger/domain';
import { PostgresEventStore, RecordedEvent } from '@dealledger/event-store';
import { DATA_SOURCE, LocalReadModel, Queryable } from '@dealledger/platform';

const json = (v: unknown) => JSON.stringify(v);

/** One row per account: its target, team, committee map (for coverage) and last touch (for staleness). */
@Injectable()
export class AccountListProjection extends LocalReadModel {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore) {
    super(dataSource, store, 'account_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const r of events) {
      const e = { type: r.type, data: r.data } as AccountEvent;
      switch (e.type) {
        case 'AccountTargeted': {
          const d = e.data;
          await tx.query(
            `INSERT INTO ${table} (account_id, seller_id, target_kind, company_id, name, registration_number, country, nace_code, tier, owner_id, targeted_pos, targeted_at, prospect_company_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (account_id) DO NOTHING`,
            [
              d.accountId,
              d.sellerId,
              d.target.kind,
              d.target.companyId,
              d.target.name,
              d.target.registrationNumber,
              d.target.country,
              d.target.naceCode,
              d.tier,
              d.ownerId,
              r.position,
              r.occurredAt,
              prospectCompanyId(d.target),
            ],
          );
          break;
        }
        case 'AccountTeamAssigned':
          await tx.query(`UPDATE ${table} SET team = team || jsonb_build_object($2::text, $3::text) WHERE account_id = $1`, [
            e.data.accountId,
            e.data.personId,
            e.data.part,
          ]);
          break;
        case 'AccountTeamReleased':
          await tx.query(`UPDATE ${table} SET team = team - $2::text WHERE account_id = $1`, [e.data.accountId, e.data.personId]);
          break;
        case 'ProspectRegistered':
          await tx.query(`UPDATE ${table} SET company_id = $2 WHERE account_id = $1`, [e.data.accountId, e.data.companyId]);
          break;
        case 'StakeholderMapped':
        case 'StakeholderChanged':
          await tx.query(
            `UPDATE ${table} SET stakeholders = stakeholders || jsonb_build_object($2::text, jsonb_build_object('role', $3::text, 'stance', $4::text)) WHERE account_id = $1`,
            [e.data.accountId, e.data.stakeholderId, e.data.role, e.data.stance],
          );
          break;
        case 'StakeholderRemoved':
          await tx.query(`UPDATE ${table} SET stakeholders = stakeholders - $2::text WHERE account_id = $1`, [e.data.accountId, e.data.stakeholderId]);
          break;
        case 'TouchRecorded':
          // The latest touch, whatever order touches are recorded in (a call logged a day late).
          await tx.query(`UPDATE ${table} SET last_touch_at = GREATEST(last_touch_at, $2::timestamptz) WHERE account_id = $1`, [e.data.accountId, e.data.at]);
          break;
        case 'ContactErased':
          break;
      }
    }
  }
}

/** One row per opportunity: its stage, deal and the history of its stages (conversion and cycle times). */
@Injectable()
export class OpportunityListProjection extends LocalReadModel {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore) {
    super(dataSource, store, 'opportunity_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const r of events) {
      const e = { type: r.type, data: r.data } as OpportunityEvent;
      switch (e.type) {
        case 'OpportunityOpened': {
          const d = e.data;
          await tx.query(
            `INSERT INTO ${table} (opportunity_id, seller_id, account_id, buyer_id, title, stage, expected_value, currency, history, opened_pos, opened_at)
             VALUES ($1, $2, $3, $4, $5, 'identified', $6, $7, $8, $9, $10) ON CONFLICT (opportunity_id) DO NOTHING`,
            [
              d.opportunityId,
              d.sellerId,
              d.accountId,
              d.buyerId,
              d.title,
              d.expectedValue,
              d.currency,
              json([{ stage: 'identified', at: r.occurredAt }]),
              r.position,
              r.occurredAt,
            ],
          );
          break;
        }
        case 'OpportunityStageMoved':
          await tx.query(`UPDATE ${table} SET stage = $2, reason = $3, history = history || $4::jsonb WHERE opportunity_id = $1`, [
            e.data.opportunityId,
            e.data.to,
            e.data.reason,
            json([{ stage: e.data.to, at: e.data.at }]),
          ]);
          break;
        case 'OpportunityDealLinked':
          await tx.query(`UPDATE ${table} SET deal_kind = $2, deal_id = $3 WHERE opportunity_id = $1`, [e.data.opportunityId, e.data.dealKind, e.data.dealId]);
          break;
        case 'OpportunityContractExecuted': {
          const { contractId, contractValue, currency, executedAt } = e.data;
          await tx.query(`UPDATE ${table} SET contracts = contracts || $2::jsonb WHERE opportunity_id = $1`, [
            e.data.opportunityId,
            json([{ contractId, contractValue, currency, executedAt }]),
          ]);
          break;
        }
      }
      // A prospect registered: its account's opportunities now have a buyer whose deals move them.
      if (r.type === 'ProspectRegistered') {
        const d = r.data as { accountId: string; companyId: string };
        await tx.query(prospectRegisteredSql(table), [d.accountId, d.companyId]);
      }
    }
  }
}

/** A registered prospect's opportunities get its company as their buyer (by account: `opportunity_list_account_idx`). */
export const prospectRegisteredSql = (table: string) => `UPDATE ${table} SET buyer_id = $2 WHERE account_id = $1 AND buyer_id IS NULL`;

/** Every touch of a seller, for its pipeline (by seller: `touch_list_seller_idx`). */
export const sellerTouchesSql = (table: string) => `SELECT account_id, channel, at, campaign_id FROM ${table} WHERE seller_id = $1`;

/** One row per touch: the channel and time attribution and staleness read. */
@Injectable()
export class TouchListProjection extends LocalReadModel {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore) {
    super(dataSource, store, 'touch_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const r of events) {
      if (r.type !== 'TouchRecorded') continue;
      const d = r.data as Extract<AccountEvent, { type: 'TouchRecorded' }>['data'];
      await tx.query(
        `INSERT INTO ${table} (touch_id, seller_id, account_id, channel, at, campaign_id, recorded_pos) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (touch_id) DO NOTHING`,
        [d.touchId, d.sellerId, d.accountId, d.channel, d.at, d.campaignId, r.position],
      );
    }
  }
}

/** One row per campaign. */
@Injectable()
export class CampaignListProjection extends LocalReadModel {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore) {
    super(dataSource, store, 'campaign_list');
  }

  protected async apply(events: RecordedEvent[], tx: Queryable, table: string): Promise<void> {
    for (const r of events) {
      const e = { type: r.type, data: r.data } as CampaignEvent;
      if (e.type !== 'CampaignLaunched') continue;
      const d = e.data;
      await tx.query(
        `INSERT INTO ${table} (campaign_id, seller_id, name, channel, starts_at, launched_pos) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (campaign_id) DO NOTHING`,
        [d.campaignId, d.sellerId, d.name, d.channel, d.startsAt, r.position],
      );
    }
  }
}

export const ACCOUNTS_READ_MODELS = [AccountListProjection, OpportunityListProjection, TouchListProjection, CampaignListProjection];
