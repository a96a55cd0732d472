import { DECIMAL_PATTERN, parsePaymentTerms } from '@dealledger/domain';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import type { EventDefinition, Upcaster } from '../catalog';
import { DocumentRef } from '../documents';
import { PriceTier, PriceTierV2 } from '../offers/offers.events';
import { eachObject, IsQuantity, IsQuantityOrZero, withDecimalQuantities, withDecimalTierMinimums } from '../offers/quantity.schema';

const DECIMAL = DECIMAL_PATTERN;
const HASH = /^[0-9a-f]{64}$/;

export const SEVERITIES = ['critical', 'major', 'minor'] as const;
export type Severity = (typeof SEVERITIES)[number];

export class ContractItem {
  @IsString() sku: string;
  @IsString() description: string;
  @IsString() unit: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => PriceTier) tiers: PriceTier[];
  /** Volume the buyer committed to (the accepted or awarded quantity). */
  @IsInt() @Min(0) committedVolume: number;
  /** Most that may be called off under the contract; null: no ceiling. */
  @IsOptional() @IsInt() @Min(1) ceiling: number | null;
}

/** Hours may be fractional (0.5 = 30 minutes). */
export class SlaTerm {
  @IsIn(SEVERITIES) severity: Severity;
  @IsNumber() @Min(0.001) responseHours: number;
  @IsNumber() @Min(0.001) resolutionHours: number;
}

export class RequiredSignature {
  @IsUUID() companyId: string;
  @IsString() role: string;
}

/** Everything the signatures bind to; `termsHash` is the sha256 of its canonical JSON. */
export class ContractTerms {
  @IsUUID() buyerId: string;
  @IsUUID() supplierId: string;
  @IsOptional() @IsUUID() intermediaryId: string | null;
  @Matches(/^[A-Z]{3}$/) currency: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => ContractItem) items: ContractItem[];
  @IsISO8601() startDate: string;
  @IsISO8601() endDate: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => SlaTerm) sla: SlaTerm[];
  @IsString() governingLaw: string;
  @IsString() paymentTerms: string;
  @IsString() deliveryTerms: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => RequiredSignature) requiredSignatures: RequiredSignature[];
  /** Four-eyes rule: distinct people for distinct required roles of one company. Absent means true. */
  @IsOptional() @IsBoolean() fourEyes?: boolean;
}

export class ContractOrigin {
  @IsIn(['offer', 'tender']) kind: 'offer' | 'tender';
  @IsUUID() id: string;
  /** The origin event (OfferAccepted / TenderAwarded) the contract was drafted from. */
  @IsUUID() eventId: string;
}

class ContractRef {
  @IsUUID() contractId: string;
  @IsUUID() buyerId: string;
  @IsUUID() supplierId: string;
}

export class ContractDraftedV1 extends ContractRef {
  @ValidateNested() @Type(() => ContractOrigin) origin: ContractOrigin;
  @ValidateNested() @Type(() => ContractTerms) terms: ContractTerms;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
}

export class ContractAmendedV1 extends ContractRef {
  @IsUUID() amendedByCompany: string;
  @IsOptional() @IsUUID() amendedBy: string | null;
  @IsString() note: string;
  /** Names of the terms that changed. */
  @IsArray() @IsString({ each: true }) changed: string[];
  @ValidateNested() @Type(() => ContractTerms) terms: ContractTerms;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
  /** Signatures on the earlier terms, no longer valid. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => RequiredSignature) voidedSignatures: RequiredSignature[];
}

export class ContractSignedV1 extends ContractRef {
  @IsUUID() companyId: string;
  @IsUUID() personId: string;
  @IsString() role: string;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
  @IsISO8601() signedAt: string;
}

export class Signature {
  @IsUUID() companyId: string;
  @IsUUID() personId: string;
  @IsString() role: string;
  @IsISO8601() signedAt: string;
}

export class ContractExecutedV1 extends ContractRef {
  @IsOptional() @IsUUID() intermediaryId: string | null;
  @ValidateNested() @Type(() => ContractOrigin) origin: ContractOrigin;
  @ValidateNested() @Type(() => ContractTerms) terms: ContractTerms;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Signature) signatures: Signature[];
  /** Sum of committed volume at the committed tier prices. */
  @Matches(DECIMAL) contractValue: string;
  @IsISO8601() executedAt: string;
}

