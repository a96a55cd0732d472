import { DECIMAL_PATTERN } from '@dealledger/domain';
import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, ValidateNested } from 'class-validator';
import type { EventDefinition } from '../catalog';
import { DocumentRef } from '../documents';
import { SEVERITIES, Severity } from '../contracts/contracts.events';
import { IsQuantity, IsQuantityOrZero } from '../offers/quantity.schema';

const DECIMAL = DECIMAL_PATTERN;
/**
 * A UN/ECE Recommendation 20 code (libs/domain/src/units.ts); for a contract recorded before
 * units were checked, its unit as written (up to 32 characters), which no code stands for.
 */
const UNIT = /^\S(?:.{0,30}\S)?$/;
const CURRENCY = /^[A-Z]{3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Every fulfilment event belongs to one call-off: its stream is `fulfilment-<callOffId>`. */
class FulfilmentRef {
  @IsUUID() callOffId: string;
  @IsUUID() contractId: string;
  @IsUUID() buyerId: string;
  @IsUUID() supplierId: string;
}

export class DispatchLine {
  @IsString() sku: string;
  @IsQuantity() quantity: string;
  @Matches(UNIT) unit: string;
  @IsOptional() @IsString() batch: string | null;
  @IsArray() @IsString({ each: true }) serialNumbers: string[];
}

export class DeliveryDispatchedV1 extends FulfilmentRef {
  @IsUUID() deliveryId: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => DispatchLine) lines: DispatchLine[];
  @IsString() carrier: string;
  @IsOptional() @IsString() trackingNumber: string | null;
  @IsISO8601() expectedArrival: string;
  @IsUUID() dispatchedBy: string;
  @IsISO8601() dispatchedAt: string;
  /** The supplier's papers for the delivery: delivery note, material certificates (EN 10204 3.1), CE declaration. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => DocumentRef) documents: DocumentRef[];
}

export class ReceiptLine {
  @IsString() sku: string;
  @Matches(UNIT) unit: string;
  /** What the dispatch advice said, so that quantity accuracy reads from this event alone. */
  @IsQuantity() dispatched: string;
  @IsQuantityOrZero() received: string;
  @IsQuantityOrZero() accepted: string;
  @IsQuantityOrZero() rejected: string;
  @IsOptional() @IsString() reason: string | null;
}

/** A ticket the service desk opens for the rejected goods (the buyer asked for one in the same step). */
export class RejectionTicket {
  @IsIn(SEVERITIES) severity: Severity;
  @IsString() sku: string;
  @IsString() description: string;
}

export class GoodsReceivedV1 extends FulfilmentRef {
  @IsUUID() deliveryId: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => ReceiptLine) lines: ReceiptLine[];
  @IsUUID() receivedBy: string;
  @IsISO8601() receivedAt: string;
  @IsISO8601() expectedArrival: string;
  /** Received on or before the expected day (UTC). */
  @IsBoolean() onTime: boolean;
  @IsOptional() @ValidateNested() @Type(() => RejectionTicket) ticket: RejectionTicket | null;
  /** The buyer's papers for the receipt, such as an inspection report. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => DocumentRef) documents: DocumentRef[];
}

export const MATCH_ISSUES = ['price_above_contract', 'quantity_above_accepted'] as const;
export type MatchIssue = (typeof MATCH_ISSUES)[number];

export class InvoiceLine {
  @IsString() sku: string;
  @Matches(UNIT) unit: string;
  @IsQuantity() quantity: string;
  @Matches(DECIMAL) unitPrice: string;
  /** Percent, e.g. "19" or "7.7". */
  @Matches(DECIMAL) vatRate: string;
  /** quantity x unitPrice, half-up to 4 decimals. */
  @Matches(DECIMAL) net: string;
  @Matches(DECIMAL) vat: string;
  /** The three-way match: the call-off's tier price, and what was received and accepted but not yet invoiced. */
  @Matches(DECIMAL) contractUnitPrice: string;
  @IsQuantityOrZero() acceptedNotInvoiced: string;
  @IsIn(['matched', 'disputed']) match: 'matched' | 'disputed';
  @IsArray() @IsIn(MATCH_ISSUES, { each: true }) issues: MatchIssue[];
  /** Net above what the match allows: (quantity, price) beyond (accepted not invoiced, contract price). */
  @Matches(DECIMAL) difference: string;
}

