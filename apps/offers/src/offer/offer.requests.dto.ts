import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ITEM_KINDS, ItemKind, QuantityInput } from '@dealledger/events';
import { OFFER_LIST_STATUSES, type OfferListStatus } from './list/offer-list';
import { DECIMAL, DECIMAL_MESSAGE, IsUnitOfMeasure, QUANTITY_DOC, UNIT_DOC } from '../common.dto';
import { IsTimestamp } from '@dealledger/platform';

export class PriceTierDto {
  @ApiProperty({ ...QUANTITY_DOC, example: '1000', description: `This unit price applies from this quantity upwards. ${QUANTITY_DOC.description}` })
  @QuantityInput()
  minQuantity: string;

  @ApiProperty({ example: '47.50' })
  @Matches(DECIMAL, DECIMAL_MESSAGE('unitPrice'))
  unitPrice: string;
}

export class OfferItemDto {
  @ApiProperty({ example: 'TYRE-205-55-R16' }) @IsString() @IsNotEmpty() @MaxLength(64) sku: string;
  @ApiProperty({ enum: ITEM_KINDS }) @IsIn(ITEM_KINDS) kind: ItemKind;
  @ApiProperty({ example: 'Summer tyre 205/55 R16 91V' }) @IsString() @IsNotEmpty() @MaxLength(500) description: string;
  @ApiProperty(UNIT_DOC) @IsString() @IsUnitOfMeasure() unit: string;
  @ApiProperty({ example: 'EUR' }) @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' }) currency: string;

  @ApiProperty({ type: PriceTierDto, isArray: true, description: 'Volume price tiers, ascending by minimum quantity' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PriceTierDto)
  tiers: PriceTierDto[];
}

export class OfferTermsDto {
  @ApiProperty({ type: OfferItemDto, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => OfferItemDto)
  items: OfferItemDto[];

  @ApiProperty({ example: '2027-06-30T23:59:59Z' }) @IsTimestamp() validUntil: string;
  @ApiProperty({ example: '60 days net' }) @IsString() @IsNotEmpty() @MaxLength(1000) paymentTerms: string;
  @ApiProperty({ example: 'DAP Ingolstadt, Incoterms 2020' }) @IsString() @IsNotEmpty() @MaxLength(1000) deliveryTerms: string;
}

export class DraftOfferRequest extends OfferTermsDto {
  @ApiProperty({ description: 'The buyer company the offer is made to' })
  @IsUUID()
  buyerId: string;
}

export class ReviseOfferRequest extends OfferTermsDto {
  @ApiProperty({ example: 'Tier 3 lowered after your counter' })
  @IsString()
  @MaxLength(2000)
  note: string;
}

export class CounterProposalDto {
  @ApiProperty() @IsString() @IsNotEmpty() sku: string;
  @ApiPropertyOptional({ example: '45.00' }) @IsOptional() @Matches(DECIMAL, DECIMAL_MESSAGE('unitPrice')) unitPrice?: string;
  @ApiPropertyOptional({ ...QUANTITY_DOC, example: '15000' }) @IsOptional() @QuantityInput() quantity?: string;
}

export class CounterOfferRequest {
  @ApiProperty({ type: CounterProposalDto, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => CounterProposalDto)
  proposals: CounterProposalDto[];

  @ApiProperty({ example: 'Another supplier quotes 45.00 at this volume' }) @IsString() @MaxLength(2000) note: string;
}

export class AcceptedQuantityDto {
  @ApiProperty() @IsString() @IsNotEmpty() sku: string;
  @ApiProperty({ ...QUANTITY_DOC, example: '12000' }) @QuantityInput() quantity: string;
}

export class AcceptOfferRequest {
  @ApiProperty({ example: 0, description: 'The revision read and accepted (GET /offers/:id); 409 offer.revision_changed when the supplier has revised since' })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  revision: number;

  @ApiProperty({ type: AcceptedQuantityDto, isArray: true, description: 'The quantities accepted; the tier price at each applies' })
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => AcceptedQuantityDto)
  quantities: AcceptedQuantityDto[];
}

export class QuoteQuery {
  @ApiProperty({ ...QUANTITY_DOC, example: '2.5' }) @QuantityInput() quantity: string;
  @ApiPropertyOptional({ description: 'One item; all items when omitted' }) @IsOptional() @IsString() sku?: string;
}

export class OfferListQueryDto {
  @ApiPropertyOptional({ enum: ['sent', 'received'], description: 'Offers you made (as the supplier) or were made to you; both when omitted' })
  @IsOptional()
  @IsIn(['sent', 'received'])
  role?: 'sent' | 'received';

  @ApiPropertyOptional({ enum: OFFER_LIST_STATUSES }) @IsOptional() @IsIn(OFFER_LIST_STATUSES) status?: OfferListStatus;
  @ApiPropertyOptional({ description: 'The other company' }) @IsOptional() @IsUUID() counterparty?: string;
  @ApiPropertyOptional({ example: 'TYRE-205-55-R16' }) @IsOptional() @IsString() @MaxLength(64) sku?: string;
  @ApiPropertyOptional({ description: "Full-text search: words in skus and descriptions, or in the counterparty's name (web-search syntax)" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Validity ending before this time (ISO 8601)' }) @IsOptional() @IsTimestamp() validBefore?: string;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;

  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'after must be a cursor from a previous page' })
  after?: string;
}
