import { SIGNED_DECIMAL_PATTERN } from '@dealledger/domain';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import type { EventDefinition } from '../catalog';

const DECIMAL = SIGNED_DECIMAL_PATTERN;

/** Where a lot came from: a supplier under an executed contract, or another intermediary's resale. */
export class LotSource {
  @IsIn(['contract', 'resale']) kind: 'contract' | 'resale';
  @IsOptional() @IsUUID() contractId: string | null;
  @IsOptional() @IsUUID() callOffId: string | null;
  @IsOptional() @IsUUID() upstreamLotId: string | null;
  @IsOptional() @IsUUID() resaleId: string | null;
}

export class LotRecordedV1 {
  @IsUUID() lotId: string;
  /** The intermediary that received the goods. */
  @IsUUID() ownerId: string;
  /** Who sold them to it: the contract's supplier or the upstream intermediary. */
  @IsUUID() sellerId: string;
  /** The maker at the start of the chain. */
  @IsUUID() originSupplierId: string;
  @ValidateNested() @Type(() => LotSource) source: LotSource;
  @IsString() sku: string;
  @IsString() description: string;
  @IsInt() @Min(1) quantity: number;
  @Matches(DECIMAL) unitCost: string;
  @Matches(/^[A-Z]{3}$/) currency: string;
}

export class LotResoldV1 {
  @IsUUID() lotId: string;
  @IsUUID() ownerId: string;
  @IsUUID() originSupplierId: string;
  @IsUUID() resaleId: string;
  @IsUUID() buyerId: string;
  @IsString() sku: string;
  @IsInt() @Min(1) quantity: number;
  @Matches(DECIMAL) unitPrice: string;
  @Matches(DECIMAL) unitCost: string;
  /** (unit price - unit cost) x quantity; negative when sold at a loss. */
  @Matches(DECIMAL) margin: string;
  @Matches(/^[A-Z]{3}$/) currency: string;
  @IsInt() @Min(0) remaining: number;
  @IsOptional() @IsUUID() downstreamContractId: string | null;
}

type E<T extends string, D> = { type: T; data: D };
export type LotEvent = E<'LotRecorded', LotRecordedV1> | E<'LotResold', LotResoldV1>;

export const RESALE_EVENTS: EventDefinition[] = [
  {
    type: 'LotRecorded',
    schemaVersion: 1,
    context: 'resale',
    schema: LotRecordedV1,
    description: 'An intermediary recorded a stock lot it received, with its source.',
  },
  {
    type: 'LotResold',
    schemaVersion: 1,
    context: 'resale',
    schema: LotResoldV1,
    description: 'An intermediary resold part of a lot to a downstream buyer; the margin is derived.',
  },
];
