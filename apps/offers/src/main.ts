import 'reflect-metadata';
import { runApp } from '@dealledger/platform';
import { OFFERS, OffersModule } from './offers.module';

void runApp(OffersModule, OFFERS, 3002);
