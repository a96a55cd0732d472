import 'reflect-metadata';
import { runApp } from '@dealledger/platform';
import { RELATIONSHIPS, RelationshipsModule } from './relationships.module';

void runApp(RelationshipsModule, RELATIONSHIPS, 3006);