export class CallOffLine {
  @IsString() sku: string;
  @IsInt() @Min(1) quantity: number;
  /** Tier price at the cumulative volume called off including this call-off. */
  @Matches(DECIMAL) unitPrice: string;
  @IsInt() @Min(1) tierMinQuantity: number;
  @Matches(DECIMAL) lineTotal: string;
  @IsInt() @Min(1) cumulativeQuantity: number;
}

export class CallOffPlacedV1 extends ContractRef {
  @IsUUID() callOffId: string;
  @IsOptional() @IsUUID() placedBy: string | null;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => CallOffLine) lines: CallOffLine[];
  @Matches(DECIMAL) total: string;
  @Matches(/^[A-Z]{3}$/) currency: string;
  @IsISO8601() placedAt: string;
}

export class ContractRenewalProposedV1 extends ContractRef {
  @IsISO8601() newEndDate: string;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
  @IsUUID() proposedByCompany: string;
}

export class ContractRenewedV1 extends ContractRef {
  @IsISO8601() endDate: string;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Signature) signatures: Signature[];
}

export class ContractTerminatedV1 extends ContractRef {
  @IsUUID() terminatedByCompany: string;
  @IsUUID() terminatedBy: string;
  @IsString() reason: string;
}

export class ContractExpiredV1 extends ContractRef {
  @IsISO8601() endDate: string;
}

// ---- version 2: quantities are exact decimal strings ("2.5" tonnes, "1200" pieces) ----

export class ContractItemV2 {
  @IsString() sku: string;
  @IsString() description: string;
  @IsString() unit: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => PriceTierV2) tiers: PriceTierV2[];
  /** Volume the buyer committed to (the accepted or awarded quantity). */
  @IsQuantityOrZero() committedVolume: string;
  /** Most that may be called off under the contract; null: no ceiling. */
  @IsOptional() @IsQuantity() ceiling: string | null;
}

/** Everything the signatures bind to; `termsHash` is the sha256 of its canonical JSON. */
export class ContractTermsV2 {
  @IsUUID() buyerId: string;
  @IsUUID() supplierId: string;
  @IsOptional() @IsUUID() intermediaryId: string | null;
  @Matches(/^[A-Z]{3}$/) currency: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => ContractItemV2) items: ContractItemV2[];
  @IsISO8601() startDate: string;
  @IsISO8601() endDate: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => SlaTerm) sla: SlaTerm[];
  @IsString() governingLaw: string;
  @IsString() paymentTerms: string;
  @IsString() deliveryTerms: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => RequiredSignature) requiredSignatures: RequiredSignature[];
  /** Four-eyes rule: distinct people for distinct required roles of one company. Absent means true. */
  @IsOptional() @IsBoolean() fourEyes?: boolean;
}

/**
 * `termsHash` stays what was signed: the hash of the terms as recorded. Terms recorded at
 * version 1 hash with integer quantities, so a hash is never recomputed from upcast terms.
 */
export class ContractDraftedV2 extends ContractRef {
  @ValidateNested() @Type(() => ContractOrigin) origin: ContractOrigin;
  @ValidateNested() @Type(() => ContractTermsV2) terms: ContractTermsV2;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
}

export class ContractAmendedV2 extends ContractRef {
  @IsUUID() amendedByCompany: string;
  @IsOptional() @IsUUID() amendedBy: string | null;
  @IsString() note: string;
  /** Names of the terms that changed. */
  @IsArray() @IsString({ each: true }) changed: string[];
  @ValidateNested() @Type(() => ContractTermsV2) terms: ContractTermsV2;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
  /** Signatures on the earlier terms, no longer valid. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => RequiredSignature) voidedSignatures: RequiredSignature[];
}

export class ContractExecutedV2 extends ContractRef {
  @IsOptional() @IsUUID() intermediaryId: string | null;
  @ValidateNested() @Type(() => ContractOrigin) origin: ContractOrigin;
  @ValidateNested() @Type(() => ContractTermsV2) terms: ContractTermsV2;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Signature) signatures: Signature[];
  /** Sum of committed volume at the committed tier prices (each line rounded half-up to 4 decimals). */
  @Matches(DECIMAL) contractValue: string;
  @IsISO8601() executedAt: string;
}

export class CallOffLineV2 {
  @IsString() sku: string;
  @IsQuantity() quantity: string;
  /** Tier price at the cumulative volume called off including this call-off. */
  @Matches(DECIMAL) unitPrice: string;
  @IsQuantity() tierMinQuantity: string;
  /** quantity x unitPrice, rounded half-up to 4 decimals. */
  @Matches(DECIMAL) lineTotal: string;
  @IsQuantity() cumulativeQuantity: string;
}

