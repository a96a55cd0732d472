import { fold } from '@dealledger/domain';
import type { TicketEvent } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import type { DataSource } from 'typeorm';
import type { Requester } from '@dealledger/domain';
import type { KnownContract } from './ticket.commands';
import { ticketDecider, TicketState } from './ticket.decider';
import { TicketErrors } from './ticket.errors';

export const ticketStreamId = (ticketId: string) => `ticket-${ticketId}`;

export async function loadTicket(store: PostgresEventStore, ticketId: string): Promise<{ state: TicketState; version: number }> {
  const recorded = await store.readStream(ticketStreamId(ticketId));
  return {
    state: fold(
      ticketDecider,
      recorded.map((r) => ({ type: r.type, data: r.data }) as TicketEvent),
    ),
    version: recorded.length,
  };
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
