import { DECIMAL_PATTERN, QUANTITY_PATTERN, unitCode, UNITS } from '@dealledger/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateBy } from 'class-validator';

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

/** A unit of measure from the documented list (libs/domain/src/units.ts): a Rec 20 code, its name or a usual abbreviation. */
export function IsUnitOfMeasure(): PropertyDecorator {
  return ValidateBy({
    name: 'isUnitOfMeasure',
    validator: {
      validate: (value) => typeof value === 'string' && unitCode(value) !== null,
      defaultMessage: () =>
        `unit must be a UN/ECE Recommendation 20 code or a name on the list (${UNITS.map((u) => `${u.code} ${u.name}`).join(', ')}; also abbreviations such as t, kg, pcs)`,
    },
  });
}
export const UNIT_DOC = {
  example: 'piece',
  description: 'A unit of measure: a UN/ECE Recommendation 20 code (H87, KGM, TNE, MTR, LTR, KWH, …), its name or a usual abbreviation (piece, kg, t, m, l)',
};
