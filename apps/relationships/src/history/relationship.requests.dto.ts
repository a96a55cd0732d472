import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { COUNTERPARTY_SORTS } from './relationship.queries';

export class CounterpartyQueryDto {
  @ApiPropertyOptional({ enum: COUNTERPARTY_SORTS, default: 'lastActivity' })
  @IsOptional()
  @IsIn(COUNTERPARTY_SORTS)
  sort?: (typeof COUNTERPARTY_SORTS)[number];
  @ApiPropertyOptional({ example: 'EUR', description: 'The currency of `sort=value`' }) @IsOptional() @Matches(/^[A-Z]{3}$/) currency?: string;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;

  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,300}$/, { message: 'after must be a cursor from a previous page' })
  after?: string;
}
