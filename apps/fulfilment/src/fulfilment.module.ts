import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LedgerModule } from '@dealledger/platform';
import { CallOffLookup, FulfilmentCommandHandler } from './call-off/fulfilment.command-handler';
import { FulfilmentHttpController } from './call-off/fulfilment.http.controller';
import { FulfilmentInbound } from './inbound/fulfilment-inbound';
import { FulfilmentOrders1738000000000 } from './projections/fulfilment-orders.migration';

export const FULFILMENT = {
  context: 'fulfilment',
  title: 'Deal Ledger — fulfilment',
  description:
    'What happens after a call-off (learnt from dealledger.contracts.events): dispatch advice, goods receipt with inspection, invoices three-way matched ' +
    "against the contract price and the accepted quantity, due dates from the contract's payment terms, payment. Events go to dealledger.fulfilment.events.",
};

@Module({
  imports: [CqrsModule.forRoot(), LedgerModule.forContext({ context: FULFILMENT.context, migrations: [FulfilmentOrders1738000000000], documents: true })],
  controllers: [FulfilmentHttpController],
  providers: [FulfilmentCommandHandler, CallOffLookup, FulfilmentInbound],
})
export class FulfilmentModule {}
