import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import type { EventDefinition } from '../catalog';
import { SEVERITIES, Severity } from '../contracts/contracts.events';
import { DocumentRef } from '../documents';

export const SLA_KINDS = ['response', 'resolution'] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

class TicketRef {
  @IsUUID() ticketId: string;
  @IsUUID() contractId: string;
  @IsUUID() buyerId: string;
  @IsUUID() supplierId: string;
}

export class TicketOpenedV1 extends TicketRef {
  @IsString() sku: string;
  @IsIn(SEVERITIES) severity: Severity;
  @IsString() description: string;
  @IsUUID() openedBy: string;
  @IsISO8601() openedAt: string;
  /** Deadlines from the contract's SLA for this severity. */
  @IsISO8601() responseDueAt: string;
  @IsISO8601() resolutionDueAt: string;
}

export class TicketAcknowledgedV1 extends TicketRef {
  @IsUUID() by: string;
  @IsISO8601() at: string;
  @IsBoolean() withinSla: boolean;
}

export class TicketEscalatedV1 extends TicketRef {
  @IsUUID() by: string;
  @IsInt() @Min(1) level: number;
  @IsString() note: string;
}

export class TicketResolvedV1 extends TicketRef {
  @IsUUID() by: string;
  @IsISO8601() at: string;
  @IsString() resolution: string;
  @IsBoolean() withinSla: boolean;
}

export class TicketReopenedV1 extends TicketRef {
  @IsUUID() by: string;
  @IsString() reason: string;
  @IsISO8601() resolutionDueAt: string;
}

export class TicketClosedV1 extends TicketRef {
  @IsUUID() by: string;
  @IsInt() @Min(1) @Max(5) satisfaction: number;
  @IsOptional() @IsString() comment: string | null;
}

export class SlaBreachedV1 extends TicketRef {
  @IsIn(SLA_KINDS) kind: SlaKind;
  @IsIn(SEVERITIES) severity: Severity;
  @IsISO8601() dueAt: string;
  @IsISO8601() detectedAt: string;
}

/** Evidence on a ticket (photos, logs, an inspection report), attached by a person of either party. */
export class TicketDocumentAttachedV1 extends TicketRef {
  @ValidateNested() @Type(() => DocumentRef) document: DocumentRef;
  @IsUUID() attachedBy: string;
  @IsUUID() attachedByCompany: string;
}

type E<T extends string, D> = { type: T; data: D };
export type TicketEvent =
  | E<'TicketOpened', TicketOpenedV1>
  | E<'TicketAcknowledged', TicketAcknowledgedV1>
  | E<'TicketEscalated', TicketEscalatedV1>
  | E<'TicketResolved', TicketResolvedV1>
  | E<'TicketReopened', TicketReopenedV1>
  | E<'TicketClosed', TicketClosedV1>
  | E<'SlaBreached', SlaBreachedV1>
  | E<'TicketDocumentAttached', TicketDocumentAttachedV1>;

const def = (type: string, schema: new () => object, description: string): EventDefinition => ({
  type,
  schemaVersion: 1,
  context: 'service-desk',
  schema,
  description,
});

export const SERVICE_DESK_EVENTS: EventDefinition[] = [
  def('TicketOpened', TicketOpenedV1, "The buyer opened a service ticket under an executed contract; SLA deadlines from the contract's terms."),
  def('TicketAcknowledged', TicketAcknowledgedV1, "The supplier's first response."),
  def('TicketEscalated', TicketEscalatedV1, 'The supplier escalated the ticket.'),
  def('TicketResolved', TicketResolvedV1, 'The supplier resolved the ticket.'),
  def('TicketReopened', TicketReopenedV1, 'The buyer reopened a resolved ticket; a new resolution deadline runs.'),
  def('TicketClosed', TicketClosedV1, 'The buyer closed the ticket with a satisfaction score 1-5.'),
  def('SlaBreached', SlaBreachedV1, 'A response or resolution deadline passed without the matching event.'),
  def(
    'TicketDocumentAttached',
    TicketDocumentAttachedV1,
    'A person of the buyer or the supplier attached a document (evidence: photos, logs, a report) to a ticket not yet closed.',
  ),
];
