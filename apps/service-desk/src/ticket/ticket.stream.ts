import { fold } from '@dealledger/domain';
import type { TicketEvent } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import type { DataSource } from 'typeorm';
import type { Requester } from '@dealledger/domain';
import type { KnownContract } from './ticket.commands';
import { ticketDecider, TicketDocument, TicketState } from './ticket.decider';
import { TicketErrors } from './ticket.errors';

export const ticketStreamId = (ticketId: string) => `ticket-${ticketId}`;

export async function loadTicket(
  store: PostgresEventStore,
  ticketId: string,
): Promise<{ state: TicketState; version: number; events: { event: TicketEvent; recordedAt: string }[] }> {
  const recorded = await store.readStream(ticketStreamId(ticketId));
  const events = recorded.map((r) => ({ event: { type: r.type, data: r.data } as TicketEvent, recordedAt: r.recordedAt }));
  return {
    state: fold(
      ticketDecider,
      events.map((e) => e.event),
    ),
    version: recorded.length,
    events,
  };
}

/** One step of a ticket's life as its parties read it: what happened, when, by whom, and what was said. */
export interface TicketStep {
  type: TicketEvent['type'];
  at: string;
  by: string | null;
  details: Record<string, unknown>;
}

/**
 * The ticket's history from its stream: the words each step carried (description, resolution,
 * escalation note, reopening reason, rating) that the ticket's current state keeps no longer, and
 * when each document was attached.
 * An escalation is the supplier's internal step: the buyer learns its level, not its note (as
 * in the relationship timeline).
 */
export function ticketHistory(events: { event: TicketEvent; recordedAt: string }[], viewer: 'buyer' | 'supplier'): TicketStep[] {
  return events.map(({ event, recordedAt }): TicketStep => {
    const step = (by: string | null, details: Record<string, unknown>) => ({ type: event.type, at: recordedAt, by, details });
    switch (event.type) {
      case 'TicketOpened':
        return step(event.data.openedBy, { severity: event.data.severity, sku: event.data.sku, description: event.data.description });
      case 'TicketAcknowledged':
        return step(event.data.by, { withinSla: event.data.withinSla });
      case 'TicketEscalated':
        return step(event.data.by, viewer === 'supplier' ? { level: event.data.level, note: event.data.note } : { level: event.data.level });
      case 'TicketResolved':
        return step(event.data.by, { resolution: event.data.resolution, withinSla: event.data.withinSla });
      case 'TicketReopened':
        return step(event.data.by, { reason: event.data.reason, resolutionDueAt: event.data.resolutionDueAt });
      case 'TicketClosed':
        return step(event.data.by, { satisfaction: event.data.satisfaction, comment: event.data.comment ?? null });
      case 'SlaBreached':
        return step(null, { kind: event.data.kind, dueAt: event.data.dueAt });
      case 'TicketDocumentAttached':
        return step(event.data.attachedBy, { document: event.data.document, attachedByCompany: event.data.attachedByCompany });
    }
  });
}

export async function findContract(db: DataSource, schema: string, contractId: string): Promise<KnownContract | null> {
  const rows = await db.query(`SELECT * FROM "${schema}".service_contracts WHERE contract_id = $1`, [contractId]);
  const r = rows[0];
  return r ? { contractId, buyerId: r.buyer_id, supplierId: r.supplier_id, status: r.status, skus: r.skus, sla: r.sla } : null;
}

/** The two parties see the ticket; anyone else gets 404. */
export function ticketView(state: TicketState, viewer: Requester, ticketId: string) {
  if (state.status === 'none' || (viewer.companyId !== state.buyerId && viewer.companyId !== state.supplierId)) throw TicketErrors.notFound(ticketId);
  const { breaches, ...rest } = state;
  return { ...rest, slaBreaches: breaches.map((b) => ({ kind: b.split('@')[0], dueAt: b.split('@')[1] })) };
}

/** A document attached to the ticket, for its two parties (null: not attached); anyone else gets 404. */
export function ticketDocument(state: TicketState, viewer: Requester, ticketId: string, sha256: string): TicketDocument | null {
  const { documents } = ticketView(state, viewer, ticketId);
  return documents.find((d) => d.sha256 === sha256) ?? null;
}
