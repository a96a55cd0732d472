import type { TicketEvent } from '@dealledger/events';
import type { DeadlineChange, DeadlineRule } from '@dealledger/domain';

/** The response clock runs from opening until the first response (or a breach is recorded). */
export function responseClock(event: TicketEvent): DeadlineChange {
  switch (event.type) {
    case 'TicketOpened':
      return { due: event.data.responseDueAt };
    case 'TicketAcknowledged':
    case 'TicketResolved':
    case 'TicketClosed':
      return 'clear';
    case 'SlaBreached':
      return event.data.kind === 'response' ? 'clear' : 'keep';
    default:
      return 'keep';
  }
}

/** The resolution clock runs from opening (and again from a reopening) until resolved. */
export function resolutionClock(event: TicketEvent): DeadlineChange {
  switch (event.type) {
    case 'TicketOpened':
    case 'TicketReopened':
      return { due: event.data.resolutionDueAt };
    case 'TicketResolved':
    case 'TicketClosed':
      return 'clear';
    case 'SlaBreached':
      return event.data.kind === 'resolution' ? 'clear' : 'keep';
    default:
      return 'keep';
  }
}

export const RESPONSE_CLOCK: DeadlineRule = { kind: 'response', streamType: 'ticket', change: (e) => responseClock(e as TicketEvent) };
export const RESOLUTION_CLOCK: DeadlineRule = { kind: 'resolution', streamType: 'ticket', change: (e) => resolutionClock(e as TicketEvent) };
