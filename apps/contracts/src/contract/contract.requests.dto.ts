import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  ValidateIf,
} from 'class-validator';
import { QuantityInput, SEVERITIES, Severity, SIGNING_ROLES } from '@dealledger/events';
import { CONTRACT_LIST_STATUSES, CONTRACT_PARTY_ROLES, type ContractListStatus, type ContractPartyRole } from './list/contract-list';
import { DocumentRefInput, IsTimestamp } from '@dealledger/platform';
import { DECIMAL_PATTERN, QUANTITY_PATTERN } from '@dealledger/domain';
import { MAX_CONTRACT_DOCUMENTS } from './contract.decider';

export class SlaTermDto {
  @ApiProperty({ enum: SEVERITIES }) @IsIn(SEVERITIES) severity: Severity;
  @ApiProperty({ example: 4, description: 'Hours; fractions allowed (0.5 = 30 minutes)' }) @IsNumber() @Min(0.001) @Max(8760) responseHours: number;
  @ApiProperty({ example: 24 }) @IsNumber() @Min(0.001) @Max(8760) resolutionHours: number;
}

/** How the API documents a quantity (see QuantityInput): a decimal string; a whole JSON number is still taken. */
const QUANTITY = {
  type: String,
  pattern: QUANTITY_PATTERN.source,
  description: 'An exact decimal quantity above zero with at most 4 decimals, such as "2.5" (t) or "1500"; a whole JSON number (1500) is taken too',
};

export class CeilingDto {
  @ApiProperty() @IsString() @IsNotEmpty() sku: string;
  @ApiProperty({ ...QUANTITY, nullable: true, example: '5000', description: `Most that may be called off; null removes the ceiling. ${QUANTITY.description}` })
  // Required: a ceiling or null (left out, it would say nothing).
  @ValidateIf((o: CeilingDto) => o.ceiling !== null)
  @QuantityInput()
  ceiling: string | null;
}

export class EarlyPaymentDto {
  @ApiProperty({ example: 10, description: 'Days from the invoice within which the discount applies' }) @IsInt() @Min(0) @Max(365) days: number;
  @ApiProperty({ example: '2', description: 'Discount in percent of the invoice gross' })
  @Matches(DECIMAL_PATTERN, { message: 'discountPercent must be a decimal such as 2 or 1.5' })
  discountPercent: string;
}

export class PaymentTermsDto {
  @ApiProperty({ example: 30, description: 'Invoices are due this many days after they are issued' }) @IsInt() @Min(0) @Max(365) daysNet: number;
  @ApiPropertyOptional({ type: EarlyPaymentDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EarlyPaymentDto)
  earlyPayment?: EarlyPaymentDto | null;
}

export class AmendContractRequest {
  @ApiPropertyOptional() @IsOptional() @IsTimestamp() startDate?: string;
  @ApiPropertyOptional() @IsOptional() @IsTimestamp() endDate?: string;
  @ApiPropertyOptional({ type: SlaTermDto, isArray: true }) @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => SlaTermDto) sla?: SlaTermDto[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) governingLaw?: string;
  @ApiPropertyOptional({ description: 'The payment terms as written; the structured `payment` follows from them unless given too' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  paymentTerms?: string;
  @ApiPropertyOptional({
    type: PaymentTermsDto,
    nullable: true,
    description: 'Payment terms as invoices apply them: due days net, an early-payment discount (null: not structured, each invoice states its due date)',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PaymentTermsDto)
  payment?: PaymentTermsDto | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) deliveryTerms?: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'An intermediary party, when the buyer resells' }) @IsOptional() @IsUUID() intermediaryId?:
    string | null;
  @ApiPropertyOptional({ description: 'Four-eyes rule (default true): distinct people sign distinct required roles of one company' })
  @IsOptional()
  @IsBoolean()
  fourEyes?: boolean;
  @ApiPropertyOptional({ type: CeilingDto, isArray: true })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CeilingDto)
  ceilings?: CeilingDto[];
  @ApiPropertyOptional({
    type: DocumentRefInput,
    isArray: true,
    maxItems: MAX_CONTRACT_DOCUMENTS,
    description: 'Every document the terms attach, replacing the list (the terms hash covers them); [] detaches all',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CONTRACT_DOCUMENTS)
  @ValidateNested({ each: true })
  @Type(() => DocumentRefInput)
  documents?: DocumentRefInput[];
  @ApiProperty({ example: 'Volume ceiling agreed in the negotiation meeting' }) @IsString() @MaxLength(2000) note: string;
}

