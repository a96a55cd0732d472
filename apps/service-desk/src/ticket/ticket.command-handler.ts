import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CommandContext, CommandInput, PostgresEventStore } from '@dealledger/event-store';
import { aggregateCommands, CommandPreparer, DATA_SOURCE, DocumentErrors, Documents } from '@dealledger/platform';
import type { TicketCommand, TicketCommandToPrepare } from './ticket.commands';
import { partiesOf, ticketDecider, TicketState } from './ticket.decider';
import { findContract, ticketStreamId } from './ticket.stream';

/** A new ticket's contract as the service desk learnt it from the contracts topic; an attachment's document as uploaded. */
@Injectable()
export class TicketContractLookup implements CommandPreparer<TicketState, CommandInput<TicketCommandToPrepare>, TicketCommand> {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly documents: Documents,
  ) {}

  async prepare(command: CommandInput<TicketCommandToPrepare>, _state: TicketState, context: CommandContext): Promise<CommandInput<TicketCommand>> {
    if (command.type === 'OpenTicket') return { ...command, contract: await findContract(this.db, this.store.schema, command.contractId) };
    if (command.type !== 'AttachTicketDocument') return command;
    // Only what the acting company uploaded itself may be attached.
    if (!context.requester) throw DocumentErrors.notFound(command.document.sha256);
    const [document] = await this.documents.resolve([command.document], context.requester.companyId);
    return { ...command, document };
  }
}

/** Any ticket command: load the ticket stream, look up a new ticket's contract or an attachment's document, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteTicketCommand, Handler: TicketCommandHandler } = aggregateCommands({
  name: 'Ticket',
  decider: ticketDecider,
  streamId: (c) => ticketStreamId(c.ticketId),
  parties: partiesOf,
  preparer: TicketContractLookup,
});
