import { eventsTopic } from '@dealledger/events';
import { contextGroupId, inboundConsumer } from '@dealledger/platform';
import { EndSupplyLineWhenContractEnded, LearnCallOffWhenCallOffPlaced, LearnSupplyLineWhenContractExecuted } from './supply-lines.kafka-handlers';
import { ForgetInvoicePriceWhenInvoiceWithdrawn, LearnInvoicePriceWhenInvoiceIssued, LearnReceiptWhenGoodsReceived } from './supply-receipts.kafka-handlers';

/**
 * The resale app learns supply lines from dealledger.contracts.events, and what was received,
 * accepted and invoiced at a matched price from dealledger.fulfilment.events.
 */
export const ResaleInbound = inboundConsumer({
  name: 'ResaleInbound',
  groupId: () => contextGroupId('resale'),
  topics: () => [eventsTopic('contracts'), eventsTopic('fulfilment')],
  handlers: (schema) => {
    const executed = new LearnSupplyLineWhenContractExecuted(schema);
    const callOff = new LearnCallOffWhenCallOffPlaced(schema);
    const ended = new EndSupplyLineWhenContractEnded(schema);
    const received = new LearnReceiptWhenGoodsReceived(schema);
    const invoiced = new LearnInvoicePriceWhenInvoiceIssued(schema);
    const withdrawn = new ForgetInvoicePriceWhenInvoiceWithdrawn(schema);
    return {
      handlers: {
        ContractExecuted: (e, tx) => executed.handle(e, tx),
        CallOffPlaced: (e, tx) => callOff.handle(e, tx),
        ContractTerminated: (e, tx) => ended.handle(e, tx),
        ContractExpired: (e, tx) => ended.handle(e, tx),
        GoodsReceived: (e, tx) => received.handle(e, tx),
        InvoiceIssued: (e, tx) => invoiced.handle(e, tx),
        InvoiceWithdrawn: (e, tx) => withdrawn.handle(e, tx),
      },
    };
  },
});
