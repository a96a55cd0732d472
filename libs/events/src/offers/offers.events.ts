import { DECIMAL_PATTERN } from '@dealledger/domain';
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
import { eachObject, IsQuantity, withDecimalQuantities, withDecimalTierMinimums } from './quantity.schema';

export * from './quantity.schema';

const DECIMAL = DECIMAL_PATTERN;
const CURRENCY = /^[A-Z]{3}$/;

export const ITEM_KINDS = ['component', 'raw_material', 'service'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
export const CRITERIA = ['price', 'quality', 'reputation', 'service', 'partnership'] as const;
export type Criterion = (typeof CRITERIA)[number];

/** Unit price from `minQuantity` upwards (decimal string in the item's currency). */
export class PriceTier {
  @IsInt() @Min(1) minQuantity: number;
  @Matches(DECIMAL) unitPrice: string;
}

export class OfferItem {
  @IsString() sku: string;
  @IsIn(ITEM_KINDS) kind: ItemKind;
  @IsString() description: string;
  @IsString() unit: string;
  @Matches(CURRENCY) currency: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => PriceTier) tiers: PriceTier[];
}

class OfferRef {
  @IsUUID() offerId: string;
  @IsUUID() supplierId: string;
  @IsUUID() buyerId: string;
}

export class OfferDraftedV1 extends OfferRef {
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => OfferItem) items: OfferItem[];
  @IsISO8601() validUntil: string;
  @IsString() paymentTerms: string;
  @IsString() deliveryTerms: string;
}

export class OfferSubmittedV1 extends OfferRef {
  @IsInt() @Min(0) revision: number;
}

export class CounterProposal {
  @IsString() sku: string;
  @IsOptional() @Matches(DECIMAL) unitPrice?: string;
  @IsOptional() @IsInt() @Min(1) quantity?: number;
}

export class OfferCounteredV1 extends OfferRef {
  @IsInt() @Min(0) revision: number;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => CounterProposal) proposals: CounterProposal[];
  @IsString() note: string;
}

export class OfferRevisedV1 extends OfferDraftedV1 {
  @IsInt() @Min(1) revision: number;
  @IsString() note: string;
}

export class AcceptedItem {
  @IsString() sku: string;
  @IsIn(ITEM_KINDS) kind: ItemKind;
  @IsString() description: string;
  @IsString() unit: string;
  @IsInt() @Min(1) quantity: number;
  /** The tier price that applies at the accepted quantity. */
  @Matches(DECIMAL) unitPrice: string;
  @IsInt() @Min(1) tierMinQuantity: number;
  @Matches(DECIMAL) lineTotal: string;
  /** All tiers, so that later volumes (call-offs) can be priced as agreed. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => PriceTier) tiers: PriceTier[];
}

export class OfferAcceptedV1 extends OfferRef {
  @IsInt() @Min(0) revision: number;
  @IsUUID() acceptedBy: string;
  @Matches(CURRENCY) currency: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => AcceptedItem) items: AcceptedItem[];
  @Matches(DECIMAL) total: string;
  @IsString() paymentTerms: string;
  @IsString() deliveryTerms: string;
  @IsISO8601() validUntil: string;
}

export class OfferRejectedV1 extends OfferRef {
  @IsString() reason: string;
}

export class OfferWithdrawnV1 extends OfferRef {
  @IsString() reason: string;
}

export class OfferExpiredV1 extends OfferRef {
  @IsISO8601() validUntil: string;
}

export class OfferDocumentAttachedV1 extends OfferRef {
  @ValidateNested() @Type(() => DocumentRef) document: DocumentRef;
  /** The person of the supplier who attached it. */
  @IsUUID() attachedBy: string;
}

// ---- tenders ----

export class TenderItem {
  @IsString() itemId: string;
  @IsString() description: string;
  @IsInt() @Min(1) quantity: number;
  @IsString() unit: string;
  @IsString() specification: string;
}

/** Percentages over the five criteria buyers weigh; they sum to 100. */
export class CriteriaWeights {
  @IsInt() @Min(0) @Max(100) price: number;
  @IsInt() @Min(0) @Max(100) quality: number;
  @IsInt() @Min(0) @Max(100) reputation: number;
  @IsInt() @Min(0) @Max(100) service: number;
  @IsInt() @Min(0) @Max(100) partnership: number;
}

