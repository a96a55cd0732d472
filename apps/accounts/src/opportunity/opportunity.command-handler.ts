import { aggregateCommands } from '@dealledger/platform';
import { opportunityDecider, partiesOf } from './opportunity.decider';
import { opportunityStreamId } from './opportunity.stream';

/** Any opportunity command: by a person of the seller, or FollowDeal from the ledger's deal events. */
export const { ExecuteCommand: ExecuteOpportunityCommand, Handler: OpportunityCommandHandler } = aggregateCommands({
  name: 'Opportunity',
  decider: opportunityDecider,
  streamId: (c) => opportunityStreamId(c.opportunityId),
  parties: partiesOf,
});
