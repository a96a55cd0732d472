import { SIGNED_DECIMAL_PATTERN } from '@dealledger/domain';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import type { EventDefinition, Upcaster } from '../catalog';
import { IsQuantity, IsQuantityOrZero, withDecimalQuantities } from '../offers/quantity.schema';

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

// ---- version 2: quantities are exact decimal strings ("2.5" tonnes, "1200" pieces) ----

export class LotRecordedV2 {
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
  @IsQuantity() quantity: string;
  @Matches(DECIMAL) unitCost: string;
  @Matches(/^[A-Z]{3}$/) currency: string;
}

export class LotResoldV2 {
  @IsUUID() lotId: string;
  @IsUUID() ownerId: string;
  @IsUUID() originSupplierId: string;
  @IsUUID() resaleId: string;
  @IsUUID() buyerId: string;
  @IsString() sku: string;
  @IsQuantity() quantity: string;
  @Matches(DECIMAL) unitPrice: string;
  @Matches(DECIMAL) unitCost: string;
  /** quantity x unit price - quantity x unit cost, each rounded half-up to 4 decimals; negative when sold at a loss. */
  @Matches(DECIMAL) margin: string;
  @Matches(/^[A-Z]{3}$/) currency: string;
  /** What the lot has left after this resale. */
  @IsQuantityOrZero() remaining: string;
  @IsOptional() @IsUUID() downstreamContractId: string | null;
}

// ---- version 3: a lot from a contract names the delivery its goods were received on ----

export class LotSourceV3 extends LotSource {
  /** The fulfilment delivery the goods were received and accepted on; null from a resale, and for lots recorded before version 3. */
  @IsOptional() @IsUUID() deliveryId: string | null;
}

export class LotRecordedV3 {
  @IsUUID() lotId: string;
  /** The intermediary that received the goods. */
  @IsUUID() ownerId: string;
  /** Who sold them to it: the contract's supplier or the upstream intermediary. */
  @IsUUID() sellerId: string;
  /** The maker at the start of the chain. */
  @IsUUID() originSupplierId: string;
  @ValidateNested() @Type(() => LotSourceV3) source: LotSourceV3;
  @IsString() sku: string;
  @IsString() description: string;
  @IsQuantity() quantity: string;
  /** From a contract: the matched invoice price, else the call-off line's; from a resale: its price. */
  @Matches(DECIMAL) unitCost: string;
  @Matches(/^[A-Z]{3}$/) currency: string;
}

type E<T extends string, D> = { type: T; data: D };
export type LotEvent = E<'LotRecorded', LotRecordedV3> | E<'LotResold', LotResoldV2>;

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
  {
    type: 'LotRecorded',
    schemaVersion: 2,
    context: 'resale',
    schema: LotRecordedV2,
    description:
      'An intermediary recorded a stock lot it received, with its source. Version 2: the quantity is an exact decimal string (version 1: an integer).',
  },
  {
    type: 'LotResold',
    schemaVersion: 2,
    context: 'resale',
    schema: LotResoldV2,
    description:
      'An intermediary resold part of a lot to a downstream buyer; the margin is derived. Version 2: quantity and remaining are exact decimal strings (version 1: integers).',
  },
  {
    type: 'LotRecorded',
    schemaVersion: 3,
    context: 'resale',
    schema: LotRecordedV3,
    description:
      'An intermediary recorded a stock lot it received, with its source. Version 3: a lot from a contract names the delivery it was received on (source.deliveryId) and holds at most what was accepted on it, at the matched invoice price (version 2: no delivery).',
  },
];

const withNoDelivery = (source: unknown): unknown => (source !== null && typeof source === 'object' ? { ...source, deliveryId: null } : source);

/**
 * Version 1 -> 2 of the resale events: each integer quantity becomes its decimal string (5 -> "5").
 * LotRecorded 2 -> 3: a lot recorded before names no delivery (deliveryId null).
 */
export const RESALE_UPCASTERS: Upcaster[] = [
  { type: 'LotRecorded', fromVersion: 1, upcast: (d) => withDecimalQuantities(d, 'quantity') },
  { type: 'LotResold', fromVersion: 1, upcast: (d) => withDecimalQuantities(d, 'quantity', 'remaining') },
  { type: 'LotRecorded', fromVersion: 2, upcast: (d) => ({ ...d, source: withNoDelivery(d.source) }) },
];