export class EarlyPayment {
  @Matches(DATE) until: string;
  @Matches(DECIMAL) discountPercent: string;
  @Matches(DECIMAL) discount: string;
  @Matches(DECIMAL) payable: string;
}

export class InvoiceIssuedV1 extends FulfilmentRef {
  @IsUUID() invoiceId: string;
  /** The supplier's own invoice number. */
  @IsString() number: string;
  @Matches(CURRENCY) currency: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => InvoiceLine) lines: InvoiceLine[];
  @Matches(DECIMAL) net: string;
  @Matches(DECIMAL) vat: string;
  @Matches(DECIMAL) gross: string;
  @IsIn(['matched', 'disputed']) status: 'matched' | 'disputed';
  @Matches(DECIMAL) disputedAmount: string;
  @IsUUID() issuedBy: string;
  @IsISO8601() issuedAt: string;
  @Matches(DATE) dueDate: string;
  /** How the due date was set: the contract's payment terms, or stated on the invoice (terms not in a recognised form). */
  @IsIn(['contract', 'invoice']) dueDateFrom: 'contract' | 'invoice';
  @IsOptional() @ValidateNested() @Type(() => EarlyPayment) earlyPayment: EarlyPayment | null;
}

export class InvoiceWithdrawnV1 extends FulfilmentRef {
  @IsUUID() invoiceId: string;
  @IsUUID() withdrawnBy: string;
  @IsString() reason: string;
}

export class InvoicePaidV1 extends FulfilmentRef {
  @IsUUID() invoiceId: string;
  @Matches(DECIMAL) amount: string;
  @Matches(DECIMAL) discountTaken: string;
  @Matches(CURRENCY) currency: string;
  @IsUUID() paidBy: string;
  @IsISO8601() paidAt: string;
  @Matches(DATE) dueDate: string;
  /** Paid after the due date (UTC day). */
  @IsBoolean() late: boolean;
}

type E<T extends string, D> = { type: T; data: D };
export type FulfilmentEvent =
  | E<'DeliveryDispatched', DeliveryDispatchedV1>
  | E<'GoodsReceived', GoodsReceivedV1>
  | E<'InvoiceIssued', InvoiceIssuedV1>
  | E<'InvoiceWithdrawn', InvoiceWithdrawnV1>
  | E<'InvoicePaid', InvoicePaidV1>;

const def = (type: string, schema: new () => object, description: string): EventDefinition => ({
  type,
  schemaVersion: 1,
  context: 'fulfilment',
  schema,
  description,
});

export const FULFILMENT_EVENTS: EventDefinition[] = [
  def(
    'DeliveryDispatched',
    DeliveryDispatchedV1,
    'The supplier dispatched (part of) a call-off: lines with batch and serial numbers, carrier, expected arrival, and the documents that go with it (delivery note, certificates).',
  ),
  def(
    'GoodsReceived',
    GoodsReceivedV1,
    'The buyer received a delivery: per line what arrived, what passed inspection and what was rejected (with a reason); documents such as an inspection report.',
  ),
  def(
    'InvoiceIssued',
    InvoiceIssuedV1,
    'The supplier invoiced call-off lines; each line is three-way matched against the contract price and the accepted quantity.',
  ),
  def('InvoiceWithdrawn', InvoiceWithdrawnV1, 'The supplier withdrew an unpaid invoice (to issue a corrected one).'),
  def('InvoicePaid', InvoicePaidV1, 'The buyer paid a matched invoice, with the early-payment discount when paid in time.'),
];
