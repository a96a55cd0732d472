import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ActionKind, INBOX_KINDS } from './inbox';

export class InboxQueryDto {
  @ApiPropertyOptional({ enum: INBOX_KINDS, description: 'Only items of this kind' }) @IsOptional() @IsIn(INBOX_KINDS) kind?: ActionKind;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;

  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,600}$/, { message: 'after must be a cursor from a previous page' })
  after?: string;
}
