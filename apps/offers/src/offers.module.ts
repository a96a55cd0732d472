import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ExpireOffersScheduler, EXPIRY_CLOCK } from './offer/expiry/expire-offers.scheduler';
import { DEADLINE_MIGRATIONS, LedgerModule } from '@dealledger/platform';
import { OfferCommandHandler } from './offer/offer.command-handler';
import { OfferHttpController } from './offer/offer.http.controller';
import { OfferList1737100000000, OfferListProjection, OfferListSearch1737200000000 } from './offer/list/offer-list.projection';
import { BID_SEAL_KEY, loadSealKey } from './tender/bid-seal';
import { TenderBidOpener, TenderCommandHandler } from './tender/tender.command-handler';
import { TenderHttpController } from './tender/tender.http.controller';
import { TenderBidListProjection } from './tender/list/tender-bid-list.projection';
import {
  TenderList1737300000000,
  TenderListProjection,
  TenderNotices1738200000000,
  TenderNoticesOpen1738300000000,
} from './tender/list/tender-list.projection';

export const OFFERS = {
  context: 'offers',
  title: 'Deal Ledger — offers and tenders',
  description:
    'Supplier offers with volume price tiers, negotiated over numbered revisions; procurement tenders with sealed bids, ' +
    'weighted evaluation on price, quality, reputation, service and partnership, and award; specifications attached to both ' +
    '(POST /documents, then by hash). Events go to dealledger.offers.events.',
};

@Module({
  imports: [
    CqrsModule.forRoot(),
    LedgerModule.forContext({
      context: OFFERS.context,
      documents: true,
      migrations: [
        ...DEADLINE_MIGRATIONS,
        OfferList1737100000000,
        OfferListSearch1737200000000,
        TenderList1737300000000,
        TenderNotices1738200000000,
        TenderNoticesOpen1738300000000,
      ],
    }),
  ],
  controllers: [OfferHttpController, TenderHttpController],
  providers: [
    OfferCommandHandler,
    TenderCommandHandler,
    TenderBidOpener,
    ExpireOffersScheduler,
    OfferListProjection,
    TenderListProjection,
    TenderBidListProjection,
    { provide: EXPIRY_CLOCK, useValue: () => new Date() },
    { provide: BID_SEAL_KEY, useFactory: () => loadSealKey() },
  ],
})
export class OffersModule {}
