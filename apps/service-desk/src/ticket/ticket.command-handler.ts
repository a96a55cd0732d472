import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';
import type { TicketCommand } from './ticket.commands';
import { partiesOf, ticketDecider, TicketState } from './ticket.decider';
import { schemaVersionOf, ticketStreamId } from './ticket.stream';

/** Any ticket command: load the ticket stream, decide, append with the expected version. */
export class ExecuteTicketCommand extends Command<TicketState> {
  constructor(
    readonly command: TicketCommand,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(ExecuteTicketCommand)
export class TicketCommandHandler implements ICommandHandler<ExecuteTicketCommand> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ command, metadata }: ExecuteTicketCommand): Promise<TicketState> {
    const result = await handleCommand({
      store: this.store,
      streamId: ticketStreamId(command.ticketId),
      decider: ticketDecider,
      command,
      metadata,
      parties: partiesOf,
      schemaVersion: schemaVersionOf,
    });
    return result.state;
  }
}
