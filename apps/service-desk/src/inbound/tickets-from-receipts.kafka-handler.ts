import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import { uuidV5 } from '@dealledger/domain';
import type { EventEnvelope, GoodsReceivedV1 } from '@dealledger/events';
import { ExecuteTicketCommand } from '../ticket/ticket.command-handler';

/** The ticket a receipt asked for: one per GoodsReceived, so a redelivery cannot open a second. */
export const ticketIdForReceipt = (eventId: string) => uuidV5(`ticket:receipt:${eventId}`);

/** The buyer's words, then what the receipt recorded about the rejected line, so the supplier reads the ticket alone. */
export function rejectionTicketDescription(d: GoodsReceivedV1, ticket: { sku: string; description: string }): string {
  const line = d.lines.find((l) => l.sku === ticket.sku);
  const rejected = line ? `${line.rejected} ${line.unit} of ${ticket.sku} rejected (reason: ${line.reason ?? 'none given'})` : `${ticket.sku} rejected`;
  return `${ticket.description}\n\nAt receipt of delivery ${d.deliveryId}: ${rejected}.`;
}

/** GoodsReceived with a ticket -> OpenTicket, as the receiving buyer person would have opened it with POST /tickets. */
@Injectable()
export class OpenTicketWhenGoodsReceived {
  constructor(private readonly commands: CommandBus) {}

  async handle(event: EventEnvelope<GoodsReceivedV1>, tx: EntityManager): Promise<void> {
    const d = event.data;
    if (!d.ticket) return;
    await this.commands.execute(
      new ExecuteTicketCommand(
        {
          type: 'OpenTicket',
          ticketId: ticketIdForReceipt(event.id),
          contractId: d.contractId,
          sku: d.ticket.sku,
          severity: d.ticket.severity,
          description: rejectionTicketDescription(d, d.ticket),
        },
        // The receipt's own time: the SLA clocks run from when the buyer asked, not from when this consumer got to it.
        {
          commandId: `open-ticket:${event.id}`,
          now: new Date(event.occurredAt),
          requester: { companyId: d.buyerId, personId: d.receivedBy, roles: [] },
          correlationId: event.correlationId,
          causationId: event.id,
        },
        tx.queryRunner,
      ),
    );
  }
}
