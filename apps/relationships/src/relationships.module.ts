import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LedgerModule } from '@dealledger/platform';
import { RelationshipHttpController } from './history/relationship.http.controller';
import { RelationshipQueries } from './history/relationship.queries';
import { GENERATION_MIGRATIONS } from './projection/generations';
import { RelationshipsInbound } from './projection/relationships-inbound';
import { AdminHttpController, RebuildService } from './rebuild/admin.http.controller';
import { ScorecardHttpController } from './scorecard/scorecard.http.controller';
import { InboxHttpController } from './inbox/inbox.http.controller';
import { InboxQueries } from './inbox/inbox.queries';

export const RELATIONSHIPS = {
  context: 'relationships',
  title: 'Deal Ledger — relationships',
  description:
    'The read side: per pair of companies, the timeline of everything that concerns both and its summary (also as of any past time); supplier scorecards ' +
    'on price, quality, reputation, service and partnership; rebuilt from the Kafka log at will.',
};

@Module({
  imports: [CqrsModule.forRoot(), LedgerModule.forContext({ context: RELATIONSHIPS.context, migrations: GENERATION_MIGRATIONS })],
  controllers: [RelationshipHttpController, ScorecardHttpController, AdminHttpController, InboxHttpController],
  providers: [RelationshipQueries, RelationshipsInbound, RebuildService, InboxQueries],
})
export class RelationshipsModule {}
