import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';
import type { ContractCommand } from './contract.commands';
import { contractDecider, ContractState, partiesOf } from './contract.decider';
import { contractStreamId, schemaVersionOf } from './contract.stream';

/** Any contract command: load the contract stream, decide, append with the expected version. */
export class ExecuteContractCommand extends Command<ContractState> {
  constructor(
    readonly command: ContractCommand,
    readonly metadata: CommandMetadata,
    /** Append inside this transaction (a Kafka handler's, with its inbox record). */
    readonly queryRunner?: QueryRunner,
  ) {
    super();
  }
}

@CommandHandler(ExecuteContractCommand)
export class ContractCommandHandler implements ICommandHandler<ExecuteContractCommand> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ command, metadata, queryRunner }: ExecuteContractCommand): Promise<ContractState> {
    const result = await handleCommand({
      store: this.store,
      streamId: contractStreamId(command.contractId),
      decider: contractDecider,
      command,
      metadata,
      parties: partiesOf,
      schemaVersion: schemaVersionOf,
      queryRunner,
    });
    return result.state;
  }
}
