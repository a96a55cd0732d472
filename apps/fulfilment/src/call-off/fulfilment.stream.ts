import { addQuantities, fold, type Requester } from '@dealledger/domain';
import type { DocumentRef, FulfilmentEvent, Severity } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import type { DataSource } from 'typeorm';
import type { KnownCallOff } from './fulfilment.commands';
import { attachedDocument, fulfilmentDecider, FulfilmentState, payableOn } from './fulfilment.decider';
import { FulfilmentErrors } from './fulfilment.errors';

export const fulfilmentStreamId = (callOffId: string) => `fulfilment-${callOffId}`;

export async function loadFulfilment(store: PostgresEventStore, callOffId: string): Promise<{ state: FulfilmentState; version: number }> {
  const recorded = await store.readStream(fulfilmentStreamId(callOffId));
  const events = recorded.map((r) => ({ type: r.type, data: r.data }) as FulfilmentEvent);
  return { state: fold(fulfilmentDecider, events), version: recorded.length };
}

export async function findCallOff(db: DataSource, schema: string, callOffId: string): Promise<KnownCallOff | null> {
  const rows = await db.query(
    `SELECT o.call_off_id, o.contract_id, o.lines, o.currency, c.buyer_id, c.supplier_id, c.units, c.payment, c.sla_severities, c.status
       FROM "${schema}".order_call_offs o JOIN "${schema}".order_contracts c USING (contract_id) WHERE o.call_off_id = $1`,
    [callOffId],
  );
  const r = rows[0];
  if (!r) return null;
  // A call-off names each sku once; should one ever repeat, its quantities add up.
  const lines = new Map<string, KnownCallOff['lines'][number]>();
  for (const l of r.lines as { sku: string; quantity: string; unitPrice: string }[]) {
    const seen = lines.get(l.sku);
    lines.set(l.sku, seen ? { ...seen, quantity: addQuantities(seen.quantity, l.quantity) } : { ...l, unit: r.units[l.sku] ?? 'H87' });
  }
  return {
    callOffId,
    contractId: r.contract_id,
    buyerId: r.buyer_id,
    supplierId: r.supplier_id,
    currency: r.currency,
    contractStatus: r.status,
    lines: [...lines.values()],
    paymentTerms: r.payment ?? null,
    slaSeverities: r.sla_severities as Severity[],
  };
}

/** The call-off, for one of its two parties; anyone else gets 404. */
function ofParty(callOff: KnownCallOff | null, viewer: Requester, callOffId: string): KnownCallOff {
  if (!callOff || (viewer.companyId !== callOff.buyerId && viewer.companyId !== callOff.supplierId)) throw FulfilmentErrors.callOffNotFound(callOffId);
  return callOff;
}

/**
 * A call-off's fulfilment as its two parties read it: per line what was ordered, dispatched,
 * received, accepted, rejected and invoiced; the deliveries with their documents; the invoices,
 * each flagged overdue when unpaid past its due date. Anyone else gets 404.
 */
export function fulfilmentView(known: KnownCallOff | null, state: FulfilmentState, viewer: Requester, callOffId: string, now: Date) {
  const callOff = ofParty(known, viewer, callOffId);
  const active = state.status === 'active' ? state : null;
  const today = now.toISOString().slice(0, 10);
  return {
    callOffId,
    contractId: callOff.contractId,
    buyerId: callOff.buyerId,
    supplierId: callOff.supplierId,
    currency: callOff.currency,
    contractStatus: callOff.contractStatus,
    paymentTerms: callOff.paymentTerms,
    lines: callOff.lines.map((l) => {
      const p = active?.lines[l.sku];
      return {
        sku: l.sku,
        unit: l.unit,
        ordered: l.quantity,
        contractUnitPrice: l.unitPrice,
        dispatched: p?.dispatched ?? '0',
        inTransit: p?.inTransit ?? '0',
        received: p?.received ?? '0',
        accepted: p?.accepted ?? '0',
        rejected: p?.rejected ?? '0',
        invoiced: p?.invoiced ?? '0',
      };
    }),
    deliveries: Object.values(active?.deliveries ?? {}),
    invoices: Object.values(active?.invoices ?? {}).map((i) => ({
      ...i,
      // Only what the buyer may pay can be overdue: a disputed invoice waits for the supplier's correction.
      overdue: i.status === 'matched' && today > i.dueDate,
      payableToday: i.status === 'matched' ? payableOn(i, today).amount : null,
    })),
  };
}

/** A document a delivery or receipt of the call-off carries, for its two parties (null: none carries it); anyone else gets 404. */
export function callOffDocument(
  callOff: KnownCallOff | null,
  state: FulfilmentState,
  viewer: Requester,
  callOffId: string,
  sha256: string,
): DocumentRef | null {
  ofParty(callOff, viewer, callOffId);
  return attachedDocument(state, sha256);
}