class TenderRef {
  @IsUUID() tenderId: string;
  @IsUUID() buyerId: string;
}

export class TenderOpenedV1 extends TenderRef {
  @IsString() title: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => TenderItem) items: TenderItem[];
  @IsISO8601() submissionDeadline: string;
  @ValidateNested() @Type(() => CriteriaWeights) weights: CriteriaWeights;
  @IsBoolean() publicProcurement: boolean;
  @Matches(CURRENCY) currency: string;
}

export class SuppliersInvitedV1 extends TenderRef {
  @IsArray() @ArrayNotEmpty() @IsUUID(undefined, { each: true }) supplierIds: string[];
}

/** AES-256-GCM sealed bid content: nobody reads it before the tender closes. */
export class SealedContent {
  @IsString() ciphertext: string;
  @IsString() iv: string;
  @IsString() tag: string;
}

export class BidSubmittedV1 extends TenderRef {
  @IsUUID() supplierId: string;
  @IsUUID() bidId: string;
  @ValidateNested() @Type(() => SealedContent) sealed: SealedContent;
  /** sha256 of the canonical content (with a random nonce): the opened bid must match it. */
  @Matches(/^[0-9a-f]{64}$/) contentHash: string;
}

export class BidWithdrawnV1 extends TenderRef {
  @IsUUID() supplierId: string;
  @IsUUID() bidId: string;
}

export class BidPrice {
  @IsString() itemId: string;
  @Matches(DECIMAL) unitPrice: string;
}

export class OpenedBid {
  @IsUUID() supplierId: string;
  @IsUUID() bidId: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => BidPrice) prices: BidPrice[];
  @Matches(DECIMAL) total: string;
  /** 0-10: the lowest total gets 10, others in proportion (10 x lowest / total). */
  @IsNumber() priceScore: number;
}

export class TenderClosedV1 extends TenderRef {
  @IsISO8601() closedAt: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => OpenedBid) bids: OpenedBid[];
}

export class CriteriaScores {
  @IsNumber() @Min(0) @Max(10) quality: number;
  @IsNumber() @Min(0) @Max(10) reputation: number;
  @IsNumber() @Min(0) @Max(10) service: number;
  @IsNumber() @Min(0) @Max(10) partnership: number;
}

export class BidEvaluatedV1 extends TenderRef {
  @IsUUID() supplierId: string;
  @IsUUID() bidId: string;
  @IsUUID() evaluatorId: string;
  @IsArray() @IsString({ each: true }) evaluatorRoles: string[];
  @ValidateNested() @Type(() => CriteriaScores) scores: CriteriaScores;
}

export class RankedBid {
  @IsUUID() supplierId: string;
  @IsUUID() bidId: string;
  @IsInt() @Min(1) rank: number;
  @Matches(DECIMAL) total: string;
  @IsNumber() priceScore: number;
  @IsOptional() @ValidateNested() @Type(() => CriteriaScores) averages: CriteriaScores | null;
  @IsOptional() @IsNumber() weightedScore: number | null;
}

export class AwardedItem {
  @IsString() itemId: string;
  @IsString() description: string;
  @IsInt() @Min(1) quantity: number;
  @IsString() unit: string;
  @IsString() specification: string;
  @Matches(DECIMAL) unitPrice: string;
  @Matches(DECIMAL) lineTotal: string;
}

export class TenderAwardedV1 extends TenderRef {
  @IsString() title: string;
  @IsUUID() supplierId: string;
  @IsUUID() bidId: string;
  @IsUUID() awardedBy: string;
  @IsBoolean() publicProcurement: boolean;
  @Matches(CURRENCY) currency: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => AwardedItem) items: AwardedItem[];
  @Matches(DECIMAL) total: string;
  @IsNumber() weightedScore: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => RankedBid) ranking: RankedBid[];
}

export class TenderCancelledV1 extends TenderRef {
  @IsString() reason: string;
}

