import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import type { SlaKind } from '@dealledger/events';
import { PostgresEventStore } from '@dealledger/event-store';
import { slaBreaches } from '@dealledger/telemetry';
import { Clock, DATA_SOURCE, DeadlineScheduler, ScheduledDeadlines } from '@dealledger/platform';
import { ExecuteTicketCommand } from '../ticket.command-handler';
import { RESOLUTION_CLOCK, RESPONSE_CLOCK } from './sla-clock.rules';

export const SLA_CLOCK = Symbol('SLA_CLOCK');

/**
 * SLA clocks that survive restarts: deadlines live in a table kept from the log; when one is
 * due the ticket gets RecordSlaBreach with a command id per ticket, kind and due time, so a
 * breach is recorded once however often (or after however many restarts) the check runs.
 */
@Injectable()
export class SlaClockScheduler extends ScheduledDeadlines {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore, commands: CommandBus, @Inject(SLA_CLOCK) clock: Clock) {
    super(
      new DeadlineScheduler(dataSource, store, {
        rules: [RESPONSE_CLOCK, RESOLUTION_CLOCK],
        clock,
        intervalMs: Number(process.env.SLA_CHECK_INTERVAL_MS ?? 15000),
        onDue: async (kind, streamId, due, now) => {
          const ticketId = streamId.slice('ticket-'.length);
          const recorded = await commands.execute(
            new ExecuteTicketCommand(
              { type: 'RecordSlaBreach', ticketId, kind: kind as SlaKind },
              { commandId: `sla-breach:${ticketId}:${kind}:${due}`, now, requester: null, correlationId: ticketId },
            ),
          );
          // Counted once: a check that runs again finds the breach recorded (replayed).
          if (!recorded.replayed) for (const e of recorded.events) if (e.type === 'SlaBreached') slaBreaches.inc({ kind: e.data.kind });
        },
      }),
    );
  }
}
