import { eventsTopic } from '@dealledger/events';
import { contextGroupId, inboundConsumer } from '@dealledger/platform';
import { RegisterSlaTermsWhenContractExecuted, UpdateServiceContractWhenContractChanges } from './sla-terms.kafka-handlers';

/** The service desk learns contracts and their SLA terms only from dealledger.contracts.events. */
export const ServiceDeskInbound = inboundConsumer({
  name: 'ServiceDeskInbound',
  groupId: () => contextGroupId('service-desk'),
  topics: () => [eventsTopic('contracts')],
  handlers: (schema) => {
    const executed = new RegisterSlaTermsWhenContractExecuted(schema);
    const changed = new UpdateServiceContractWhenContractChanges(schema);
    return {
      handlers: {
        ContractExecuted: (e, tx) => executed.handle(e, tx),
        ContractTerminated: (e, tx) => changed.handle(e, tx),
        ContractExpired: (e, tx) => changed.handle(e, tx),
        ContractRenewed: (e, tx) => changed.handle(e, tx),
      },
    };
  },
});
