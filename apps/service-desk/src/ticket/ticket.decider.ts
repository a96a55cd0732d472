import type { Decider } from '@dealledger/domain';
import type { DocumentRef, SlaKind, TicketEvent, TicketOpenedV1 } from '@dealledger/events';
import type { Requester } from '@dealledger/domain';
import type {
  AcknowledgeTicket,
  AttachTicketDocument,
  CloseTicket,
  EscalateTicket,
  OpenTicket,
  RecordSlaBreach,
  ReopenTicket,
  ResolveTicket,
  TicketCommand,
} from './ticket.commands';
import { TicketErrors } from './ticket.errors';

/** A document on the ticket, with the person and company that attached it. */
export type TicketDocument = DocumentRef & { attachedBy: string; attachedByCompany: string };

/** At most this many documents on one ticket. */
export const MAX_TICKET_DOCUMENTS = 20;

interface Facts extends TicketOpenedV1 {
  resolutionHours: number;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  escalations: number;
  reopenings: number;
  /** `kind@dueAt` of every breach recorded, so each deadline breaches once. */
  breaches: string[];
  documents: TicketDocument[];
}

export type TicketState =
  { status: 'none' } | (Facts & { status: 'open' | 'acknowledged' | 'resolved' | 'reopened' }) | (Facts & { status: 'closed'; satisfaction: number });

export const initialState: TicketState = { status: 'none' };

