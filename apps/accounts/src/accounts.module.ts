import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LedgerModule, loadPersonalDataKey, PersonalDataVault, PersonKeys1738000000000, DATA_SOURCE } from '@dealledger/platform';
import { PostgresEventStore } from '@dealledger/event-store';
import type { DataSource } from 'typeorm';
import { AccountCommandHandler } from './account/account.command-handler';
import { Contacts } from './account/contacts';
import { AccountsHttpController } from './accounts.http.controller';
import { CampaignCommandHandler } from './campaign/campaign.command-handler';
import { AccountsInbound } from './inbound/accounts-inbound';
import { FollowDeals, LinkProspects } from './inbound/deals.kafka-handlers';
import { OpportunityCommandHandler } from './opportunity/opportunity.command-handler';
import {
  AccountsLists1739000000000,
  OpportunityContracts1739300000000,
  PendingContracts1739300000001,
  DealLinkIndex1739300000002,
  SellerReadIndexes1739400000000,
} from './projections/accounts.migration';
import { ACCOUNTS_READ_MODELS } from './projections/accounts.projections';

export const ACCOUNTS = {
  context: 'accounts',
  title: 'Deal Ledger — accounts',
  description:
    "Account-based selling, private to each seller: target accounts (companies, prospects, industries), account teams, the buyer's buying committee as the seller maps it, " +
    "touches and campaigns, and opportunities whose stages from the offer on follow the ledger's own deals (learnt from dealledger.offers.events). Events go to dealledger.accounts.events.",
};

@Module({
  imports: [
    CqrsModule.forRoot(),
    LedgerModule.forContext({
      context: ACCOUNTS.context,
      migrations: [
        PersonKeys1738000000000,
        AccountsLists1739000000000,
        OpportunityContracts1739300000000,
        PendingContracts1739300000001,
        DealLinkIndex1739300000002,
        SellerReadIndexes1739400000000,
      ],
    }),
  ],
  controllers: [AccountsHttpController],
  providers: [
    AccountCommandHandler,
    OpportunityCommandHandler,
    CampaignCommandHandler,
    Contacts,
    FollowDeals,
    LinkProspects,
    AccountsInbound,
    ...ACCOUNTS_READ_MODELS,
    {
      provide: PersonalDataVault,
      useFactory: (db: DataSource, store: PostgresEventStore) => new PersonalDataVault(db, store.schema, loadPersonalDataKey()),
      inject: [DATA_SOURCE, PostgresEventStore],
    },
  ],
})
export class AccountsModule {}
