import { DECIMAL_PATTERN, QUANTITY_PATTERN } from '@dealledger/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export const DECIMAL = DECIMAL_PATTERN;
export const DECIMAL_MESSAGE = (field: string) => ({ message: `${field} must be a decimal amount with at most 4 decimals, such as 41.70` });
/** How the API documents a quantity (see QuantityInput): a decimal string; a whole JSON number is still taken. */
export const QUANTITY_DOC = {
  type: String,
  pattern: QUANTITY_PATTERN.source,
  description: 'An exact decimal quantity above zero with at most 4 decimals, such as "2.5" (t) or "1200"; a whole JSON number (1200) is taken too',
};

export class ReasonRequest {
  @ApiProperty({ example: 'Price above our target cost' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}
