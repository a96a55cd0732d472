import { aggregateCommands } from '@dealledger/platform';
import { partiesOf, ticketDecider } from './ticket.decider';
import { ticketStreamId } from './ticket.stream';

/** Any ticket command: load the ticket stream, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteTicketCommand, Handler: TicketCommandHandler } = aggregateCommands({
  name: 'Ticket',
  decider: ticketDecider,
  streamId: (c) => ticketStreamId(c.ticketId),
  parties: partiesOf,
});