export class TenderDocumentAttachedV1 extends TenderRef {
  @ValidateNested() @Type(() => DocumentRef) document: DocumentRef;
  /** The person of the buyer who attached it. */
  @IsUUID() attachedBy: string;
}

// ---- version 2: quantities are exact decimal strings ("2.5" tonnes, "1200" pieces) ----

export class PriceTierV2 {
  /** This unit price applies from this quantity upwards. */
  @IsQuantity() minQuantity: string;
  @Matches(DECIMAL) unitPrice: string;
}

export class OfferItemV2 {
  @IsString() sku: string;
  @IsIn(ITEM_KINDS) kind: ItemKind;
  @IsString() description: string;
  @IsString() unit: string;
  @Matches(CURRENCY) currency: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => PriceTierV2) tiers: PriceTierV2[];
}

export class OfferDraftedV2 extends OfferRef {
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => OfferItemV2) items: OfferItemV2[];
  @IsISO8601() validUntil: string;
  @IsString() paymentTerms: string;
  @IsString() deliveryTerms: string;
}

export class CounterProposalV2 {
  @IsString() sku: string;
  @IsOptional() @Matches(DECIMAL) unitPrice?: string;
  @IsOptional() @IsQuantity() quantity?: string;
}

export class OfferCounteredV2 extends OfferRef {
  @IsInt() @Min(0) revision: number;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => CounterProposalV2) proposals: CounterProposalV2[];
  @IsString() note: string;
}

export class OfferRevisedV2 extends OfferDraftedV2 {
  @IsInt() @Min(1) revision: number;
  @IsString() note: string;
}

export class AcceptedItemV2 {
  @IsString() sku: string;
  @IsIn(ITEM_KINDS) kind: ItemKind;
  @IsString() description: string;
  @IsString() unit: string;
  @IsQuantity() quantity: string;
  /** The tier price that applies at the accepted quantity. */
  @Matches(DECIMAL) unitPrice: string;
  @IsQuantity() tierMinQuantity: string;
  /** quantity x unitPrice, rounded half-up to 4 decimals. */
  @Matches(DECIMAL) lineTotal: string;
  /** All tiers, so that later volumes (call-offs) can be priced as agreed. */
  @IsArray() @ValidateNested({ each: true }) @Type(() => PriceTierV2) tiers: PriceTierV2[];
}

export class OfferAcceptedV2 extends OfferRef {
  @IsInt() @Min(0) revision: number;
  @IsUUID() acceptedBy: string;
  @Matches(CURRENCY) currency: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => AcceptedItemV2) items: AcceptedItemV2[];
  @Matches(DECIMAL) total: string;
  @IsString() paymentTerms: string;
  @IsString() deliveryTerms: string;
  @IsISO8601() validUntil: string;
}

export class TenderItemV2 {
  @IsString() itemId: string;
  @IsString() description: string;
  @IsQuantity() quantity: string;
  @IsString() unit: string;
  @IsString() specification: string;
}

export class TenderOpenedV2 extends TenderRef {
  @IsString() title: string;
  @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => TenderItemV2) items: TenderItemV2[];
  @IsISO8601() submissionDeadline: string;
  @ValidateNested() @Type(() => CriteriaWeights) weights: CriteriaWeights;
  @IsBoolean() publicProcurement: boolean;
  @Matches(CURRENCY) currency: string;
}

export class AwardedItemV2 {
  @IsString() itemId: string;
  @IsString() description: string;
  @IsQuantity() quantity: string;
  @IsString() unit: string;
  @IsString() specification: string;
  @Matches(DECIMAL) unitPrice: string;
  /** quantity x unitPrice, rounded half-up to 4 decimals. */
  @Matches(DECIMAL) lineTotal: string;
}

export class TenderAwardedV2 extends TenderRef {
  @IsString() title: string;
  @IsUUID() supplierId: string;
  @IsUUID() bidId: string;
  @IsUUID() awardedBy: string;
  @IsBoolean() publicProcurement: boolean;
  @Matches(CURRENCY) currency: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => AwardedItemV2) items: AwardedItemV2[];
  @Matches(DECIMAL) total: string;
  @IsNumber() weightedScore: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => RankedBid) ranking: RankedBid[];
}

