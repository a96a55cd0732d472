import { Injectable } from '@nestjs/common';
import { CommandContext, CommandInput } from '@dealledger/event-store';
import { aggregateCommands, CommandPreparer, Documents } from '@dealledger/platform';
import type { ContractCommand, ContractCommandToPrepare } from './contract.commands';
import { amendsTerms, contractDecider, ContractState, partiesOf } from './contract.decider';
import { contractStreamId } from './contract.stream';
import { documentsToRecord } from './contract-documents';

/** An amendment's documents as the terms will record them (see documentsToRecord); a new one must be the amending company's upload (404 otherwise). */
@Injectable()
export class ContractDocumentsResolver implements CommandPreparer<ContractState, CommandInput<ContractCommandToPrepare>, ContractCommand> {
  constructor(private readonly documents: Documents) {}

  async prepare(command: CommandInput<ContractCommandToPrepare>, state: ContractState, { requester }: CommandContext): Promise<CommandInput<ContractCommand>> {
    if (command.type !== 'AmendContract' || !command.changes.documents) return command as CommandInput<ContractCommand>;
    const { documents: named, ...changes } = command.changes;
    // Whoever may not amend is refused by the decider before it reads the documents: look nothing up for them.
    if (!requester || !amendsTerms(state, requester.companyId)) return { ...command, changes };
    const documents = await documentsToRecord(named, state.terms.documents, (fresh) => this.documents.resolve(fresh, requester.companyId));
    return { ...command, changes: { ...changes, documents } };
  }
}

/** Any contract command: load the contract stream, resolve an amendment's documents, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteContractCommand, Handler: ContractCommandHandler } = aggregateCommands({
  name: 'Contract',
  decider: contractDecider,
  streamId: (c) => contractStreamId(c.contractId),
  parties: partiesOf,
  preparer: ContractDocumentsResolver,
});