export function evolve(state: TicketState, event: TicketEvent): TicketState {
  if (event.type === 'TicketOpened') {
    const hours = (Date.parse(event.data.resolutionDueAt) - Date.parse(event.data.openedAt)) / 3600000;
    return {
      status: 'open',
      ...event.data,
      resolutionHours: hours,
      acknowledgedAt: null,
      resolvedAt: null,
      escalations: 0,
      reopenings: 0,
      breaches: [],
      documents: [],
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'TicketAcknowledged':
      return { ...state, status: 'acknowledged', acknowledgedAt: event.data.at };
    case 'TicketEscalated':
      return { ...state, escalations: event.data.level };
    case 'TicketResolved':
      return { ...state, status: 'resolved', resolvedAt: event.data.at };
    case 'TicketReopened':
      return { ...state, status: 'reopened', resolvedAt: null, resolutionDueAt: event.data.resolutionDueAt, reopenings: state.reopenings + 1 };
    case 'TicketClosed':
      return { ...state, status: 'closed', satisfaction: event.data.satisfaction };
    case 'SlaBreached':
      return { ...state, breaches: [...state.breaches, `${event.data.kind}@${event.data.dueAt}`] };
    case 'TicketDocumentAttached': {
      const { document, attachedBy, attachedByCompany } = event.data;
      return { ...state, documents: [...state.documents, { ...document, attachedBy, attachedByCompany }] };
    }
  }
}

type Existing = Exclude<TicketState, { status: 'none' }>;
const ref = (s: Facts) => ({ ticketId: s.ticketId, contractId: s.contractId, buyerId: s.buyerId, supplierId: s.supplierId });

function visible(state: TicketState, id: string, r: Requester): Existing {
  if (state.status === 'none' || (r.companyId !== state.buyerId && r.companyId !== state.supplierId)) throw TicketErrors.notFound(id);
  return state;
}
function person(r: Requester): string {
  if (!r.personId) throw TicketErrors.personRequired();
  return r.personId;
}
function side(s: Existing, r: Requester, who: 'buyer' | 'supplier', action: string): string {
  if (who === 'buyer' && r.companyId !== s.buyerId) throw TicketErrors.buyerOnly(action);
  if (who === 'supplier' && r.companyId !== s.supplierId) throw TicketErrors.supplierOnly(action);
  return person(r);
}
function expect(s: Existing, action: string, ...statuses: Existing['status'][]): void {
  if (!statuses.includes(s.status)) throw TicketErrors.invalidTransition(action, s.status);
}
const plusHours = (at: Date, hours: number) => new Date(at.getTime() + hours * 3600000).toISOString();

function open(c: OpenTicket, state: TicketState): TicketEvent[] {
  if (state.status !== 'none') throw TicketErrors.alreadyOpened(c.ticketId);
  const contract = c.contract;
  if (!contract || (c.requester.companyId !== contract.buyerId && c.requester.companyId !== contract.supplierId))
    throw TicketErrors.contractNotFound(c.contractId);
  if (c.requester.companyId !== contract.buyerId) throw TicketErrors.buyerOnly('open');
  const by = person(c.requester);
  if (contract.status !== 'executed') throw TicketErrors.contractNotInForce(c.contractId);
  if (!contract.skus.includes(c.sku)) throw TicketErrors.unknownItem(c.sku);
  const sla = contract.sla.find((s) => s.severity === c.severity);
  if (!sla) throw TicketErrors.noSla(c.severity);
  return [
    {
      type: 'TicketOpened',
      data: {
        ticketId: c.ticketId,
        contractId: contract.contractId,
        buyerId: contract.buyerId,
        supplierId: contract.supplierId,
        sku: c.sku,
        severity: c.severity,
        description: c.description,
        openedBy: by,
        openedAt: c.now.toISOString(),
        responseDueAt: plusHours(c.now, sla.responseHours),
        resolutionDueAt: plusHours(c.now, sla.resolutionHours),
      },
    },
  ];
}

function acknowledge(c: AcknowledgeTicket, state: TicketState): TicketEvent[] {
  const s = visible(state, c.ticketId, c.requester);
  const by = side(s, c.requester, 'supplier', 'acknowledge');
  expect(s, 'acknowledge', 'open');
  const at = c.now.toISOString();
  return [{ type: 'TicketAcknowledged', data: { ...ref(s), by, at, withinSla: c.now.getTime() <= Date.parse(s.responseDueAt) } }];
}

function escalate(c: EscalateTicket, state: TicketState): TicketEvent[] {
  const s = visible(state, c.ticketId, c.requester);
  const by = side(s, c.requester, 'supplier', 'escalate');
  expect(s, 'escalate', 'open', 'acknowledged', 'reopened');
  return [{ type: 'TicketEscalated', data: { ...ref(s), by, level: s.escalations + 1, note: c.note } }];
}

function resolve(c: ResolveTicket, state: TicketState): TicketEvent[] {
  const s = visible(state, c.ticketId, c.requester);
  const by = side(s, c.requester, 'supplier', 'resolve');
  expect(s, 'resolve', 'acknowledged', 'reopened');
  return [
    {
      type: 'TicketResolved',
      data: { ...ref(s), by, at: c.now.toISOString(), resolution: c.resolution, withinSla: c.now.getTime() <= Date.parse(s.resolutionDueAt) },
    },
  ];
}

function reopen(c: ReopenTicket, state: TicketState): TicketEvent[] {
  const s = visible(state, c.ticketId, c.requester);
  const by = side(s, c.requester, 'buyer', 'reopen');
  expect(s, 'reopen', 'resolved');
  return [{ type: 'TicketReopened', data: { ...ref(s), by, reason: c.reason, resolutionDueAt: plusHours(c.now, s.resolutionHours) } }];
}

function close(c: CloseTicket, state: TicketState): TicketEvent[] {
  const s = visible(state, c.ticketId, c.requester);
  const by = side(s, c.requester, 'buyer', 'close');
  expect(s, 'close', 'resolved');
  if (!Number.isInteger(c.satisfaction) || c.satisfaction < 1 || c.satisfaction > 5) throw TicketErrors.satisfaction();
  return [{ type: 'TicketClosed', data: { ...ref(s), by, satisfaction: c.satisfaction, comment: c.comment } }];
}

/**
 * Evidence from either side until the ticket is closed. The same content twice is refused, not
 * ignored: the name it came with would be dropped silently (a retry has its Idempotency-Key).
 */
function attach(c: AttachTicketDocument, state: TicketState): TicketEvent[] {
  const s = visible(state, c.ticketId, c.requester);
  const by = person(c.requester);
  if (s.status === 'closed') throw TicketErrors.invalidTransition('attach a document to', s.status);
  if (s.documents.some((d) => d.sha256 === c.document.sha256)) throw TicketErrors.documentAlreadyAttached(c.document.sha256);
  if (s.documents.length >= MAX_TICKET_DOCUMENTS) throw TicketErrors.tooManyDocuments(MAX_TICKET_DOCUMENTS);
  return [{ type: 'TicketDocumentAttached', data: { ...ref(s), document: c.document, attachedBy: by, attachedByCompany: c.requester.companyId } }];
}

/** Due, unmet and not yet recorded: the clock's check. Each deadline breaches at most once. */
function breach(c: RecordSlaBreach, state: TicketState): TicketEvent[] {
  if (state.status === 'none') throw TicketErrors.notFound(c.ticketId);
  const kind: SlaKind = c.kind;
  const dueAt = kind === 'response' ? state.responseDueAt : state.resolutionDueAt;
  if (c.now.getTime() < Date.parse(dueAt)) throw TicketErrors.notDue(kind, dueAt);
  const met = kind === 'response' ? state.acknowledgedAt !== null || state.status !== 'open' : state.status === 'resolved' || state.status === 'closed';
  if (met) throw TicketErrors.slaMet(kind);
  if (state.breaches.includes(`${kind}@${dueAt}`)) throw TicketErrors.alreadyBreached(kind);
  return [{ type: 'SlaBreached', data: { ...ref(state), kind, severity: state.severity, dueAt, detectedAt: c.now.toISOString() } }];
}

export function decide(command: TicketCommand, state: TicketState): TicketEvent[] {
  switch (command.type) {
    case 'OpenTicket':
      return open(command, state);
    case 'AcknowledgeTicket':
      return acknowledge(command, state);
    case 'EscalateTicket':
      return escalate(command, state);
    case 'ResolveTicket':
      return resolve(command, state);
    case 'ReopenTicket':
      return reopen(command, state);
    case 'CloseTicket':
      return close(command, state);
    case 'AttachTicketDocument':
      return attach(command, state);
    case 'RecordSlaBreach':
      return breach(command, state);
  }
}

export const ticketDecider: Decider<TicketState, TicketCommand, TicketEvent> = { initialState, evolve, decide };

export function partiesOf(event: TicketEvent): string[] {
  return [event.data.buyerId, event.data.supplierId];
}