// ---- open procedures: a published notice any registered supplier may bid on, with clarifications ----

export const TENDER_PROCEDURES = ['invited', 'open'] as const;
export type TenderProcedure = (typeof TENDER_PROCEDURES)[number];

/** Version 3: the procedure. `invited`: only invited suppliers see and bid (every tender before); `open`: a published notice. */
export class TenderOpenedV3 extends TenderOpenedV2 {
  @IsIn(TENDER_PROCEDURES) procedure: TenderProcedure;
  /** Days between the award and its becoming final, when a losing bidder may complain (0: final at once). */
  @IsInt() @Min(0) @Max(60) standstillDays: number;
}

/** Version 3: an award with a standstill period is provisional until `AwardFinalised`. */
export class TenderAwardedV3 extends TenderAwardedV2 {
  @IsOptional() @IsISO8601() standstillUntil: string | null;
}

/** The award became final after its standstill period, no complaint open: the same award, now binding. */
export class AwardFinalisedV1 extends TenderAwardedV2 {
  @IsISO8601() standstillUntil: string;
}

/** A losing bidder's complaint during the standstill period; between it and the buyer. */
export class AwardComplaintFiledV1 extends TenderRef {
  @IsUUID() complaintId: string;
  @IsUUID() supplierId: string;
  @IsUUID() filedBy: string;
  @IsString() grounds: string;
}

export class AwardComplaintResolvedV1 extends TenderRef {
  @IsUUID() complaintId: string;
  @IsUUID() supplierId: string;
  @IsUUID() resolvedBy: string;
  /** Upheld: the award is annulled (AwardAnnulled follows) and the buyer awards again. */
  @IsBoolean() upheld: boolean;
  @IsString() resolution: string;
  /** Complaints still open after this one, and the standstill's end: the award becomes final when both allow. */
  @IsInt() @Min(0) openComplaints: number;
  @IsISO8601() standstillUntil: string;
}

/** A provisional award set aside (a complaint upheld): the tender is closed again, its bids evaluated, to be awarded anew. */
export class AwardAnnulledV1 extends TenderRef {
  @IsUUID() supplierId: string;
  @IsUUID() bidId: string;
  /** Every ranked bidder of the annulled award, so that a read side can take back what the award counted. */
  @IsArray() @IsUUID(undefined, { each: true }) bidders: string[];
  @IsString() reason: string;
}

/** A supplier's question on the tender documents; only the buyer learns who asked. */
export class ClarificationRequestedV1 extends TenderRef {
  @IsUUID() clarificationId: string;
  @IsUUID() supplierId: string;
  @IsString() question: string;
}

/** The buyer's answer, published with the question to every supplier who may bid, without the asker. */
export class ClarificationAnsweredV1 extends TenderRef {
  @IsUUID() clarificationId: string;
  @IsString() question: string;
  @IsString() answer: string;
  @IsUUID() answeredBy: string;
}

// ---- tenders in lots: each lot priced, ranked and awarded on its own ----

/** A lot id: short, and free of the separators deadline keys and contract ids use. */
export const LOT_ID = /^[A-Za-z0-9._-]{1,40}$/;

/** A lot: items awarded together, to one supplier; every item of a tender in lots is in exactly one. */
export class TenderLot {
  @Matches(LOT_ID) lotId: string;
  @IsString() title: string;
  @IsArray() @ArrayNotEmpty() @IsString({ each: true }) itemIds: string[];
}

/** Version 4: `lots`; empty, the tender is awarded whole (every tender before). */
export class TenderOpenedV4 extends TenderOpenedV3 {
  @IsArray() @ValidateNested({ each: true }) @Type(() => TenderLot) lots: TenderLot[];
}

/** Version 4: the award of one lot (its items, total and ranking), or of the whole tender (`lotId` null). */
export class TenderAwardedV4 extends TenderAwardedV3 {
  @IsOptional() @Matches(LOT_ID) lotId: string | null;
  /** Lots still without an award after this one: 0, the tender is awarded. */
  @IsInt() @Min(0) lotsToAward: number;
  /** Every bid holding an award of the tender after this one: this one and the other lots' winners. */
  @IsArray() @IsUUID(undefined, { each: true }) winningBidIds: string[];
}