export class CallOffPlacedV2 extends ContractRef {
  @IsUUID() callOffId: string;
  @IsOptional() @IsUUID() placedBy: string | null;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => CallOffLineV2) lines: CallOffLineV2[];
  @Matches(DECIMAL) total: string;
  @Matches(/^[A-Z]{3}$/) currency: string;
  @IsISO8601() placedAt: string;
}

// ---- version 3: documents attached to the contract are part of its terms ----

/**
 * Everything the signatures bind to, the attached documents (by their sha256) included: a
 * changed document changes the terms hash and voids the signatures like any amendment.
 */
/** An early-payment discount: `discountPercent` % off when paid within `days` of the invoice. */
export class EarlyPaymentTerm {
  @IsInt() @Min(0) @Max(365) days: number;
  @Matches(DECIMAL) discountPercent: string;
}

/** Payment terms as invoices apply them: due `daysNet` days after the invoice, less a discount when paid early. */
export class PaymentTermsV3 {
  @IsInt() @Min(0) @Max(365) daysNet: number;
  @IsOptional() @ValidateNested() @Type(() => EarlyPaymentTerm) earlyPayment: EarlyPaymentTerm | null;
}

export class ContractTermsV3 extends ContractTermsV2 {
  /** Specifications, certificates and the like the parties agreed on; none on terms recorded before version 3. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => DocumentRef) documents: DocumentRef[];
  /**
   * `paymentTerms` structured: what fulfilment computes due dates and discounts from. Null when
   * the text is not in a form the ledger reads (then each invoice states its due date).
   */
  @IsOptional() @ValidateNested() @Type(() => PaymentTermsV3) payment: PaymentTermsV3 | null;
}

/** `termsHash` stays what was signed: terms recorded before version 3 hash without `documents`. */
export class ContractDraftedV3 extends ContractRef {
  @ValidateNested() @Type(() => ContractOrigin) origin: ContractOrigin;
  @ValidateNested() @Type(() => ContractTermsV3) terms: ContractTermsV3;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
}

export class ContractAmendedV3 extends ContractRef {
  @IsUUID() amendedByCompany: string;
  @IsOptional() @IsUUID() amendedBy: string | null;
  @IsString() note: string;
  /** Names of the terms that changed. */
  @IsArray() @IsString({ each: true }) changed: string[];
  @ValidateNested() @Type(() => ContractTermsV3) terms: ContractTermsV3;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
  /** Signatures on the earlier terms, no longer valid. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => RequiredSignature) voidedSignatures: RequiredSignature[];
}

export class ContractExecutedV3 extends ContractRef {
  @IsOptional() @IsUUID() intermediaryId: string | null;
  @ValidateNested() @Type(() => ContractOrigin) origin: ContractOrigin;
  @ValidateNested() @Type(() => ContractTermsV3) terms: ContractTermsV3;
  @IsInt() @Min(1) termsVersion: number;
  @Matches(HASH) termsHash: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Signature) signatures: Signature[];
  /** Sum of committed volume at the committed tier prices (each line rounded half-up to 4 decimals). */
  @Matches(DECIMAL) contractValue: string;
  @IsISO8601() executedAt: string;
}

type E<T extends string, D> = { type: T; data: D };
export type ContractEvent =
  | E<'ContractDrafted', ContractDraftedV3>
  | E<'ContractAmended', ContractAmendedV3>
  | E<'ContractSigned', ContractSignedV1>
  | E<'ContractExecuted', ContractExecutedV3>
  | E<'CallOffPlaced', CallOffPlacedV2>
  | E<'ContractRenewalProposed', ContractRenewalProposedV1>
  | E<'ContractRenewed', ContractRenewedV1>
  | E<'ContractTerminated', ContractTerminatedV1>
  | E<'ContractExpired', ContractExpiredV1>;

const def = (type: string, schema: new () => object, description: string, schemaVersion = 1): EventDefinition => ({
  type,
  schemaVersion,
  context: 'contracts',
  schema,
  description,
});
const DECIMAL_QUANTITIES =
  ' Version 2: quantities (tier minimums, committed volumes, ceilings, call-off lines) are exact decimal strings (version 1: integers).';
const DOCUMENTS =
  ' Version 3: the terms name their documents (terms.documents, by sha256), which the terms hash covers; changing them voids the signatures (version 2: none).';

