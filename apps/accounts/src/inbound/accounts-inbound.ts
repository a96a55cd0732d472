import { eventsTopic } from '@dealledger/events';
import { contextGroupId, inboundConsumer } from '@dealledger/platform';
import { FollowDeals, LinkProspects } from './deals.kafka-handlers';

/** The deal events that move opportunities (see deal-moves.ts), and the registrations that link prospects. */
export const DEAL_TYPES = [
  'OfferSubmitted',
  'OfferCountered',
  'OfferRevised',
  'OfferAccepted',
  'OfferRejected',
  'OfferWithdrawn',
  'OfferExpired',
  'SuppliersInvited',
  'BidSubmitted',
  'TenderAwarded',
  'AwardFinalised',
  'TenderCancelled',
  'ContractExecuted',
];

/** The accounts app reads the ledger's deals (offers and contracts topics) and the directory's registrations. */
export const AccountsInbound = inboundConsumer({
  name: 'AccountsInbound',
  groupId: () => contextGroupId('accounts'),
  topics: () => [eventsTopic('offers'), eventsTopic('contracts'), eventsTopic('directory')],
  inject: [FollowDeals, LinkProspects],
  handlers: (_schema, deals, prospects) => ({
    handlers: {
      ...Object.fromEntries(DEAL_TYPES.map((type) => [type, (e, tx) => deals.handle(e, tx)])),
      CompanyRegistered: (e, tx) => prospects.handle(e, tx),
    },
  }),
});