/** The buyer will not award a lot (no bid on it, or none it can take): it is settled without an award. */
export class LotCancelledV1 extends TenderRef {
  @Matches(LOT_ID) lotId: string;
  @IsString() reason: string;
  @IsUUID() cancelledBy: string;
  /** Lots still neither awarded nor cancelled after this one: 0, the tender is awarded. */
  @IsInt() @Min(0) lotsToAward: number;
  /** Every bid holding an award of the tender. */
  @IsArray() @IsUUID(undefined, { each: true }) winningBidIds: string[];
}

/** Version 2 of each award event: the lot it concerns (null: the whole tender). */
export class AwardFinalisedV2 extends AwardFinalisedV1 {
  @IsOptional() @Matches(LOT_ID) lotId: string | null;
}
export class AwardComplaintFiledV2 extends AwardComplaintFiledV1 {
  @IsOptional() @Matches(LOT_ID) lotId: string | null;
}
export class AwardComplaintResolvedV2 extends AwardComplaintResolvedV1 {
  @IsOptional() @Matches(LOT_ID) lotId: string | null;
}
export class AwardAnnulledV2 extends AwardAnnulledV1 {
  @IsOptional() @Matches(LOT_ID) lotId: string | null;
}

type E<T extends string, D> = { type: T; data: D };
export type OfferEvent =
  | E<'OfferDrafted', OfferDraftedV2>
  | E<'OfferSubmitted', OfferSubmittedV1>
  | E<'OfferCountered', OfferCounteredV2>
  | E<'OfferRevised', OfferRevisedV2>
  | E<'OfferAccepted', OfferAcceptedV2>
  | E<'OfferRejected', OfferRejectedV1>
  | E<'OfferWithdrawn', OfferWithdrawnV1>
  | E<'OfferExpired', OfferExpiredV1>
  | E<'OfferDocumentAttached', OfferDocumentAttachedV1>;
export type TenderEvent =
  | E<'TenderOpened', TenderOpenedV4>
  | E<'SuppliersInvited', SuppliersInvitedV1>
  | E<'BidSubmitted', BidSubmittedV1>
  | E<'BidWithdrawn', BidWithdrawnV1>
  | E<'TenderClosed', TenderClosedV1>
  | E<'BidEvaluated', BidEvaluatedV1>
  | E<'TenderAwarded', TenderAwardedV4>
  | E<'TenderCancelled', TenderCancelledV1>
  | E<'TenderDocumentAttached', TenderDocumentAttachedV1>
  | E<'ClarificationRequested', ClarificationRequestedV1>
  | E<'ClarificationAnswered', ClarificationAnsweredV1>
  | E<'AwardComplaintFiled', AwardComplaintFiledV2>
  | E<'AwardComplaintResolved', AwardComplaintResolvedV2>
  | E<'AwardAnnulled', AwardAnnulledV2>
  | E<'AwardFinalised', AwardFinalisedV2>
  | E<'LotCancelled', LotCancelledV1>;

const def = (type: string, schema: new () => object, description: string, schemaVersion = 1): EventDefinition => ({
  type,
  schemaVersion,
  context: 'offers',
  schema,
  description,
});
const DECIMAL_QUANTITIES = ' Version 2: quantities are exact decimal strings (version 1: integers).';

