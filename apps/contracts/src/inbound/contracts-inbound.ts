import { eventsTopic } from '@dealledger/events';
import { contextGroupId, inboundConsumer } from '@dealledger/platform';
import { DraftContractWhenOfferAccepted } from './draft-contract-when-offer-accepted.kafka-handler';
import { DraftContractWhenTenderAwarded } from './draft-contract-when-tender-awarded.kafka-handler';

/** The contracts app learns about deals only from dealledger.offers.events. */
export const ContractsInbound = inboundConsumer({
  name: 'ContractsInbound',
  groupId: () => contextGroupId('contracts'),
  topics: () => [eventsTopic('offers')],
  inject: [DraftContractWhenOfferAccepted, DraftContractWhenTenderAwarded],
  handlers: (_schema, offerAccepted, tenderAwarded) => ({
    handlers: {
      OfferAccepted: (e, tx) => offerAccepted.handle(e, tx),
      TenderAwarded: (e, tx) => tenderAwarded.handle(e, tx),
      AwardFinalised: (e, tx) => tenderAwarded.handle(e, tx),
    },
  }),
});
