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
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { LOT_ID, QuantityInput, TENDER_PROCEDURES, type TenderProcedure } from '@dealledger/events';
import { DECIMAL, DECIMAL_MESSAGE, IsUnitOfMeasure, QUANTITY_DOC, UNIT_DOC } from '../common.dto';
import { TENDER_BID_STATUSES, type TenderBidStatus } from './list/tender-bid-list';
import { TENDER_LIST_STATUSES, type TenderListStatus } from './list/tender-list';
import { IsTimestamp } from '@dealledger/platform';

export class TenderItemDto {
  @ApiProperty({ example: 'lot-1' }) @IsString() @IsNotEmpty() @MaxLength(64) itemId: string;
  @ApiProperty({ example: 'All-season tyre 225/45 R17' }) @IsString() @IsNotEmpty() @MaxLength(500) description: string;
  @ApiProperty({ ...QUANTITY_DOC, example: '20000' }) @QuantityInput() quantity: string;
  @ApiProperty(UNIT_DOC) @IsString() @IsUnitOfMeasure() unit: string;
  @ApiProperty({ example: 'EU tyre label B/B/70 dB' }) @IsString() @MaxLength(4000) specification: string;
}

const LOT_ID_MESSAGE = { message: 'lotId must be 1 to 40 letters, digits, dots, dashes or underscores' };