export const OFFERS_EVENTS: EventDefinition[] = [
  def('OfferDrafted', OfferDraftedV1, 'A supplier drafted an offer to a buyer: items with volume price tiers, validity, terms.'),
  def('OfferSubmitted', OfferSubmittedV1, 'The supplier submitted the offer (or its current revision) to the buyer.'),
  def('OfferCountered', OfferCounteredV1, 'The buyer proposed other prices or quantities.'),
  def('OfferRevised', OfferRevisedV1, 'The supplier issued a numbered revision; earlier ones stay in the history.'),
  def('OfferAccepted', OfferAcceptedV1, 'The buyer accepted quantities; the tier prices at those volumes apply.'),
  def('OfferRejected', OfferRejectedV1, 'The buyer rejected the offer, with a reason.'),
  def('OfferWithdrawn', OfferWithdrawnV1, 'The supplier withdrew the offer.'),
  def('OfferExpired', OfferExpiredV1, 'The offer passed its validity without acceptance.'),
  def(
    'OfferDocumentAttached',
    OfferDocumentAttachedV1,
    'A person of the supplier attached a document (specification, certificate), by its sha256, to an offer the buyer has (submitted or countered).',
  ),
  def('TenderOpened', TenderOpenedV1, 'A buyer opened a tender: items, deadline, criteria weights, public procurement or not.'),
  def('SuppliersInvited', SuppliersInvitedV1, 'The buyer invited suppliers to bid.'),
  def('BidSubmitted', BidSubmittedV1, 'An invited supplier submitted a sealed bid (replacing its earlier one).'),
  def('BidWithdrawn', BidWithdrawnV1, 'A supplier withdrew its bid before the deadline.'),
  def('TenderClosed', TenderClosedV1, 'The tender closed; the sealed bids were opened and price-scored.'),
  def('BidEvaluated', BidEvaluatedV1, "An evaluator of the buyer scored a bid's quality, reputation, service and partnership."),
  def('TenderAwarded', TenderAwardedV1, 'The buyer awarded the tender to one evaluated bid.'),
  def('TenderCancelled', TenderCancelledV1, 'The buyer cancelled the tender, with a reason.'),
  def(
    'TenderDocumentAttached',
    TenderDocumentAttachedV1,
    'A person of the buyer attached a document (specification, drawing) to the tender before its deadline, by its sha256, for the invited suppliers.',
  ),
  def('OfferDrafted', OfferDraftedV2, 'A supplier drafted an offer to a buyer: items with volume price tiers, validity, terms.' + DECIMAL_QUANTITIES, 2),
  def('OfferCountered', OfferCounteredV2, 'The buyer proposed other prices or quantities.' + DECIMAL_QUANTITIES, 2),
  def('OfferRevised', OfferRevisedV2, 'The supplier issued a numbered revision; earlier ones stay in the history.' + DECIMAL_QUANTITIES, 2),
  def('OfferAccepted', OfferAcceptedV2, 'The buyer accepted quantities; the tier prices at those volumes apply.' + DECIMAL_QUANTITIES, 2),
  def('TenderOpened', TenderOpenedV2, 'A buyer opened a tender: items, deadline, criteria weights, public procurement or not.' + DECIMAL_QUANTITIES, 2),
  def('TenderAwarded', TenderAwardedV2, 'The buyer awarded the tender to one evaluated bid.' + DECIMAL_QUANTITIES, 2),
  def(
    'TenderOpened',
    TenderOpenedV3,
    'A buyer opened a tender: items, deadline, criteria weights, public procurement or not.' +
      DECIMAL_QUANTITIES +
      ' Version 3: the procedure, `invited` (only invited suppliers see and bid; version 2 reads so) or `open` (a published notice any registered supplier may bid on), and the standstill days between award and final award (version 2 reads 0).',
    3,
  ),
  def(
    'TenderAwarded',
    TenderAwardedV3,
    'The buyer awarded the tender to one evaluated bid.' +
      DECIMAL_QUANTITIES +
      ' Version 3: `standstillUntil`; when set, the award is provisional until AwardFinalised (version 2 reads null: final at once).',
    3,
  ),
  def('AwardComplaintFiled', AwardComplaintFiledV1, 'A losing bidder complained about a provisional award during its standstill period.'),
  def('AwardComplaintResolved', AwardComplaintResolvedV1, 'The buyer resolved a complaint: upheld (the award is annulled) or dismissed.'),
  def('AwardAnnulled', AwardAnnulledV1, 'A provisional award was set aside after an upheld complaint; the tender is closed again, to be awarded anew.'),
  def(
    'AwardFinalised',
    AwardFinalisedV1,
    'The standstill period ended with no complaint open: the award (same data as TenderAwarded) is final, and a contract is drafted from it.',
  ),
  def(
    'ClarificationRequested',
    ClarificationRequestedV1,
    'A supplier asked the buyer a question about the tender before its deadline; only the buyer learns who asked.',
  ),
  def(
    'ClarificationAnswered',
    ClarificationAnsweredV1,
    'The buyer answered a question; question and answer are published to every supplier who may bid, without naming who asked.',
  ),
  def(
    'TenderOpened',
    TenderOpenedV4,
    'A buyer opened a tender: items, deadline, criteria weights, public procurement or not, procedure and standstill days.' +
      ' Version 4: `lots`, each a set of items priced, ranked and awarded on its own (version 3 reads none: the tender is awarded whole).',
    4,
  ),
  def(
    'TenderAwarded',
    TenderAwardedV4,
    'The buyer awarded the tender, or one of its lots, to one evaluated bid; provisional while `standstillUntil` is set.' +
      ' Version 4: `lotId` (null: the whole tender), `lotsToAward` after this one and `winningBidIds` (version 3 reads a whole award).',
    4,
  ),
  def(
    'AwardComplaintFiled',
    AwardComplaintFiledV2,
    'A losing bidder complained about a provisional award during its standstill period. Version 2: `lotId`.',
    2,
  ),
  def(
    'AwardComplaintResolved',
    AwardComplaintResolvedV2,
    'The buyer resolved a complaint: upheld (the award is annulled) or dismissed. Version 2: `lotId`.',
    2,
  ),
  def(
    'AwardAnnulled',
    AwardAnnulledV2,
    'A provisional award was set aside after an upheld complaint; its lot (or the tender) is closed again, to be awarded anew. Version 2: `lotId`.',
    2,
  ),
  def(
    'AwardFinalised',
    AwardFinalisedV2,
    'The standstill period ended with no complaint open: the award is final, and a contract is drafted from it. Version 2: `lotId`.',
    2,
  ),
  def(
    'LotCancelled',
    LotCancelledV1,
    'The buyer cancelled one lot of a tender in lots (no bid on it, or none it can award): the lot is settled without an award; the tender is awarded once every lot is awarded or cancelled.',
  ),
];

