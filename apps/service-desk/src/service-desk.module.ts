import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DEADLINE_MIGRATIONS, LedgerModule } from '@dealledger/platform';
import { ServiceDeskInbound } from './inbound/service-desk-inbound';
import { OpenTicketWhenGoodsReceived } from './inbound/tickets-from-receipts.kafka-handler';
import { ServiceContracts1732900000001 } from './projections/service-contracts.migration';
import { SLA_CLOCK, SlaClockScheduler } from './ticket/sla/sla-clock.scheduler';
import { TicketCommandHandler, TicketContractLookup } from './ticket/ticket.command-handler';
import { TicketHttpController } from './ticket/ticket.http.controller';
import { TicketList1737600000000, TicketListProjection } from './ticket/list/ticket-list.projection';

export const SERVICE_DESK = {
  context: 'service-desk',
  title: 'Deal Ledger — service desk',
  description:
    "Technical service tickets under executed contracts (learnt from dealledger.contracts.events), with SLA clocks from each contract's terms " +
    'that survive restarts. Events go to dealledger.service-desk.events.',
};

@Module({
  imports: [
    CqrsModule.forRoot(),
    LedgerModule.forContext({
      context: SERVICE_DESK.context,
      migrations: [...DEADLINE_MIGRATIONS, ServiceContracts1732900000001, TicketList1737600000000],
      documents: true,
    }),
  ],
  controllers: [TicketHttpController],
  providers: [
    TicketCommandHandler,
    TicketContractLookup,
    OpenTicketWhenGoodsReceived,
    ServiceDeskInbound,
    SlaClockScheduler,
    TicketListProjection,
    { provide: SLA_CLOCK, useValue: () => new Date() },
  ],
})
export class ServiceDeskModule {}
