import { DECIMAL_PATTERN } from '@dealledger/domain';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import type { EventDefinition } from '../catalog';
import { SealedPersonalData } from '../directory/directory.events';

/*
 * Account-based selling: a seller's plan for the companies (or industries) it targets. Every
 * event here is the seller's alone: its only party is `sellerId`, and no buyer ever reads it.
 */

const CURRENCY = /^[A-Z]{3}$/;
/** A NACE Rev. 2 code: a section letter, or a division, group or class ("C", "29", "29.3", "29.32"). */
export const NACE_CODE = /^(?:[A-U]|\d{2}(?:\.\d{1,2})?)$/;

export const ACCOUNT_TIERS = ['strategic', 'key', 'growth'] as const;
export type AccountTier = (typeof ACCOUNT_TIERS)[number];
export const TARGET_KINDS = ['company', 'prospect', 'industry'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
export const TEAM_PARTS = ['account_lead', 'sales', 'technical', 'legal', 'executive_sponsor'] as const;
export type TeamPart = (typeof TEAM_PARTS)[number];
/** The parts people play in the buyer's decision, as the seller maps them. */
export const DECISION_ROLES = ['user', 'influencer', 'technical_evaluator', 'decider', 'approver', 'gatekeeper', 'government_representative'] as const;
export type DecisionRole = (typeof DECISION_ROLES)[number];
export const STANCES = ['champion', 'supporter', 'neutral', 'sceptic', 'opponent'] as const;
export type Stance = (typeof STANCES)[number];
export const TOUCH_CHANNELS = ['conference', 'demonstration', 'direct_mail', 'email', 'call', 'visit', 'trade_publication', 'linkedin'] as const;
export type TouchChannel = (typeof TOUCH_CHANNELS)[number];
/** identified → contacted → qualified by hand; offer, negotiation, won and lost also follow the ledger's deals. */
export const OPPORTUNITY_STAGES = ['identified', 'contacted', 'qualified', 'offer', 'negotiation', 'won', 'lost'] as const;
export type OpportunityStage = (typeof OPPORTUNITY_STAGES)[number];
export const DEAL_KINDS = ['offer', 'tender'] as const;
export type DealKind = (typeof DEAL_KINDS)[number];

class AccountRef {
  @IsUUID() accountId: string;
  /** The selling company whose plan this is: the event's only party. */
  @IsUUID() sellerId: string;
}

/**
 * What the account targets: a registered company (`companyId`), a prospect not yet in the
 * directory (`name`, `registrationNumber`, `country`; linked to its company when it registers),
 * or a whole industry (`naceCode`, `name`). Fields another kind has are null.
 */
export class AccountTarget {
  @IsIn(TARGET_KINDS) kind: TargetKind;
  @IsOptional() @IsUUID() companyId: string | null;
  @IsOptional() @IsString() @MaxLength(300) name: string | null;
  @IsOptional() @IsString() @MaxLength(64) registrationNumber: string | null;
  @IsOptional() @Matches(/^[A-Z]{2}$/) country: string | null;
  @IsOptional() @Matches(NACE_CODE) naceCode: string | null;
}

export class AccountTargetedV1 extends AccountRef {
  @ValidateNested() @Type(() => AccountTarget) target: AccountTarget;
  @IsIn(ACCOUNT_TIERS) tier: AccountTier;
  /** The seller's person who owns the account. */
  @IsUUID() ownerId: string;
  @IsUUID() targetedBy: string;
}

export class AccountTeamAssignedV1 extends AccountRef {
  @IsUUID() personId: string;
  @IsIn(TEAM_PARTS) part: TeamPart;
  @IsUUID() assignedBy: string;
}

export class AccountTeamReleasedV1 extends AccountRef {
  @IsUUID() personId: string;
  @IsUUID() releasedBy: string;
}

/** The prospect registered in the directory (matched by registration number and country): the account now targets that company. */
export class ProspectRegisteredV1 extends AccountRef {
  @IsUUID() companyId: string;
}

/**
 * A person of the buyer on the seller's map of its buying committee: a directory person when
 * known (`personId`), otherwise a contact whose name, e-mail and profile URL are sealed with a
 * key of the stakeholder's own (`contact`, keyId = stakeholderId), erasable like a person's.
 */
export class StakeholderMappedV1 extends AccountRef {
  @IsUUID() stakeholderId: string;
  @IsOptional() @IsUUID() personId: string | null;
  @IsOptional() @ValidateNested() @Type(() => SealedPersonalData) contact: SealedPersonalData | null;
  /** Their position at the buyer, as the seller knows it ("Head of purchasing"). */
  @IsString() @MaxLength(200) position: string;
  @IsIn(DECISION_ROLES) role: DecisionRole;
  @IsIn(STANCES) stance: Stance;
  @IsUUID() mappedBy: string;
}

/** A stakeholder's role or stance changed: the map as of any date is the events up to it. */
export class StakeholderChangedV1 extends AccountRef {
  @IsUUID() stakeholderId: string;
  @IsIn(DECISION_ROLES) role: DecisionRole;
  @IsIn(STANCES) stance: Stance;
  @IsUUID() changedBy: string;
}

export class StakeholderRemovedV1 extends AccountRef {
  @IsUUID() stakeholderId: string;
  @IsUUID() removedBy: string;
}

/** A contact's name, e-mail and profile were erased: their key is deleted, the sealed record stays unreadable. */
export class ContactErasedV1 extends AccountRef {
  @IsUUID() stakeholderId: string;
  @IsOptional() @IsUUID() erasedBy: string | null;
}

/** A conference meeting, demonstration, mailing, e-mail, call, visit or campaign piece, with the people on both sides. */
export class TouchRecordedV1 extends AccountRef {
  @IsUUID() touchId: string;
  @IsIn(TOUCH_CHANNELS) channel: TouchChannel;
  /** When it happened (recorded after the fact, never in the future). */
  @IsISO8601() at: string;
  @IsOptional() @IsUUID() campaignId: string | null;
  /** The seller's people who took part. */
  @IsArray() @IsUUID(undefined, { each: true }) sellerPeople: string[];
  /** The buyer's stakeholders (of this account's map) reached. */
  @IsArray() @IsUUID(undefined, { each: true }) stakeholderIds: string[];
  @IsString() @MaxLength(2000) summary: string;
  @IsUUID() recordedBy: string;
}

/** A campaign groups touches of one channel (a trade fair, a mailing, a publication series); stream `campaign-<id>`. */
export class CampaignLaunchedV1 {
  @IsUUID() campaignId: string;
  @IsUUID() sellerId: string;
  @IsString() @MaxLength(300) name: string;
  @IsIn(TOUCH_CHANNELS) channel: TouchChannel;
  @IsISO8601() startsAt: string;
  @IsUUID() launchedBy: string;
}

class OpportunityRef {
  @IsUUID() opportunityId: string;
  @IsUUID() sellerId: string;
}

/** Stream `opportunity-<id>`: a deal the seller pursues with an account's company. */
export class OpportunityOpenedV1 extends OpportunityRef {
  @IsUUID() accountId: string;
  /** The buyer: the account's company (null while a prospect: its deals cannot move it yet). */
  @IsOptional() @IsUUID() buyerId: string | null;
  @IsString() @MaxLength(300) title: string;
  @Matches(DECIMAL_PATTERN) expectedValue: string;
  @Matches(CURRENCY) currency: string;
  /** What volume the seller expects, in its own words ("20,000 packs a year"). */
  @IsString() @MaxLength(300) expectedVolume: string;
  @IsUUID() openedBy: string;
}

/** The ledger's event that moved a stage by itself. */
export class StageCause {
  @IsString() eventType: string;
  @IsUUID() eventId: string;
  @IsIn(DEAL_KINDS) dealKind: DealKind;
  @IsUUID() dealId: string;
}

export class OpportunityStageMovedV1 extends OpportunityRef {
  @IsIn(OPPORTUNITY_STAGES) from: OpportunityStage;
  @IsIn(OPPORTUNITY_STAGES) to: OpportunityStage;
  /** Why it was won or lost (the buyer's rejection, another bidder's award, a price); null otherwise. */
  @IsOptional() @IsString() @MaxLength(2000) reason: string | null;
  /** The seller's person who moved it; null when the ledger's event did (`cause`). */
  @IsOptional() @IsUUID() movedBy: string | null;
  @IsOptional() @ValidateNested() @Type(() => StageCause) cause: StageCause | null;
  /** When the stage changed: the deal event's time for an automatic move. */
  @IsISO8601() at: string;
}

/** The deal (offer or tender) the opportunity follows from now on; set by its first automatic move. */
export class OpportunityDealLinkedV1 extends OpportunityRef {
  @IsIn(DEAL_KINDS) dealKind: DealKind;
  @IsUUID() dealId: string;
}

/**
 * A contract from the deal the opportunity follows came into force (ContractExecuted on the
 * contracts topic): what was actually signed, beside what was expected. A tender's lots may give
 * the seller several.
 */
export class OpportunityContractExecutedV1 extends OpportunityRef {
  @IsUUID() contractId: string;
  @Matches(DECIMAL_PATTERN) contractValue: string;
  @Matches(CURRENCY) currency: string;
  @IsISO8601() executedAt: string;
  @ValidateNested() @Type(() => StageCause) cause: StageCause;
}

type E<T extends string, D> = { type: T; data: D };
export type AccountEvent =
  | E<'AccountTargeted', AccountTargetedV1>
  | E<'AccountTeamAssigned', AccountTeamAssignedV1>
  | E<'AccountTeamReleased', AccountTeamReleasedV1>
  | E<'ProspectRegistered', ProspectRegisteredV1>
  | E<'StakeholderMapped', StakeholderMappedV1>
  | E<'StakeholderChanged', StakeholderChangedV1>
  | E<'StakeholderRemoved', StakeholderRemovedV1>
  | E<'ContactErased', ContactErasedV1>
  | E<'TouchRecorded', TouchRecordedV1>;
export type CampaignEvent = E<'CampaignLaunched', CampaignLaunchedV1>;
export type OpportunityEvent =
  | E<'OpportunityOpened', OpportunityOpenedV1>
  | E<'OpportunityStageMoved', OpportunityStageMovedV1>
  | E<'OpportunityDealLinked', OpportunityDealLinkedV1>
  | E<'OpportunityContractExecuted', OpportunityContractExecutedV1>;

const def = (type: string, schema: new () => object, description: string): EventDefinition => ({
  type,
  schemaVersion: 1,
  context: 'accounts',
  schema,
  description,
});

export const ACCOUNTS_EVENTS: EventDefinition[] = [
  def(
    'AccountTargeted',
    AccountTargetedV1,
    'A seller named a target account: a registered company, a prospect not yet registered, or an industry (NACE), with a tier and an owner.',
  ),
  def(
    'AccountTeamAssigned',
    AccountTeamAssignedV1,
    "One of the seller's people joined the account team, in a part (account lead, sales, technical, legal, executive sponsor).",
  ),
  def('AccountTeamReleased', AccountTeamReleasedV1, 'A person left the account team.'),
  def(
    'ProspectRegistered',
    ProspectRegisteredV1,
    "The account's prospect registered in the directory (matched by registration number and country): the account targets that company now.",
  ),
  def(
    'StakeholderMapped',
    StakeholderMappedV1,
    "The seller mapped a person of the buyer's buying committee: a directory person or a sealed contact, with a decision role and a stance.",
  ),
  def('StakeholderChanged', StakeholderChangedV1, "A stakeholder's decision role or stance changed."),
  def('StakeholderRemoved', StakeholderRemovedV1, "A stakeholder left the seller's map of the committee."),
  def(
    'ContactErased',
    ContactErasedV1,
    "A contact's name, e-mail and profile were erased: their key is deleted, the sealed record stays in the log unreadable.",
  ),
  def(
    'TouchRecorded',
    TouchRecordedV1,
    'A touch with the account: a conference meeting, demonstration, mailing, e-mail, call, visit or publication, with the people on both sides.',
  ),
  def('CampaignLaunched', CampaignLaunchedV1, 'The seller launched a campaign that groups touches of one channel.'),
  def('OpportunityOpened', OpportunityOpenedV1, "The seller opened an opportunity with an account's company: expected volume and value."),
  def(
    'OpportunityStageMoved',
    OpportunityStageMovedV1,
    "The opportunity moved stage: by one of the seller's people, or by the ledger's own deal events (an offer sent, a tender invitation, an acceptance, an award, a contract executed).",
  ),
  def('OpportunityDealLinked', OpportunityDealLinkedV1, 'The opportunity follows a deal of the ledger (an offer or a tender) from now on.'),
  def(
    'OpportunityContractExecuted',
    OpportunityContractExecutedV1,
    'A contract drafted from the deal the opportunity follows came into force: its value and currency as signed.',
  ),
];
