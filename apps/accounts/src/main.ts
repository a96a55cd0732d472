import 'reflect-metadata';
import { runApp } from '@dealledger/platform';
import { ACCOUNTS, AccountsModule } from './accounts.module';

void runApp(AccountsModule, ACCOUNTS, 3008);
