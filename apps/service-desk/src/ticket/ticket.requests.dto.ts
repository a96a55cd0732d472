import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { SEVERITIES, Severity } from '@dealledger/events';
import { TICKET_LIST_STATUSES, TICKET_ROLES, type TicketListStatus, type TicketRole } from './list/ticket-list';

export class OpenTicketRequest {
  @ApiProperty({ description: 'The executed contract the product was supplied under' }) @IsUUID() contractId: string;
  @ApiProperty({ example: 'HU-10IN', description: 'The contract item concerned' }) @IsString() @IsNotEmpty() @MaxLength(64) sku: string;
  @ApiProperty({ enum: SEVERITIES }) @IsIn(SEVERITIES) severity: Severity;
  @ApiProperty({ example: 'Head unit reboots on cold start below -10 °C' }) @IsString() @IsNotEmpty() @MaxLength(4000) description: string;
}

export class NoteRequest {
  @ApiProperty({ example: 'Needs the R&D team' }) @IsString() @IsNotEmpty() @MaxLength(4000) note: string;
}

export class ResolveRequest {
  @ApiProperty({ example: 'Firmware 2.3.1 rolled out' }) @IsString() @IsNotEmpty() @MaxLength(4000) resolution: string;
}

export class ReopenRequest {
  @ApiProperty({ example: 'Fault is back after two days' }) @IsString() @IsNotEmpty() @MaxLength(4000) reason: string;
}

export class CloseRequest {
  @ApiProperty({ minimum: 1, maximum: 5, description: 'How satisfied the buyer is with the service' }) @IsInt() @Min(1) @Max(5) satisfaction: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) comment?: string;
}

export class TicketListQueryDto {
  @ApiPropertyOptional({ enum: TICKET_ROLES, description: 'Tickets you opened (as the buyer) or answer (as the supplier); both when omitted' })
  @IsOptional()
  @IsIn(TICKET_ROLES)
  role?: TicketRole;

  @ApiPropertyOptional({ enum: TICKET_LIST_STATUSES }) @IsOptional() @IsIn(TICKET_LIST_STATUSES) status?: TicketListStatus;
  @ApiPropertyOptional({ enum: SEVERITIES }) @IsOptional() @IsIn(SEVERITIES) severity?: Severity;
  @ApiPropertyOptional({ description: 'The contract the tickets were opened under' }) @IsOptional() @IsUUID() contract?: string;

  @ApiPropertyOptional({
    example: 4,
    description:
      'Hours: tickets with a response or resolution deadline still running that falls due within them from now (or has passed, its breach not yet recorded)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 3 })
  @Min(0)
  @Max(8760)
  slaAtRisk?: number;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: an SLA breach was recorded; false: none' })
  @IsOptional()
  @IsIn(['true', 'false'])
  breached?: 'true' | 'false';

  @ApiPropertyOptional({ description: "Full-text search: words in the sku and description, or in the counterparty's name (web-search syntax)" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;

  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'after must be a cursor from a previous page' })
  after?: string;
}
