import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
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
import { SEVERITIES, Severity, SIGNING_ROLES } from '@dealledger/events';

export class SlaTermDto {
  @ApiProperty({ enum: SEVERITIES }) @IsIn(SEVERITIES) severity: Severity;
  @ApiProperty({ example: 4, description: 'Hours; fractions allowed (0.5 = 30 minutes)' }) @IsNumber() @Min(0.001) @Max(8760) responseHours: number;
  @ApiProperty({ example: 24 }) @IsNumber() @Min(0.001) @Max(8760) resolutionHours: number;
}

export class CeilingDto {
  @ApiProperty() @IsString() @IsNotEmpty() sku: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Most that may be called off; null removes the ceiling' }) @IsOptional() @IsInt() @Min(1) ceiling:
    number | null;
}

export class AmendContractRequest {
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) startDate?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) endDate?: string;
  @ApiPropertyOptional({ type: SlaTermDto, isArray: true }) @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => SlaTermDto) sla?: SlaTermDto[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) governingLaw?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) paymentTerms?: string;
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
  @ApiProperty({ example: 'Volume ceiling agreed in the negotiation meeting' }) @IsString() @MaxLength(2000) note: string;
}

export class SignContractRequest {
  @ApiProperty({ enum: SIGNING_ROLES, description: 'The role signed for; you must hold it and your company must owe it' }) @IsIn(SIGNING_ROLES) role: string;
  @ApiProperty({ description: 'termsHash of the terms you read (GET /contracts/:id): a stale hash is refused' }) @Matches(/^[0-9a-f]{64}$/) termsHash: string;
  @ApiPropertyOptional({ description: 'The company you sign for (defaults to yours)' }) @IsOptional() @IsUUID() companyId?: string;
}

export class CallOffLineDto {
  @ApiProperty() @IsString() @IsNotEmpty() sku: string;
  @ApiProperty({ example: 1500 }) @IsInt() @Min(1) @Max(1_000_000_000) quantity: number;
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
  @ApiProperty({ example: '2029-01-31T00:00:00Z' }) @IsISO8601({ strict: true }) newEndDate: string;
}

export class ReasonRequest {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(2000) reason: string;
}

export class OriginQuery {
  @ApiProperty({ example: 'offer:3f0c…', description: '`offer:<offerId>` or `tender:<tenderId>`' })
  @Matches(/^(offer|tender):[0-9a-f-]{36}$/i, { message: 'origin must be offer:<uuid> or tender:<uuid>' })
  origin: string;
}
