import { aggregateCommands } from '@dealledger/platform';
import { campaignDecider, partiesOf } from './campaign.decider';

export const campaignStreamId = (campaignId: string) => `campaign-${campaignId}`;

export const { ExecuteCommand: ExecuteCampaignCommand, Handler: CampaignCommandHandler } = aggregateCommands({
  name: 'Campaign',
  decider: campaignDecider,
  streamId: (c) => campaignStreamId(c.campaignId),
  parties: partiesOf,
});
