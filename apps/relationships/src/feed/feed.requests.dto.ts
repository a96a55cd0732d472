import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class FeedQueryDto {
  @ApiPropertyOptional({ description: "Resume after this cursor (`next`, or an entry's `cursor`); from the beginning when absent" })
  @IsOptional()
  @IsString()
  after?: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: 30, description: 'Long poll: seconds to wait for the first new entry when there is none yet' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30)
  wait?: number;
}
