import type { Requester } from '@dealledger/domain';
import type { AccountTarget, AccountTier, DecisionRole, SealedPersonalData, Stance, TeamPart, TouchChannel } from '@dealledger/events';

interface Base {
  accountId: string;
  requester: Requester;
  now: Date;
}

/**
 * The handler checks what needs a read table: one account per seller and target, and that
 * `ownerId` is a person of the seller.
 */
export type TargetAccount = Base & { type: 'TargetAccount'; sellerId: string; target: AccountTarget; tier: AccountTier; ownerId: string };
/** `personId`: a person of the seller, as the handler checked against the directory. */
export type AssignTeamMember = Base & { type: 'AssignTeamMember'; personId: string; part: TeamPart };
export type ReleaseTeamMember = Base & { type: 'ReleaseTeamMember'; personId: string };
/** Issued by the directory feed when the prospect registers: no requester. */
export type RegisterProspect = { type: 'RegisterProspect'; accountId: string; companyId: string; now: Date };
/** Exactly one of `personId` (a directory person) and `contact` (sealed by the handler with the key `stakeholderId`). */
export type MapStakeholder = Base & {
  type: 'MapStakeholder';
  stakeholderId: string;
  personId: string | null;
  contact: SealedPersonalData | null;
  position: string;
  role: DecisionRole;
  stance: Stance;
};
export type ChangeStakeholder = Base & { type: 'ChangeStakeholder'; stakeholderId: string; role: DecisionRole; stance: Stance };
export type RemoveStakeholder = Base & { type: 'RemoveStakeholder'; stakeholderId: string };
/** `requester` null: an operator erases (the handler deletes the contact's key). */
export type EraseContact = Omit<Base, 'requester'> & { type: 'EraseContact'; stakeholderId: string; requester: Requester | null };
/** `campaignId` and `sellerPeople` are checked by the handler (the seller's campaign, the seller's people). */
export type RecordTouch = Base & {
  type: 'RecordTouch';
  touchId: string;
  channel: TouchChannel;
  at: string;
  campaignId: string | null;
  sellerPeople: string[];
  stakeholderIds: string[];
  summary: string;
};

export type AccountCommand =
  TargetAccount | AssignTeamMember | ReleaseTeamMember | RegisterProspect | MapStakeholder | ChangeStakeholder | RemoveStakeholder | EraseContact | RecordTouch;
