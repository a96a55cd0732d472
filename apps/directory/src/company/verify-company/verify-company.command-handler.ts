import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';
import { companyDecider, partiesOf } from '../company.decider';
import { companyStreamId, schemaVersionOf, validateEvent } from '../company.stream';

export class VerifyCompanyCommand extends Command<void> {
  constructor(
    readonly companyId: string,
    readonly note: string,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(VerifyCompanyCommand)
export class VerifyCompanyCommandHandler implements ICommandHandler<VerifyCompanyCommand> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ companyId, note, metadata }: VerifyCompanyCommand): Promise<void> {
    await handleCommand({
      store: this.store,
      streamId: companyStreamId(companyId),
      decider: companyDecider,
      command: { type: 'VerifyCompany', companyId, note },
      metadata,
      parties: partiesOf,
      schemaVersion: schemaVersionOf,
      validate: validateEvent,
    });
  }
}
