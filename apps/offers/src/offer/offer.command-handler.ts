import { aggregateCommands } from '@dealledger/platform';
import { offerDecider, partiesOf } from './offer.decider';
import { offerStreamId } from './offer.stream';

/** Any offer command: load the offer stream, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteOfferCommand, Handler: OfferCommandHandler } = aggregateCommands({
  name: 'Offer',
  decider: offerDecider,
  streamId: (c) => offerStreamId(c.offerId),
  parties: partiesOf,
});
