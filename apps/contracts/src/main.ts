import 'reflect-metadata';
import { runApp } from '@dealledger/platform';
import { CONTRACTS, ContractsModule } from './contracts.module';

void runApp(ContractsModule, CONTRACTS, 3003);
