import type { DeadlineChange } from '@dealledger/domain';
import type { Severity, SlaKind, TicketEvent } from '@dealledger/events';
import { resolutionClock, responseClock } from '../sla/sla-clock.rules';

export const TICKET_LIST_STATUSES = ['open', 'acknowledged', 'resolved', 'reopened', 'closed'] as const;
export type TicketListStatus = (typeof TICKET_LIST_STATUSES)[number];

/** The two parties of a ticket: the buyer opens it, the supplier answers it. */
export const TICKET_ROLES = ['buyer', 'supplier'] as const;
export type TicketRole = (typeof TICKET_ROLES)[number];

/** What the list keeps of a ticket; one row per ticket. */
export interface TicketListRow {
  ticketId: string;
  contractId: string;
  buyerId: string;
  supplierId: string;
  sku: string;
  severity: Severity;
  status: TicketListStatus;
  description: string;
  openedAt: string;
  /** The deadlines still running, exactly as the SLA clock keeps them: null once met or breached. */
  responseDueAt: string | null;
  resolutionDueAt: string | null;
  escalations: number;
  /** What full-text search finds it by: sku and description. */
  text: string;
}

export interface TicketListUpdate {
  ticketId: string;
  status?: TicketListStatus;
  /** Absent: unchanged; null: no longer running. */
  responseDueAt?: string | null;
  resolutionDueAt?: string | null;
  escalations?: number;
  /** A breach to add to the row's list. */
  breach?: { kind: SlaKind; dueAt: string };
}

/** A deadline as the SLA clock reads the event: absent to keep it, null to clear it, or the new due time. */
const deadline = (c: DeadlineChange): string | null | undefined => (c === 'keep' ? undefined : c === 'clear' || 'clear' in c ? null : c.due);

/**
 * How a ticket event changes its list row (pure, as the decider's evolve; the statuses are the
 * decider's). The open deadlines come from the SLA clock's own rules, so the list never says a
 * deadline runs that the clock no longer watches, or the other way round.
 */
export function ticketListChange(event: TicketEvent): { created: TicketListRow } | { changed: TicketListUpdate } | null {
  if (event.type === 'TicketOpened') {
    const d = event.data;
    return {
      created: {
        ticketId: d.ticketId,
        contractId: d.contractId,
        buyerId: d.buyerId,
        supplierId: d.supplierId,
        sku: d.sku,
        severity: d.severity,
        status: 'open',
        description: d.description,
        openedAt: d.openedAt,
        responseDueAt: d.responseDueAt,
        resolutionDueAt: d.resolutionDueAt,
        escalations: 0,
        text: `${d.sku} ${d.description}`,
      },
    };
  }
  const change: TicketListUpdate = { ticketId: event.data.ticketId };
  const response = deadline(responseClock(event));
  const resolution = deadline(resolutionClock(event));
  if (response !== undefined) change.responseDueAt = response;
  if (resolution !== undefined) change.resolutionDueAt = resolution;
  switch (event.type) {
    case 'TicketAcknowledged':
      return { changed: { ...change, status: 'acknowledged' } };
    case 'TicketEscalated':
      return { changed: { ...change, escalations: event.data.level } };
    case 'TicketResolved':
      return { changed: { ...change, status: 'resolved' } };
    case 'TicketReopened':
      return { changed: { ...change, status: 'reopened' } };
    case 'TicketClosed':
      return { changed: { ...change, status: 'closed' } };
    case 'SlaBreached':
      return { changed: { ...change, breach: { kind: event.data.kind, dueAt: event.data.dueAt } } };
    case 'TicketDocumentAttached':
      // Nothing the list shows, but the ticket moved: its updatedAt follows.
      return { changed: change };
    default:
      return null;
  }
}
