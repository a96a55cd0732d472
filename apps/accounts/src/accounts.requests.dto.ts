import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DECIMAL_PATTERN } from '@dealledger/domain';
import {
  ACCOUNT_TIERS,
  DECISION_ROLES,
  NACE_CODE,
  OPPORTUNITY_STAGES,
  STANCES,
  TARGET_KINDS,
  TEAM_PARTS,
  TOUCH_CHANNELS,
  type AccountTier,
  type DecisionRole,
  type OpportunityStage,
  type Stance,
  type TargetKind,
  type TeamPart,
  type TouchChannel,
} from '@dealledger/events';
import { IsTimestamp } from '@dealledger/platform';

export class TargetDto {
  @ApiProperty({ enum: TARGET_KINDS, description: '`company` (registered), `prospect` (not yet registered) or `industry` (NACE)' })
  @IsIn(TARGET_KINDS)
  kind: TargetKind;
  @ApiPropertyOptional({ description: 'kind company: the registered company' }) @IsOptional() @IsUUID() companyId?: string;
  @ApiPropertyOptional({ example: 'Karosseriewerke Nord GmbH', description: 'kind prospect or industry' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  name?: string;
  @ApiPropertyOptional({ example: 'HRB 98765', description: 'kind prospect: matched to the company when it registers' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  registrationNumber?: string;
  @ApiPropertyOptional({ example: 'DE', description: 'kind prospect: ISO 3166 country of registration' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166 code such as DE' })
  country?: string;
  @ApiPropertyOptional({ example: '29.32', description: 'kind industry: a NACE Rev. 2 section, division, group or class' })
  @IsOptional()
  @Matches(NACE_CODE, { message: 'naceCode must be a NACE Rev. 2 code such as C, 29, 29.3 or 29.32' })
  naceCode?: string;
}

export class TargetAccountRequest {
  @ApiProperty({ type: TargetDto }) @ValidateNested() @Type(() => TargetDto) target: TargetDto;
  @ApiProperty({ enum: ACCOUNT_TIERS }) @IsIn(ACCOUNT_TIERS) tier: AccountTier;
  @ApiProperty({ description: "A person of your company (the directory's) who owns the account" }) @IsUUID() ownerId: string;
}

export class TeamMemberRequest {
  @ApiProperty({ description: 'A person of your company' }) @IsUUID() personId: string;
  @ApiProperty({ enum: TEAM_PARTS }) @IsIn(TEAM_PARTS) part: TeamPart;
}

export class ContactDto {
  @ApiProperty({ example: 'Dr. Lena Brandt' }) @IsString() @IsNotEmpty() @MaxLength(200) name: string;
  @ApiProperty({ example: 'l.brandt@autowerk.example' }) @IsEmail() email: string;
  @ApiPropertyOptional({ example: 'https://www.linkedin.com/in/lena-brandt' })
  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'profileUrl must be an https URL' })
  @MaxLength(500)
  profileUrl?: string;
}

export class StakeholderRequest {
  @ApiPropertyOptional({ description: "The buyer's person as the directory knows them; or give `contact`" }) @IsOptional() @IsUUID() personId?: string;
  @ApiPropertyOptional({ type: ContactDto, description: 'Someone not in the directory: sealed with a key of their own, erasable' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactDto)
  contact?: ContactDto;
  @ApiProperty({ example: 'Head of purchasing, powertrain' }) @IsString() @IsNotEmpty() @MaxLength(200) position: string;
  @ApiProperty({ enum: DECISION_ROLES }) @IsIn(DECISION_ROLES) role: DecisionRole;
  @ApiProperty({ enum: STANCES }) @IsIn(STANCES) stance: Stance;
}

export class StakeholderChangeRequest {
  @ApiProperty({ enum: DECISION_ROLES }) @IsIn(DECISION_ROLES) role: DecisionRole;
  @ApiProperty({ enum: STANCES }) @IsIn(STANCES) stance: Stance;
}

export class TouchRequest {
  @ApiProperty({ enum: TOUCH_CHANNELS }) @IsIn(TOUCH_CHANNELS) channel: TouchChannel;
  @ApiProperty({ example: '2027-03-14T10:00:00Z', description: 'When it happened (not in the future)' }) @IsTimestamp() at: string;
  @ApiPropertyOptional({ description: 'One of your campaigns' }) @IsOptional() @IsUUID() campaignId?: string;
  @ApiProperty({ type: [String], description: 'Your people who took part' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @IsUUID(undefined, { each: true })
  sellerPeople: string[];
  @ApiProperty({ type: [String], description: "The account's stakeholders reached" })
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID(undefined, { each: true })
  stakeholderIds: string[];
  @ApiProperty({ example: 'Demonstrated the 48 V module on the test bench' }) @IsString() @IsNotEmpty() @MaxLength(2000) summary: string;
}

export class CampaignRequest {
  @ApiProperty({ example: 'IAA Transportation 2027' }) @IsString() @IsNotEmpty() @MaxLength(300) name: string;
  @ApiProperty({ enum: TOUCH_CHANNELS }) @IsIn(TOUCH_CHANNELS) channel: TouchChannel;
  @ApiProperty({ example: '2027-09-17T09:00:00Z' }) @IsTimestamp() startsAt: string;
}

export class OpportunityRequest {
  @ApiProperty({ description: 'One of your accounts (of a company or a prospect)' }) @IsUUID() accountId: string;
  @ApiProperty({ example: '48 V battery modules for the 2028 platform' }) @IsString() @IsNotEmpty() @MaxLength(300) title: string;
  @ApiProperty({ example: '2400000.00' })
  @Matches(DECIMAL_PATTERN, { message: 'expectedValue must be a decimal amount with at most 4 decimals, such as 2400000.00' })
  expectedValue: string;
  @ApiProperty({ example: 'EUR' }) @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' }) currency: string;
  @ApiProperty({ example: '20,000 modules a year' }) @IsString() @IsNotEmpty() @MaxLength(300) expectedVolume: string;
}

export class StageRequest {
  @ApiProperty({
    enum: ['contacted', 'qualified', 'lost'],
    description: 'By hand: forward to contacted or qualified, or lost with a reason; offer, negotiation and won follow the ledger',
  })
  @IsIn(OPPORTUNITY_STAGES)
  to: OpportunityStage;
  @ApiPropertyOptional({ example: 'Budget moved to 2029' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(2000) reason?: string;
}

export class ListQuery {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'after must be a cursor from a previous page' })
  after?: string;
}

export class OpportunityListQuery extends ListQuery {
  @ApiPropertyOptional({ enum: OPPORTUNITY_STAGES }) @IsOptional() @IsIn(OPPORTUNITY_STAGES) stage?: OpportunityStage;
  @ApiPropertyOptional() @IsOptional() @IsUUID() accountId?: string;
}

export class CommitteeQuery {
  @ApiPropertyOptional({ description: 'The map as it stood at this time (default: now)', example: '2027-03-01T00:00:00Z' })
  @IsOptional()
  @IsTimestamp()
  asOf?: string;
}

export class PipelineQuery {
  @ApiPropertyOptional({ default: 30, minimum: 1, maximum: 3650, description: 'Accounts with no touch in this many days are listed as stale' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  staleDays?: number;
}