const v1 = (type: string, upcast: (data: Record<string, unknown>) => Record<string, unknown>): Upcaster => ({ type, fromVersion: 1, upcast });

/** Version 1 -> 2 of every offers event with quantities: each integer becomes its decimal string (5 -> "5"). */
export const OFFERS_UPCASTERS: Upcaster[] = [
  v1('OfferDrafted', (d) => ({ ...d, items: eachObject(d.items, withDecimalTierMinimums) })),
  v1('OfferRevised', (d) => ({ ...d, items: eachObject(d.items, withDecimalTierMinimums) })),
  v1('OfferCountered', (d) => ({ ...d, proposals: eachObject(d.proposals, (p) => withDecimalQuantities(p, 'quantity')) })),
  v1('OfferAccepted', (d) => ({
    ...d,
    items: eachObject(d.items, (i) => withDecimalTierMinimums(withDecimalQuantities(i, 'quantity', 'tierMinQuantity'))),
  })),
  v1('TenderOpened', (d) => ({ ...d, items: eachObject(d.items, (i) => withDecimalQuantities(i, 'quantity')) })),
  v1('TenderAwarded', (d) => ({ ...d, items: eachObject(d.items, (i) => withDecimalQuantities(i, 'quantity')) })),
  // Version 2 -> 3: every tender recorded before had invited suppliers only.
  { type: 'TenderOpened', fromVersion: 2, upcast: (d) => ({ ...d, procedure: 'invited', standstillDays: 0 }) },
  // Every award recorded before version 3 was final at once.
  { type: 'TenderAwarded', fromVersion: 2, upcast: (d) => ({ ...d, standstillUntil: null }) },
  // Version 3 -> 4 (award events 1 -> 2): every tender before was awarded whole.
  { type: 'TenderOpened', fromVersion: 3, upcast: (d) => ({ ...d, lots: [] }) },
  { type: 'TenderAwarded', fromVersion: 3, upcast: (d) => ({ ...d, lotId: null, lotsToAward: 0, winningBidIds: [d.bidId] }) },
  ...['AwardFinalised', 'AwardComplaintFiled', 'AwardComplaintResolved', 'AwardAnnulled'].map((type) => v1(type, (d) => ({ ...d, lotId: null }))),
];