export const CONTRACTS_EVENTS: EventDefinition[] = [
  def('ContractDrafted', ContractDraftedV1, 'A contract was drafted from an accepted offer or an awarded tender.'),
  def('ContractAmended', ContractAmendedV1, 'A party amended the draft terms; earlier signatures are void.'),
  def('ContractSigned', ContractSignedV1, 'A person holding a required role signed the current terms (by hash).'),
  def('ContractExecuted', ContractExecutedV1, 'Every required signature is on the current terms: the contract is in force.'),
  def('CallOffPlaced', CallOffPlacedV1, 'The buyer ordered quantities; each priced at the tier of the cumulative volume.'),
  def('ContractRenewalProposed', ContractRenewalProposedV1, 'A party proposed a new end date, to be signed again by the same roles.'),
  def('ContractRenewed', ContractRenewedV1, 'Every required role signed the renewal: the contract runs to its new end date.'),
  def('ContractTerminated', ContractTerminatedV1, "A party's executive terminated the contract, with a reason."),
  def('ContractExpired', ContractExpiredV1, 'The contract reached its end date.'),
  def('ContractDrafted', ContractDraftedV2, 'A contract was drafted from an accepted offer or an awarded tender.' + DECIMAL_QUANTITIES, 2),
  def('ContractAmended', ContractAmendedV2, 'A party amended the draft terms; earlier signatures are void.' + DECIMAL_QUANTITIES, 2),
  def('ContractExecuted', ContractExecutedV2, 'Every required signature is on the current terms: the contract is in force.' + DECIMAL_QUANTITIES, 2),
  def('CallOffPlaced', CallOffPlacedV2, 'The buyer ordered quantities; each priced at the tier of the cumulative volume.' + DECIMAL_QUANTITIES, 2),
  def('ContractDrafted', ContractDraftedV3, 'A contract was drafted from an accepted offer or an awarded tender.' + DECIMAL_QUANTITIES + DOCUMENTS, 3),
  def('ContractAmended', ContractAmendedV3, 'A party amended the draft terms; earlier signatures are void.' + DECIMAL_QUANTITIES + DOCUMENTS, 3),
  def(
    'ContractExecuted',
    ContractExecutedV3,
    'Every required signature is on the current terms: the contract is in force.' + DECIMAL_QUANTITIES + DOCUMENTS,
    3,
  ),
];

/** Contract terms with decimal quantities: tier minimums, committed volumes and ceilings (null stays null). */
const upcastTerms = (terms: unknown): unknown =>
  terms !== null && typeof terms === 'object'
    ? {
        ...terms,
        // A ceiling left out (version 1 allowed it) is no ceiling: null, as version 2 writes it.
        items: eachObject((terms as Record<string, unknown>).items, (i) =>
          withDecimalTierMinimums(withDecimalQuantities({ ...i, ceiling: i.ceiling ?? null }, 'committedVolume', 'ceiling')),
        ),
      }
    : terms;
/** Terms recorded before version 3 name no documents. */
/** Version 3 terms from version 2: no documents, and the payment terms read from their text where it has a known form. */
const withNoDocuments = (terms: unknown): unknown => {
  if (terms === null || typeof terms !== 'object') return terms;
  const text = (terms as { paymentTerms?: unknown }).paymentTerms;
  return { ...terms, documents: [], payment: typeof text === 'string' ? parsePaymentTerms(text) : null };
};
const v1 = (type: string, upcast: (data: Record<string, unknown>) => Record<string, unknown>): Upcaster => ({ type, fromVersion: 1, upcast });
const v2 = (type: string): Upcaster => ({ type, fromVersion: 2, upcast: (d) => ({ ...d, terms: withNoDocuments(d.terms) }) });

/**
 * Version 1 -> 2 of every contracts event with quantities: each integer becomes its decimal string (5 -> "5").
 * Version 2 -> 3 of the events with terms: no documents. The recorded terms hash stays as it is (see ContractDraftedV2).
 */
export const CONTRACTS_UPCASTERS: Upcaster[] = [
  v1('ContractDrafted', (d) => ({ ...d, terms: upcastTerms(d.terms) })),
  v1('ContractAmended', (d) => ({ ...d, terms: upcastTerms(d.terms) })),
  v1('ContractExecuted', (d) => ({ ...d, terms: upcastTerms(d.terms) })),
  v1('CallOffPlaced', (d) => ({
    ...d,
    lines: eachObject(d.lines, (l) => withDecimalQuantities(l, 'quantity', 'tierMinQuantity', 'cumulativeQuantity')),
  })),
  v2('ContractDrafted'),
  v2('ContractAmended'),
  v2('ContractExecuted'),
];
