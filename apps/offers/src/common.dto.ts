import { DECIMAL_PATTERN } from '@dealledger/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export const DECIMAL = DECIMAL_PATTERN;
export const DECIMAL_MESSAGE = (field: string) => ({ message: `${field} must be a decimal amount with at most 4 decimals, such as 41.70` });

export class ReasonRequest {
  @ApiProperty({ example: 'Price above our target cost' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason: string;
}
