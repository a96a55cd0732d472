import 'reflect-metadata';
import { runApp } from '@dealledger/platform';
import { SERVICE_DESK, ServiceDeskModule } from './service-desk.module';

void runApp(ServiceDeskModule, SERVICE_DESK, 3005);
