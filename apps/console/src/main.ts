import 'reflect-metadata';
import { runApp } from '@dealledger/platform';
import { CONSOLE, ConsoleModule } from './console.module';

void runApp(ConsoleModule, CONSOLE, 3000);
