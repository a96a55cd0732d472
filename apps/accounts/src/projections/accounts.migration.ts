import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@dealledger/event-store';

/**
 * The seller's read tables, kept from the accounts log by local projectors: accounts (with the
 * current committee map, for coverage), opportunities (with their stage history, for conversion
 * and cycle times), touches (for attribution and staleness) and campaigns. Every row names its
 * seller, and every read filters on it: no seller ever reads another's plan.
 */
export class AccountsLists1739000000000 implements MigrationInterface {
  name = 'AccountsLists1739000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.account_list (
        account_id          uuid PRIMARY KEY,
        seller_id           uuid NOT NULL,
        target_kind         text NOT NULL,
        company_id          uuid,
        name                text,
        registration_number text,
        country             text,
        nace_code           text,
        -- A prospect: the id its company will have once registered (country and registration number).
        prospect_company_id uuid,
        tier                text NOT NULL,
        owner_id            uuid NOT NULL,
        team                jsonb NOT NULL DEFAULT '{}',
        stakeholders        jsonb NOT NULL DEFAULT '{}',
        last_touch_at       timestamptz,
        targeted_pos        bigint NOT NULL,
        targeted_at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX account_list_seller_idx ON ${s}.account_list (seller_id, targeted_pos DESC)`);
    // A registering company is matched to every seller's prospect of it.
    await q.query(`CREATE INDEX account_list_prospect_idx ON ${s}.account_list (prospect_company_id) WHERE company_id IS NULL`);
    await q.query(`
      CREATE TABLE ${s}.opportunity_list (
        opportunity_id uuid PRIMARY KEY,
        seller_id      uuid NOT NULL,
        account_id     uuid NOT NULL,
        buyer_id       uuid,
        title          text NOT NULL,
        stage          text NOT NULL,
        expected_value numeric NOT NULL,
        currency       text NOT NULL,
        deal_kind      text,
        deal_id        uuid,
        reason         text,
        history        jsonb NOT NULL,
        opened_pos     bigint NOT NULL,
        opened_at      timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX opportunity_list_seller_idx ON ${s}.opportunity_list (seller_id, opened_pos DESC)`);
    // What a deal event looks up: the seller's open opportunities with that buyer, or the one following that deal.
    await q.query(`CREATE INDEX opportunity_list_pair_idx ON ${s}.opportunity_list (seller_id, buyer_id) WHERE stage NOT IN ('won', 'lost')`);
    await q.query(`CREATE INDEX opportunity_list_deal_idx ON ${s}.opportunity_list (deal_id) WHERE deal_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE ${s}.touch_list (
        touch_id    uuid PRIMARY KEY,
        seller_id   uuid NOT NULL,
        account_id  uuid NOT NULL,
        channel     text NOT NULL,
        at          timestamptz NOT NULL,
        campaign_id uuid,
        recorded_pos bigint NOT NULL
      )`);
    await q.query(`CREATE INDEX touch_list_account_idx ON ${s}.touch_list (account_id, at)`);
    await q.query(`
      CREATE TABLE ${s}.campaign_list (
        campaign_id uuid PRIMARY KEY,
        seller_id   uuid NOT NULL,
        name        text NOT NULL,
        channel     text NOT NULL,
        starts_at   timestamptz NOT NULL,
        launched_pos bigint NOT NULL
      )`);
    await q.query(`CREATE INDEX campaign_list_seller_idx ON ${s}.campaign_list (seller_id, launched_pos DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    for (const t of ['campaign_list', 'touch_list', 'opportunity_list', 'account_list']) await q.query(`DROP TABLE ${s}.${t}`);
  }
}

/** The contracts in force from each opportunity's deal (a new event: no row holds one before). */
export class OpportunityContracts1739300000000 implements MigrationInterface {
  name = 'OpportunityContracts1739300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${schemaOf(q)}".opportunity_list ADD COLUMN contracts jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${schemaOf(q)}".opportunity_list DROP COLUMN contracts`);
  }
}

/**
 * Contracts in force seen before the offer or bid that links their deal to an opportunity (the
 * contracts and offers topics are not ordered with each other): kept until that link, then
 * applied. Only for a seller with an open opportunity with that buyer that follows no deal yet.
 */
export class PendingContracts1739300000001 implements MigrationInterface {
  name = 'PendingContracts1739300000001';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`
      CREATE TABLE ${s}.pending_contracts (
        event_id    text PRIMARY KEY,
        seller_id   uuid NOT NULL,
        deal_id     uuid NOT NULL,
        envelope    jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX pending_contracts_deal_idx ON ${s}.pending_contracts (seller_id, deal_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}".pending_contracts`);
  }
}

/**
 * Which deal an opportunity follows, found in the log itself (`OpportunityDealLinked`) by the
 * handler of the ledger's deals: by seller and deal.
 */
export class DealLinkIndex1739300000002 implements MigrationInterface {
  name = 'DealLinkIndex1739300000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX events_deal_link_idx ON "${schemaOf(q)}".events ((data->>'dealId'), (data->>'sellerId')) WHERE type = 'OpportunityDealLinked'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "${schemaOf(q)}".events_deal_link_idx`);
  }
}

/**
 * Reads that found their rows by scanning: the pipeline reads a seller's touches (the largest
 * table here) by seller, and a registered prospect's opportunities are found by account, on
 * every `ProspectRegistered` and for `GET /opportunities?accountId=`.
 */
export class SellerReadIndexes1739400000000 implements MigrationInterface {
  name = 'SellerReadIndexes1739400000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`CREATE INDEX touch_list_seller_idx ON ${s}.touch_list (seller_id)`);
    await q.query(`CREATE INDEX opportunity_list_account_idx ON ${s}.opportunity_list (account_id, opened_pos DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${schemaOf(q)}"`;
    await q.query(`DROP INDEX ${s}.opportunity_list_account_idx`);
    await q.query(`DROP INDEX ${s}.touch_list_seller_idx`);
  }
}
