import type { TenderEvent } from '@dealledger/events';
import type { DeadlineChange, DeadlineRule } from '@dealledger/domain';

/**
 * A provisional award is due to become final at the end of its standstill period; a complaint
 * holds it until resolved (the last one dismissed sets the end again, at once if it passed).
 * One deadline per lot, keyed by its id (unkeyed for a tender awarded whole).
 */
export function awardStandstillChange(event: TenderEvent): DeadlineChange {
  switch (event.type) {
    case 'TenderAwarded':
      return event.data.standstillUntil ? { due: event.data.standstillUntil, key: event.data.lotId } : 'keep';
    case 'AwardComplaintFiled':
      return { clear: event.data.lotId };
    case 'AwardComplaintResolved':
      return !event.data.upheld && event.data.openComplaints === 0 ? { due: event.data.standstillUntil, key: event.data.lotId } : { clear: event.data.lotId };
    case 'AwardAnnulled':
    case 'AwardFinalised':
      return { clear: event.data.lotId };
    case 'TenderCancelled':
      return 'clear';
    default:
      return 'keep';
  }
}

export const AWARD_STANDSTILL: DeadlineRule = { kind: 'award-standstill', streamType: 'tender', change: (e) => awardStandstillChange(e as TenderEvent) };
