import { eventsTopic } from '@dealledger/events';
import { contextGroupId, inboundConsumer } from '@dealledger/platform';
import { LearnCallOffWhenPlaced, LearnContractWhenExecuted, UpdateContractWhenItChanges } from './orders.kafka-handlers';

/** Fulfilment learns contracts and call-offs only from dealledger.contracts.events. */
export const FulfilmentInbound = inboundConsumer({
  name: 'FulfilmentInbound',
  groupId: () => contextGroupId('fulfilment'),
  topics: () => [eventsTopic('contracts')],
  handlers: (schema) => {
    const executed = new LearnContractWhenExecuted(schema);
    const placed = new LearnCallOffWhenPlaced(schema);
    const changed = new UpdateContractWhenItChanges(schema);
    return {
      handlers: {
        ContractExecuted: (e, tx) => executed.handle(e, tx),
        CallOffPlaced: (e, tx) => placed.handle(e, tx),
        ContractTerminated: (e, tx) => changed.handle(e, tx),
        ContractExpired: (e, tx) => changed.handle(e, tx),
        ContractRenewed: (e, tx) => changed.handle(e, tx),
      },
    };
  },
});
