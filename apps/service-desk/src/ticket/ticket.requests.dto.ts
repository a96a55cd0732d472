import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { SEVERITIES, Severity } from '@dealledger/events';

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
