import { aggregateCommands } from '@dealledger/platform';
import { accountDecider, partiesOf } from './account.decider';
import { accountStreamId } from './account.stream';

/** Any account command: load the account's stream, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteAccountCommand, Handler: AccountCommandHandler } = aggregateCommands({
  name: 'Account',
  decider: accountDecider,
  streamId: (c) => accountStreamId(c.accountId),
  parties: partiesOf,
});
