import type { TenderEvent } from '@dealledger/events';
import type { DeadlineChange, DeadlineRule } from '@dealledger/domain';

/**
 * A provisional award is due to become final at the end of its standstill period; a complaint
 * holds it until resolved (the last one dismissed sets the end again, at once if it passed).
 */
export function awardStandstillChange(event: TenderEvent): DeadlineChange {
  switch (event.type) {
    case 'TenderAwarded':
      return event.data.standstillUntil ? { due: event.data.standstillUntil } : 'keep';
    case 'AwardComplaintFiled':
      return 'clear';
    case 'AwardComplaintResolved':
      return !event.data.upheld && event.data.openComplaints === 0 ? { due: event.data.standstillUntil } : 'clear';
    case 'AwardAnnulled':
    case 'AwardFinalised':
    case 'TenderCancelled':
      return 'clear';
    default:
      return 'keep';
  }
}

export const AWARD_STANDSTILL: DeadlineRule = { kind: 'award-standstill', streamType: 'tender', change: (e) => awardStandstillChange(e as TenderEvent) };
