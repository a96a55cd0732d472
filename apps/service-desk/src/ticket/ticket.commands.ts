import type { DocumentRef, Severity, SlaKind } from '@dealledger/events';
import type { Requester } from '@dealledger/domain';

/** A contract as the service desk learnt it from dealledger.contracts.events. */
export interface KnownContract {
  contractId: string;
  buyerId: string;
  supplierId: string;
  status: string;
  skus: string[];
  sla: { severity: Severity; responseHours: number; resolutionHours: number }[];
}

interface Base {
  ticketId: string;
  requester: Requester;
  now: Date;
}

export type OpenTicket = Base & {
  type: 'OpenTicket';
  contractId: string;
  contract: KnownContract | null;
  sku: string;
  severity: Severity;
  description: string;
};
export type AcknowledgeTicket = Base & { type: 'AcknowledgeTicket' };
export type EscalateTicket = Base & { type: 'EscalateTicket'; note: string };
export type ResolveTicket = Base & { type: 'ResolveTicket'; resolution: string };
export type ReopenTicket = Base & { type: 'ReopenTicket'; reason: string };
export type CloseTicket = Base & { type: 'CloseTicket'; satisfaction: number; comment: string | null };
/** Evidence, by a person of either party, while the ticket is not closed. */
export type AttachTicketDocument = Base & { type: 'AttachTicketDocument'; document: DocumentRef };
/** Issued by the SLA clock when a deadline is due. */
export type RecordSlaBreach = { type: 'RecordSlaBreach'; ticketId: string; kind: SlaKind; now: Date };

export type TicketCommand =
  OpenTicket | AcknowledgeTicket | EscalateTicket | ResolveTicket | ReopenTicket | CloseTicket | AttachTicketDocument | RecordSlaBreach;

/** An OpenTicket as sent: the handler looks up the contract it names. */
export type OpenTicketUnresolved = Omit<OpenTicket, 'contract'>;
/** An AttachTicketDocument as sent: a document the acting company uploaded, by hash, and the name to attach it under. */
export type AttachTicketDocumentUnresolved = Omit<AttachTicketDocument, 'document'> & { document: { sha256: string; name: string } };
/** What callers send; the handler prepares it into a TicketCommand. */
export type TicketCommandToPrepare = Exclude<TicketCommand, OpenTicket | AttachTicketDocument> | OpenTicketUnresolved | AttachTicketDocumentUnresolved;
