import { eventsTopic } from '@dealledger/events';
import { contextGroupId, inboundConsumer } from '@dealledger/platform';
import { EndSupplyLineWhenContractEnded, LearnCallOffWhenCallOffPlaced, LearnSupplyLineWhenContractExecuted } from './supply-lines.kafka-handlers';

/** The resale app learns supply lines only from dealledger.contracts.events. */
export const ResaleInbound = inboundConsumer({
  name: 'ResaleInbound',
  groupId: () => contextGroupId('resale'),
  topics: () => [eventsTopic('contracts')],
  handlers: (schema) => {
    const executed = new LearnSupplyLineWhenContractExecuted(schema);
    const callOff = new LearnCallOffWhenCallOffPlaced(schema);
    const ended = new EndSupplyLineWhenContractEnded(schema);
    return {
      handlers: {
        ContractExecuted: (e, tx) => executed.handle(e, tx),
        CallOffPlaced: (e, tx) => callOff.handle(e, tx),
        ContractTerminated: (e, tx) => ended.handle(e, tx),
        ContractExpired: (e, tx) => ended.handle(e, tx),
      },
    };
  },
});
