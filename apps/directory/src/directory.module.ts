import { Logger, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import type { DataSource } from 'typeorm';
import { loadSigningKeys } from '@dealledger/auth';
import { PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE, LedgerModule } from '@dealledger/platform';
import { IssueTokenHttpController, tokenThrottlers } from './auth/issue-token/issue-token.http.controller';
import { IssueTokenQueryHandler, TOKEN_SIGNING_KEY } from './auth/issue-token/issue-token.query-handler';
import { CompanyCommandHandler } from './company/company.command-handler';
import { CompanyHttpController } from './company/company.http.controller';
import { PersonalDataCommandHandler } from './personal-data/personal-data.command-handler';
import { DIRECTORY_MIGRATIONS } from './personal-data/personal-data.migration';
import { personalDataReader } from './personal-data/personal-data.reader';
import { loadPersonalDataKey, PersonalDataVault } from '@dealledger/platform';

export const DIRECTORY = {
  context: 'directory',
  title: 'Deal Ledger — directory',
  description: 'Companies, their decision makers and signing roles, API keys, and the tokens every other app verifies.',
};

@Module({
  imports: [
    CqrsModule.forRoot(),
    LedgerModule.forContext({ context: DIRECTORY.context, migrations: DIRECTORY_MIGRATIONS }),
    ThrottlerModule.forRoot(tokenThrottlers()),
  ],
  controllers: [CompanyHttpController, IssueTokenHttpController],
  providers: [
    CompanyCommandHandler,
    IssueTokenQueryHandler,
    PersonalDataCommandHandler,
    {
      // The vault opens every PersonAdded the store reads (commands, views, tokens): its reader
      // is added here, before the app serves its first request.
      provide: PersonalDataVault,
      useFactory: (db: DataSource, store: PostgresEventStore) => {
        const vault = new PersonalDataVault(db, store.schema, loadPersonalDataKey());
        store.addReader(personalDataReader(vault));
        return vault;
      },
      inject: [DATA_SOURCE, PostgresEventStore],
    },
    {
      provide: TOKEN_SIGNING_KEY,
      useFactory: () => {
        const keys = loadSigningKeys();
        if (!keys.privateKey) throw new Error('the directory needs AUTH_PRIVATE_KEY to sign tokens');
        if (keys.development) new Logger('Auth').warn('AUTH_PRIVATE_KEY is not set: signing with the development key (never in production)');
        return keys.privateKey;
      },
    },
  ],
})
export class DirectoryModule {}
