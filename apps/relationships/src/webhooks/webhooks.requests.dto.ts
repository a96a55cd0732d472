import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DELIVERY_STATUSES, DeliveryStatus } from './webhooks.service';

export class RegisterWebhookDto {
  @ApiProperty({ description: "Where deliveries go: http(s), on the installation's allowed list (WEBHOOK_ALLOWED_URLS)" })
  @IsString()
  @MaxLength(2000)
  url: string;

  @ApiPropertyOptional({ type: [String], description: 'Event types to deliver (`*` or none: all)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({ description: 'Deliver from after this feed cursor (`0`: the whole past); from now on when absent' })
  @IsOptional()
  @IsString()
  after?: string;
}

export class ReplayWebhookDto {
  @ApiProperty({ description: 'Deliver again everything after this feed cursor' }) @IsString() after: string;
}

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES }) @IsOptional() @IsIn(DELIVERY_STATUSES) status?: DeliveryStatus;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}
