import 'reflect-metadata';
import { runApp } from '@dealledger/platform';
import { RESALE, ResaleModule } from './resale.module';

void runApp(ResaleModule, RESALE, 3004);
