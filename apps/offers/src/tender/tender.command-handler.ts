import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';
import { schemaVersionOf } from '../offer/offer.stream';
import type { TenderCommand } from './tender.commands';
import { partiesOf, tenderDecider, TenderState } from './tender.decider';
import { tenderStreamId } from './tender.stream';

/** Any tender command: load the tender stream, decide, append with the expected version. */
export class ExecuteTenderCommand extends Command<TenderState> {
  constructor(
    readonly command: TenderCommand,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(ExecuteTenderCommand)
export class TenderCommandHandler implements ICommandHandler<ExecuteTenderCommand> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ command, metadata }: ExecuteTenderCommand): Promise<TenderState> {
    const result = await handleCommand({
      store: this.store,
      streamId: tenderStreamId(command.tenderId),
      decider: tenderDecider,
      command,
      metadata,
      parties: partiesOf,
      schemaVersion: schemaVersionOf,
    });
    return result.state;
  }
}
