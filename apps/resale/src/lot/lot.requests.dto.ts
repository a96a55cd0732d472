import { DECIMAL_PATTERN, QUANTITY_PATTERN } from '@dealledger/domain';
import { QuantityInput } from '@dealledger/events';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { RESALE_ROLES, type ResaleRole } from './list/lot-list';

const DECIMAL = DECIMAL_PATTERN;
/** How the API documents a quantity (see QuantityInput): a decimal string; a whole JSON number is still taken. */
const QUANTITY = {
  type: String,
  pattern: QUANTITY_PATTERN.source,
  description: 'An exact decimal quantity above zero with at most 4 decimals, such as "2.5" (t) or "800"; a whole JSON number (800) is taken too',
};

export class LotSourceDto {
  @ApiProperty({ enum: ['contract', 'resale'] }) @IsIn(['contract', 'resale']) kind: 'contract' | 'resale';
  @ApiPropertyOptional({ description: 'kind contract: the executed contract the intermediary bought under' })
  @ValidateIf((o) => o.kind === 'contract')
  @IsUUID()
  contractId?: string;
  @ApiPropertyOptional({ description: 'kind contract: the call-off that delivered the goods (required)' }) @IsOptional() @IsUUID() callOffId?: string;
  @ApiPropertyOptional({
    description: 'kind contract: the fulfilment delivery the goods were received and accepted on (required); one lot per delivery line',
  })
  @IsOptional()
  @IsUUID()
  deliveryId?: string;
  @ApiPropertyOptional({ description: "kind resale: the seller's lot" }) @ValidateIf((o) => o.kind === 'resale') @IsUUID() upstreamLotId?: string;
  @ApiPropertyOptional({ description: 'kind resale: the resale made to you' }) @ValidateIf((o) => o.kind === 'resale') @IsUUID() resaleId?: string;
}

export class RecordLotRequest {
  @ApiProperty({ type: LotSourceDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => LotSourceDto) source: LotSourceDto;
  @ApiPropertyOptional({ example: 'NMC-MOD-48V', description: 'kind contract: the contract item (a resale brings its own)' })
  @ValidateIf((o) => o.source?.kind === 'contract')
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  sku?: string;
  @ApiPropertyOptional({
    ...QUANTITY,
    example: '790',
    description: `kind contract: at most what was accepted of the sku on the delivery (and what the call-off line ordered). ${QUANTITY.description}`,
  })
  @ValidateIf((o) => o.source?.kind === 'contract')
  @QuantityInput()
  quantity?: string;
  @ApiPropertyOptional({
    example: '1095.00',
    description: "Optional: the lot's cost is the lowest matched invoice price of the call-off line, else the line's price; another is refused",
  })
  @IsOptional()
  @Matches(DECIMAL, { message: 'unitCost must be a decimal amount such as 1095.00' })
  unitCost?: string;
  @ApiPropertyOptional({ example: 'EUR', description: "Optional: the contract's currency" }) @IsOptional() @Matches(/^[A-Z]{3}$/) currency?: string;
}

export class ResellRequest {
  @ApiProperty({ description: 'The downstream buyer company' }) @IsUUID() buyerId: string;
  @ApiProperty({ ...QUANTITY, example: '300' }) @QuantityInput() quantity: string;
  @ApiProperty({ example: '1240.00' }) @Matches(DECIMAL, { message: 'unitPrice must be a decimal amount such as 1240.00' }) unitPrice: string;
  @ApiPropertyOptional({ description: 'A downstream contract, when there is one' }) @IsOptional() @IsUUID() downstreamContractId?: string;
}

const LIMIT = { default: 50, minimum: 1, maximum: 200 };
const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

export class LotListQueryDto {
  @ApiPropertyOptional({ example: 'NMC-MOD-48V' }) @IsOptional() @IsString() @MaxLength(64) sku?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: lots with something left; false: sold out' })
  @IsOptional()
  @IsIn(['true', 'false'])
  inStock?: 'true' | 'false';
  @ApiPropertyOptional({ description: 'The original supplier (the maker at the start of the chain)' }) @IsOptional() @IsUUID() origin?: string;
  @ApiPropertyOptional({
    description: "Full-text search: words in the sku and description, or in the seller's or the original supplier's name (web-search syntax)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional(LIMIT) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(CURSOR, { message: 'after must be a cursor from a previous page' })
  after?: string;
}

export class ResaleListQueryDto {
  @ApiPropertyOptional({ enum: RESALE_ROLES, description: 'Resales you made (as the seller) or that were made to you; both when omitted' })
  @IsOptional()
  @IsIn(RESALE_ROLES)
  role?: ResaleRole;
  @ApiPropertyOptional({ description: 'The buyer company' }) @IsOptional() @IsUUID() buyer?: string;
  @ApiPropertyOptional({ example: 'NMC-MOD-48V' }) @IsOptional() @IsString() @MaxLength(64) sku?: string;
  @ApiPropertyOptional(LIMIT) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(CURSOR, { message: 'after must be a cursor from a previous page' })
  after?: string;
}
