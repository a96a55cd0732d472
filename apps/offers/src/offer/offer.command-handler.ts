import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';
import type { OfferCommand } from './offer.commands';
import { offerDecider, OfferState, partiesOf } from './offer.decider';
import { offerStreamId, schemaVersionOf } from './offer.stream';

/** Any offer command: load the offer stream, decide, append with the expected version. */
export class ExecuteOfferCommand extends Command<OfferState> {
  constructor(
    readonly command: OfferCommand,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(ExecuteOfferCommand)
export class OfferCommandHandler implements ICommandHandler<ExecuteOfferCommand> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ command, metadata }: ExecuteOfferCommand): Promise<OfferState> {
    const result = await handleCommand({
      store: this.store,
      streamId: offerStreamId(command.offerId),
      decider: offerDecider,
      command,
      metadata,
      parties: partiesOf,
      schemaVersion: schemaVersionOf,
    });
    return result.state;
  }
}
