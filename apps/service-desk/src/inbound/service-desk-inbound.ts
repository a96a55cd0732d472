import { eventsTopic } from '@dealledger/events';
import { contextGroupId, inboundConsumer } from '@dealledger/platform';
import { RegisterSlaTermsWhenContractExecuted, UpdateServiceContractWhenContractChanges } from './sla-terms.kafka-handlers';
import { OpenTicketWhenGoodsReceived } from './tickets-from-receipts.kafka-handler';

/**
 * The service desk learns contracts and their SLA terms from dealledger.contracts.events, and
 * the tickets buyers ask for when they reject goods from dealledger.fulfilment.events.
 */
export const ServiceDeskInbound = inboundConsumer({
  name: 'ServiceDeskInbound',
  groupId: () => contextGroupId('service-desk'),
  topics: () => [eventsTopic('contracts'), eventsTopic('fulfilment')],
  inject: [OpenTicketWhenGoodsReceived],
  handlers: (schema, goodsReceived) => {
    const executed = new RegisterSlaTermsWhenContractExecuted(schema);
    const changed = new UpdateServiceContractWhenContractChanges(schema);
    return {
      handlers: {
        ContractExecuted: (e, tx) => executed.handle(e, tx),
        ContractTerminated: (e, tx) => changed.handle(e, tx),
        ContractExpired: (e, tx) => changed.handle(e, tx),
        ContractRenewed: (e, tx) => changed.handle(e, tx),
        GoodsReceived: (e, tx) => goodsReceived.handle(e, tx),
      },
    };
  },
});
