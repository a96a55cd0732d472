import 'reflect-metadata';
import { runApp } from '@dealledger/platform';
import { DIRECTORY, DirectoryModule } from './directory.module';

void runApp(DirectoryModule, DIRECTORY, 3001);
