import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LedgerModule } from '@dealledger/platform';
import { RelationshipHttpController } from './history/relationship.http.controller';
import { RelationshipQueries } from './history/relationship.queries';
import { GENERATION_MIGRATIONS } from './projection/generations';
import { RelationshipsInbound, RelationshipsTouches } from './projection/relationships-inbound';
import { AdminHttpController, RebuildService } from './rebuild/admin.http.controller';
import { ScorecardHttpController } from './scorecard/scorecard.http.controller';
import { InboxHttpController } from './inbox/inbox.http.controller';
import { InboxQueries } from './inbox/inbox.queries';
import { FeedHttpController } from './feed/feed.http.controller';
import { FeedQueries } from './feed/feed.queries';
import { FeedSignal } from './feed/feed-signal';
import { Feed1764460000000 } from './feed/feed-rows';
import { WebhookDeliveryPages1764700000000, Webhooks1764460000001 } from './webhooks/webhook-rows';
import { Touches1764470000000 } from './touches/touches';
import { WebhookDelivery } from './webhooks/webhook-delivery';
import { WebhooksHttpController } from './webhooks/webhooks.http.controller';
import { WebhooksService } from './webhooks/webhooks.service';

export const RELATIONSHIPS = {
  context: 'relationships',
  title: 'Deal Ledger — relationships',
  description:
    "The read side: each company's feed of its events and its webhooks; per pair of companies, the timeline of everything that concerns both and its summary (also as of any past time); supplier scorecards " +
    'on price, quality, reputation, service, partnership and delivery; rebuilt from the Kafka log at will.',
};

@Module({
  imports: [
    CqrsModule.forRoot(),
    LedgerModule.forContext({
      context: RELATIONSHIPS.context,
      migrations: [...GENERATION_MIGRATIONS, Feed1764460000000, Webhooks1764460000001, Touches1764470000000, WebhookDeliveryPages1764700000000],
    }),
  ],
  controllers: [RelationshipHttpController, ScorecardHttpController, AdminHttpController, InboxHttpController, FeedHttpController, WebhooksHttpController],
  providers: [
    RelationshipQueries,
    RelationshipsInbound,
    RelationshipsTouches,
    RebuildService,
    InboxQueries,
    FeedQueries,
    FeedSignal,
    WebhooksService,
    WebhookDelivery,
  ],
})
export class RelationshipsModule {}
