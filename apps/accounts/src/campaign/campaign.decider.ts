import type { Decider, Requester } from '@dealledger/domain';
import type { CampaignEvent, TouchChannel } from '@dealledger/events';
import { AccountErrors as Errors } from '../account/account.errors';

/** Stream `campaign-<campaignId>`. */
export type LaunchCampaign = {
  type: 'LaunchCampaign';
  campaignId: string;
  sellerId: string;
  name: string;
  channel: TouchChannel;
  startsAt: string;
  requester: Requester;
  now: Date;
};
export type CampaignCommand = LaunchCampaign;

export type CampaignState =
  { status: 'none' } | { status: 'launched'; campaignId: string; sellerId: string; name: string; channel: TouchChannel; startsAt: string };

export const initialState: CampaignState = { status: 'none' };

export function evolve(_state: CampaignState, event: CampaignEvent): CampaignState {
  const { campaignId, sellerId, name, channel, startsAt } = event.data;
  return { status: 'launched', campaignId, sellerId, name, channel, startsAt };
}

function launch(c: LaunchCampaign, state: CampaignState): CampaignEvent[] {
  if (c.requester.companyId !== c.sellerId) throw Errors.sellerOnly('launch a campaign');
  if (!c.requester.personId) throw Errors.personRequired();
  if (state.status !== 'none') throw Errors.alreadyExists('campaign', c.campaignId);
  if (!c.name.trim()) throw Errors.nameRequired();
  const { campaignId, sellerId, name, channel, startsAt } = c;
  return [{ type: 'CampaignLaunched', data: { campaignId, sellerId, name, channel, startsAt, launchedBy: c.requester.personId } }];
}

export function decide(command: CampaignCommand, state: CampaignState): CampaignEvent[] {
  switch (command.type) {
    case 'LaunchCampaign':
      return launch(command, state);
  }
}

export const campaignDecider: Decider<CampaignState, CampaignCommand, CampaignEvent> = { initialState, evolve, decide };

/** A campaign is the seller's alone. */
export function partiesOf(event: CampaignEvent): string[] {
  return [event.data.sellerId];
}
