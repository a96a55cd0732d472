import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LedgerModule } from '@dealledger/platform';
import { ResaleInbound } from './inbound/resale-inbound';
import { LotCommandHandler, LotSourceResolver } from './lot/lot.command-handler';
import { LotHttpController } from './lot/lot.http.controller';
import { LotList1737500000000, LotListDecimalQuantities1764500000001, LotListProjection } from './lot/list/lot-list.projection';
import { ResaleList1737500000001, ResaleListProjection } from './lot/list/resale-list.projection';
import { SupplyLines1732900000000 } from './projections/supply-lines.migration';
import { SupplyReceipts1764600000000 } from './projections/supply-receipts.migration';

export const RESALE = {
  context: 'resale',
  title: 'Deal Ledger — resale',
  description:
    "Intermediaries' stock lots (from deliveries received under executed contracts, learnt on dealledger.contracts.events and dealledger.fulfilment.events, or from another intermediary's resale), " +
    'resales with derived margins, and provenance chains back to the original supplier. Events go to dealledger.resale.events.',
};

@Module({
  imports: [
    CqrsModule.forRoot(),
    LedgerModule.forContext({
      context: RESALE.context,
      migrations: [SupplyLines1732900000000, LotList1737500000000, ResaleList1737500000001, LotListDecimalQuantities1764500000001, SupplyReceipts1764600000000],
    }),
  ],
  controllers: [LotHttpController],
  providers: [LotCommandHandler, LotSourceResolver, ResaleInbound, LotListProjection, ResaleListProjection],
})
export class ResaleModule {}
