import 'reflect-metadata';
import { runApp } from '@dealledger/platform';
import { FULFILMENT, FulfilmentModule } from './fulfilment.module';

void runApp(FulfilmentModule, FULFILMENT, 3007);