export class SignContractRequest {
  @ApiProperty({ enum: SIGNING_ROLES, description: 'The role signed for; you must hold it and your company must owe it' }) @IsIn(SIGNING_ROLES) role: string;
  @ApiProperty({ description: 'termsHash of the terms you read (GET /contracts/:id): a stale hash is refused' }) @Matches(/^[0-9a-f]{64}$/) termsHash: string;
  @ApiPropertyOptional({ description: 'The company you sign for (defaults to yours)' }) @IsOptional() @IsUUID() companyId?: string;
}

export class CallOffLineDto {
  @ApiProperty() @IsString() @IsNotEmpty() sku: string;
  @ApiProperty({ ...QUANTITY, example: '1500' }) @QuantityInput() quantity: string;
}

export class PlaceCallOffRequest {
  @ApiProperty({ type: CallOffLineDto, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => CallOffLineDto)
  lines: CallOffLineDto[];
}

export class RenewContractRequest {
  @ApiProperty({ example: '2029-01-31T00:00:00Z' }) @IsTimestamp() newEndDate: string;
}

export class ReasonRequest {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(2000) reason: string;
}

const STATUS_MAPPING =
  "The contract's stage, from the contract decider's statuses: `draft` = drafting, no signature yet on the current terms (just drafted, or amended " +
  'since: an amendment voids the signatures given); `awaiting_signatures` = drafting, some required signatures given on the current terms and ' +
  'others still owed; `in_force` = executed, every required signature given (a proposed renewal waiting for its signatures leaves it in force); ' +
  '`expired` = expired, its end date reached; `terminated` = terminated by an executive of a party.';

export class ContractListQueryDto {
  @ApiPropertyOptional({ description: 'A counterparty: another company that is a party to the contract (buyer, supplier or intermediary)' })
  @IsOptional()
  @IsUUID()
  party?: string;

  @ApiPropertyOptional({ enum: CONTRACT_PARTY_ROLES, description: "Your company's part in the contract; any when omitted" })
  @IsOptional()
  @IsIn(CONTRACT_PARTY_ROLES)
  role?: ContractPartyRole;

  @ApiPropertyOptional({ enum: CONTRACT_LIST_STATUSES, description: STATUS_MAPPING }) @IsOptional() @IsIn(CONTRACT_LIST_STATUSES) status?: ContractListStatus;
  @ApiPropertyOptional({ example: '2027-12-31', description: 'Ending before this time (ISO 8601 date or time)' })
  @IsOptional()
  @IsTimestamp()
  endsBefore?: string;

  @ApiPropertyOptional({
    example: 'offer',
    description:
      'How the contract came to be, as its drafting event says: `offer` (an accepted offer) or `tender` (an awarded tender). ' +
      '`offer:<offerId>` or `tender:<tenderId>` instead looks up the one contract drafted from that deal and answers with an array of it ' +
      '(empty when there is none or it is not yours); `tender:<tenderId>:lot:<lotId>` the contract of one lot of a tender in lots. It takes no other parameter.',
  })
  @IsOptional()
  @Matches(/^((offer|tender)(:[0-9a-f-]{36})?|tender:[0-9a-f-]{36}:lot:[A-Za-z0-9._-]{1,40})$/i, {
    message: 'origin must be offer, tender, offer:<uuid>, tender:<uuid> or tender:<uuid>:lot:<lotId>',
  })
  origin?: string;

  @ApiPropertyOptional({
    description: "Full-text search: words in skus, item descriptions and the terms' text, or in a counterparty's name (web-search syntax)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;

  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'after must be a cursor from a previous page' })
  after?: string;
}
