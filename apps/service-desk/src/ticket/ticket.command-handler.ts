import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CommandInput, PostgresEventStore } from '@dealledger/event-store';
import { aggregateCommands, CommandPreparer, DATA_SOURCE } from '@dealledger/platform';
import type { TicketCommand, TicketCommandToPrepare } from './ticket.commands';
import { partiesOf, ticketDecider, TicketState } from './ticket.decider';
import { findContract, ticketStreamId } from './ticket.stream';

/** A new ticket's contract as the service desk learnt it from the contracts topic. */
@Injectable()
export class TicketContractLookup implements CommandPreparer<TicketState, CommandInput<TicketCommandToPrepare>, TicketCommand> {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
  ) {}

  async prepare(command: CommandInput<TicketCommandToPrepare>): Promise<CommandInput<TicketCommand>> {
    if (command.type !== 'OpenTicket') return command;
    return { ...command, contract: await findContract(this.db, this.store.schema, command.contractId) };
  }
}

/** Any ticket command: load the ticket stream, look up a new ticket's contract, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteTicketCommand, Handler: TicketCommandHandler } = aggregateCommands({
  name: 'Ticket',
  decider: ticketDecider,
  streamId: (c) => ticketStreamId(c.ticketId),
  parties: partiesOf,
  preparer: TicketContractLookup,
});
