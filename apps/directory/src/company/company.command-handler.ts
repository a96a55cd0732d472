import { aggregateCommands } from '@dealledger/platform';
import { companyDecider, partiesOf } from './company.decider';
import { companyStreamId } from './company.stream';

/** Any company command: load the company stream, decide, append with the expected version (one retry on a conflict). */
export const { ExecuteCommand: ExecuteCompanyCommand, Handler: CompanyCommandHandler } = aggregateCommands({
  name: 'Company',
  decider: companyDecider,
  streamId: (c) => companyStreamId(c.companyId),
  parties: partiesOf,
});
