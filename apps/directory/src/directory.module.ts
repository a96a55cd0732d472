import { Logger, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { loadSigningKeys } from '@dealledger/auth';
import { LedgerModule } from '@dealledger/platform';
import { IssueTokenHttpController, tokenThrottlers } from './auth/issue-token/issue-token.http.controller';
import { IssueTokenQueryHandler, TOKEN_SIGNING_KEY } from './auth/issue-token/issue-token.query-handler';
import { CompanyCommandHandler } from './company/company.command-handler';
import { CompanyHttpController } from './company/company.http.controller';

export const DIRECTORY = {
  context: 'directory',
  title: 'Deal Ledger — directory',
  description: 'Companies, their decision makers and signing roles, API keys, and the tokens every other app verifies.',
};

@Module({
  imports: [CqrsModule.forRoot(), LedgerModule.forContext({ context: DIRECTORY.context }), ThrottlerModule.forRoot(tokenThrottlers())],
  controllers: [CompanyHttpController, IssueTokenHttpController],
  providers: [
    CompanyCommandHandler,
    IssueTokenQueryHandler,
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
