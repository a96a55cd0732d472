import { aggregateCommands } from '@dealledger/platform';
import { contractDecider, partiesOf } from './contract.decider';
import { contractStreamId } from './contract.stream';

/** Any contract command: load the contract stream, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteContractCommand, Handler: ContractCommandHandler } = aggregateCommands({
  name: 'Contract',
  decider: contractDecider,
  streamId: (c) => contractStreamId(c.contractId),
  parties: partiesOf,
});