export class TenderLotDto {
  @ApiProperty({ example: '1' }) @Matches(LOT_ID, LOT_ID_MESSAGE) lotId: string;
  @ApiProperty({ example: 'Summer tyres' }) @IsString() @IsNotEmpty() @MaxLength(300) title: string;
  @ApiProperty({ type: String, isArray: true, example: ['lot-1'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  itemIds: string[];
}

export class CriteriaWeightsDto {
  @ApiProperty({ example: 40 }) @IsInt() @Min(0) @Max(100) price: number;
  @ApiProperty({ example: 25 }) @IsInt() @Min(0) @Max(100) quality: number;
  @ApiProperty({ example: 10 }) @IsInt() @Min(0) @Max(100) reputation: number;
  @ApiProperty({ example: 15 }) @IsInt() @Min(0) @Max(100) service: number;
  @ApiProperty({ example: 10 }) @IsInt() @Min(0) @Max(100) partnership: number;
}

export class OpenTenderRequest {
  @ApiProperty({ example: 'Tyres for the 2028 model year' }) @IsString() @IsNotEmpty() @MaxLength(300) title: string;

  @ApiProperty({ type: TenderItemDto, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => TenderItemDto)
  items: TenderItemDto[];

  @ApiProperty({ example: '2027-04-15T12:00:00Z' }) @IsTimestamp() submissionDeadline: string;

  @ApiProperty({ type: CriteriaWeightsDto, description: 'Percentages that sum to 100' })
  @ValidateNested()
  @Type(() => CriteriaWeightsDto)
  weights: CriteriaWeightsDto;

  @ApiProperty({ description: 'A public procurement needs a government evaluator before award' }) @IsBoolean() publicProcurement: boolean;
  @ApiProperty({ example: 'EUR' }) @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' }) currency: string;
  @ApiPropertyOptional({
    enum: TENDER_PROCEDURES,
    default: 'invited',
    description:
      '`invited`: only the suppliers you invite see the tender and bid; `open`: a published notice (GET /tenders/notices) any registered supplier may bid on',
  })
  @IsOptional()
  @IsIn(TENDER_PROCEDURES)
  procedure?: TenderProcedure;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 60,
    description:
      'Days between the award and its becoming final, when a losing bidder may complain; the contract is drafted from the final award. Default: 10 for a public procurement, else 0 (final at once)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60)
  standstillDays?: number;

  @ApiPropertyOptional({
    type: TenderLotDto,
    isArray: true,
    description:
      'Lots, each awarded on its own (a supplier bids on whole lots, each lot is ranked and awarded separately, with its own standstill, complaints and contract); every item in exactly one lot. Left out: the tender is awarded whole',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TenderLotDto)
  lots?: TenderLotDto[];
}

/** A public procurement's award waits this long for complaints unless the tender says otherwise (the EU remedies directive's 10 days). */
export const DEFAULT_PUBLIC_STANDSTILL_DAYS = 10;

export class ComplaintRequest {
  @ApiProperty({ example: 'The winning bid does not meet the EN 16811-1 grading of the specification' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(8000)
  grounds: string;

  @ApiPropertyOptional({ example: '2', description: 'The lot whose award is complained about (a tender in lots only)' })
  @IsOptional()
  @Matches(LOT_ID, LOT_ID_MESSAGE)
  lotId?: string;
}

export class ResolveComplaintRequest {
  @ApiProperty({ description: 'true: the award is set aside and the tender closed again; false: the award stands' }) @IsBoolean() upheld: boolean;
  @ApiProperty({ example: 'The grading certificate of the winning bid is valid; the complaint is dismissed.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(8000)
  resolution: string;
}

export class QuestionRequest {
  @ApiProperty({ example: 'May the tyres carry the 3PMSF mark instead of M+S?' }) @IsString() @IsNotEmpty() @MaxLength(4000) question: string;
}

export class AnswerRequest {
  @ApiProperty({ example: 'Yes: 3PMSF tyres meet the specification.' }) @IsString() @IsNotEmpty() @MaxLength(8000) answer: string;
}

export class NoticeListQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'after must be a cursor from a previous page' })
  after?: string;
}

export class InviteSuppliersRequest {
  @ApiProperty({ type: String, isArray: true }) @IsArray() @ArrayNotEmpty() @ArrayMaxSize(100) @IsUUID(undefined, { each: true }) supplierIds: string[];
}

export class BidPriceDto {
  @ApiProperty({ example: 'lot-1' }) @IsString() @IsNotEmpty() itemId: string;
  @ApiProperty({ example: '55.00' }) @Matches(DECIMAL, DECIMAL_MESSAGE('unitPrice')) unitPrice: string;
}

export class SubmitBidRequest {
  @ApiProperty({
    type: BidPriceDto,
    isArray: true,
    description: 'A unit price for every item of the tender; in a tender in lots, for every item of each lot you bid on',
  })
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => BidPriceDto)
  prices: BidPriceDto[];

  @ApiPropertyOptional({ example: 'Prices include mounting and balancing' }) @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

export class CriteriaScoresDto {
  @ApiProperty({ minimum: 0, maximum: 10 }) @IsNumber() @Min(0) @Max(10) quality: number;
  @ApiProperty({ minimum: 0, maximum: 10 }) @IsNumber() @Min(0) @Max(10) reputation: number;
  @ApiProperty({ minimum: 0, maximum: 10 }) @IsNumber() @Min(0) @Max(10) service: number;
  @ApiProperty({ minimum: 0, maximum: 10 }) @IsNumber() @Min(0) @Max(10) partnership: number;
}

export class EvaluateBidRequest {
  @ApiProperty() @IsUUID() supplierId: string;
  @ApiProperty({ type: CriteriaScoresDto }) @ValidateNested() @Type(() => CriteriaScoresDto) scores: CriteriaScoresDto;
}

export class AwardTenderRequest {
  @ApiProperty() @IsUUID() supplierId: string;
  @ApiPropertyOptional({ example: '2', description: 'The lot awarded: required in a tender in lots, left out otherwise' })
  @IsOptional()
  @Matches(LOT_ID, LOT_ID_MESSAGE)
  lotId?: string;
}

class ListPageDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;

  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'after must be a cursor from a previous page' })
  after?: string;
}

export class TenderListQueryDto extends ListPageDto {
  @ApiPropertyOptional({ enum: ['opened', 'invited'], description: 'Tenders you opened (as the buyer) or were invited to (as a supplier); both when omitted' })
  @IsOptional()
  @IsIn(['opened', 'invited'])
  role?: 'opened' | 'invited';

  @ApiPropertyOptional({ enum: TENDER_LIST_STATUSES }) @IsOptional() @IsIn(TENDER_LIST_STATUSES) status?: TenderListStatus;

  @ApiPropertyOptional({ description: 'Submission deadline before this time (ISO 8601)', example: '2027-05-01T00:00:00Z' })
  @IsOptional()
  @IsTimestamp()
  deadlineBefore?: string;

  @ApiPropertyOptional({
    description:
      "Full-text search (web-search syntax): words of the title, item ids, descriptions and specifications, or of a counterparty's name " +
      '(for the buyer: the suppliers it invited; for a supplier: the buyer)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class TenderBidListQueryDto extends ListPageDto {
  @ApiPropertyOptional({
    enum: TENDER_BID_STATUSES,
    description: '`replaced`: a later bid of yours to the same tender took its place; `won` / `lost`: the bid current when the tender was awarded',
  })
  @IsOptional()
  @IsIn(TENDER_BID_STATUSES)
  status?: TenderBidStatus;

  @ApiPropertyOptional({ description: 'One tender' }) @IsOptional() @IsUUID() tenderId?: string;
}
