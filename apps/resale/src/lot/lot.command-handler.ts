import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';
import type { LotCommand } from './lot.commands';
import { lotDecider, LotState, partiesOf } from './lot.decider';
import { lotStreamId, schemaVersionOf } from './lot.stream';

/** Any lot command: load the lot stream, decide, append with the expected version (one retry on a conflict). */
export class ExecuteLotCommand extends Command<LotState> {
  constructor(
    readonly command: LotCommand,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(ExecuteLotCommand)
export class LotCommandHandler implements ICommandHandler<ExecuteLotCommand> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ command, metadata }: ExecuteLotCommand): Promise<LotState> {
    const result = await handleCommand({
      store: this.store,
      streamId: lotStreamId(command.lotId),
      decider: lotDecider,
      command,
      metadata,
      parties: partiesOf,
      schemaVersion: schemaVersionOf,
    });
    return result.state;
  }
}
