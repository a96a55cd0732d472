import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { DECIMAL_PATTERN, QUANTITY_PATTERN } from '@dealledger/domain';
import { QuantityInput, QuantityOrZeroInput, SEVERITIES, type Severity } from '@dealledger/events';
import { DocumentRefInput, IsTimestamp } from '@dealledger/platform';

const QUANTITY = {
  type: String,
  pattern: QUANTITY_PATTERN.source,
  description: 'An exact decimal quantity such as "2.5" or "1200", in the call-off line\'s unit',
};
const AMOUNT = (field: string) => ({ message: `${field} must be a decimal amount with at most 4 decimals, such as 41.70` });
const text = (max: number) => [IsString(), IsNotEmpty(), MaxLength(max)];
/** Optional documents by the hash POST /documents answered: at most 20, each uploaded by your company. */
const documents = (description: string): PropertyDecorator[] => [
  ApiPropertyOptional({ type: DocumentRefInput, isArray: true, maxItems: 20, description }),
  IsOptional(),
  IsArray(),
  ArrayMaxSize(20),
  ValidateNested({ each: true }),
  Type(() => DocumentRefInput),
];
const apply =
  (...ds: PropertyDecorator[]): PropertyDecorator =>
  (t, k) =>
    ds.forEach((d) => d(t, k));

export class DispatchLineDto {
  @ApiProperty({ example: 'S355-PLATE' }) @apply(...text(64)) sku: string;
  @ApiProperty({ ...QUANTITY, example: '120.5' }) @QuantityInput() quantity: string;
  @ApiPropertyOptional({ example: 'HX-2027-0412' }) @IsOptional() @IsString() @MaxLength(64) batch?: string;
  @ApiPropertyOptional({ type: [String], example: ['SN-0001', 'SN-0002'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10000)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  serialNumbers?: string[];
}

export class DispatchRequest {
  @ApiProperty({ type: DispatchLineDto, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => DispatchLineDto)
  lines: DispatchLineDto[];

  @ApiProperty({ example: 'DB Schenker' }) @apply(...text(200)) carrier: string;
  @ApiPropertyOptional({ example: '00340434161094042557' }) @IsOptional() @IsString() @MaxLength(100) trackingNumber?: string;
  @ApiProperty({ example: '2027-03-14', description: 'When the goods are expected at the buyer (a day or a time)' }) @IsTimestamp() expectedArrival: string;

  @apply(...documents('Delivery note, material certificates (EN 10204 3.1), CE declaration: uploaded first with POST /documents'))
  documents?: DocumentRefInput[];
}

export class ReceiptLineDto {
  @ApiProperty({ example: 'S355-PLATE' }) @apply(...text(64)) sku: string;
  @ApiProperty({ ...QUANTITY, example: '120.5', description: 'What arrived (may be less than dispatched, never more)' })
  @QuantityOrZeroInput()
  received: string;
  @ApiProperty({ ...QUANTITY, example: '118', description: 'What passed inspection; the rest of what arrived is rejected' })
  @QuantityOrZeroInput()
  accepted: string;
  @ApiPropertyOptional({ example: 'Two plates with surface cracks', description: 'Required when anything is rejected' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class RejectionTicketDto {
  @ApiProperty({ enum: SEVERITIES }) @IsIn(SEVERITIES) severity: Severity;
  @ApiProperty({ example: 'S355-PLATE' }) @apply(...text(64)) sku: string;
  @ApiProperty({ example: 'Surface cracks on two plates of batch HX-2027-0412' }) @apply(...text(4000)) description: string;
}

export class ReceiptRequest {
  @ApiProperty({ type: ReceiptLineDto, isArray: true, description: 'One line for every line of the delivery' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ReceiptLineDto)
  lines: ReceiptLineDto[];

  @ApiPropertyOptional({ type: RejectionTicketDto, description: 'Open a service ticket for rejected goods in the same step (the service desk opens it)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RejectionTicketDto)
  ticket?: RejectionTicketDto;

  @apply(...documents('An inspection report and the like: uploaded first with POST /documents'))
  documents?: DocumentRefInput[];
}

export class InvoiceLineDto {
  @ApiProperty({ example: 'S355-PLATE' }) @apply(...text(64)) sku: string;
  @ApiProperty({ ...QUANTITY, example: '118' }) @QuantityInput() quantity: string;
  @ApiProperty({ example: '940.00' }) @Matches(DECIMAL_PATTERN, AMOUNT('unitPrice')) unitPrice: string;
  @ApiProperty({ example: '19', description: 'VAT rate of the line in percent (0 to 100)' }) @Matches(DECIMAL_PATTERN, AMOUNT('vatRate')) vatRate: string;
}

export class InvoiceRequest {
  @ApiProperty({ example: 'INV-2027-00042', description: "The supplier's invoice number" }) @apply(...text(64)) number: string;
  @ApiProperty({ example: 'EUR' }) @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' }) currency: string;

  @ApiProperty({ type: InvoiceLineDto, isArray: true, description: 'One line per call-off line invoiced' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => InvoiceLineDto)
  lines: InvoiceLineDto[];

  @ApiPropertyOptional({
    example: '2027-05-01',
    description: "Only when the contract's payment terms are not in a recognised form; otherwise the due date follows from them",
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dueDate must be a day such as 2027-05-01' })
  dueDate?: string;
}

export class WithdrawRequest {
  @ApiProperty({ example: 'Wrong unit price on line 1' }) @apply(...text(2000)) reason: string;
}

export class PayRequest {
  @ApiProperty({ example: '134232.00', description: 'The amount payable today (the view shows it: less the early-payment discount while it runs)' })
  @Matches(DECIMAL_PATTERN, AMOUNT('amount'))
  amount: string;
}
