import type { Requester } from '@dealledger/domain';
import { deciderSpec } from '@dealledger/testing';
import { campaignDecider, partiesOf, type CampaignCommand } from './campaign.decider';

const { given, history } = deciderSpec(campaignDecider);

const seller = '5e11e500-0000-4000-8000-000000000001';
const stranger = '0d0d0d0d-0000-4000-8000-000000000009';
const campaignId = 'ca3ca3ca-0000-4000-8000-000000000005';
const marketer: Requester = { companyId: seller, personId: '00000000-0000-4000-8000-000000000010', roles: [] };
const now = new Date('2027-03-10T12:00:00Z');

const launch = (over: Partial<CampaignCommand> = {}): CampaignCommand => ({
  type: 'LaunchCampaign',
  campaignId,
  sellerId: seller,
  name: 'Hannover Messe 2027',
  channel: 'conference',
  startsAt: '2027-04-12',
  requester: marketer,
  now,
  ...over,
});

describe('campaign decider', () => {
  it('launches a campaign of one channel, the seller its only party', () => {
    const events = given([]).when(launch()).events;
    expect(events).toEqual([
      {
        type: 'CampaignLaunched',
        data: { campaignId, sellerId: seller, name: 'Hannover Messe 2027', channel: 'conference', startsAt: '2027-04-12', launchedBy: marketer.personId },
      },
    ]);
    expect(partiesOf(events[0])).toEqual([seller]);
  });
  it('refuses a second launch of the same campaign', () => {
    given(history(launch()))
      .when(launch({ name: 'Another' }))
      .thenThrows('conflict:accounts.already_exists');
  });
  it('refuses another company and a company key', () => {
    given([])
      .when(launch({ requester: { ...marketer, companyId: stranger } }))
      .thenThrows('forbidden:accounts.seller_only');
    given([])
      .when(launch({ requester: { ...marketer, personId: null } }))
      .thenThrows('forbidden:accounts.person_required');
  });
  it('refuses an empty name', () => {
    given([])
      .when(launch({ name: '  ' }))
      .thenThrows('invalid:accounts.name_required');
  });
});
