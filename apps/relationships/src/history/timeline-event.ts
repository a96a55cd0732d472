/** One event as the relationships read side keeps it for a pair of companies. */
export interface TimelineEvent {
  eventId: string;
  context: string;
  type: string;
  streamId: string;
  occurredAt: string;
  recordedAt: string;
  position: number;
  parties: string[];
  data: any;
}

/** Timeline order: business time, then recording time, then the producing context's log. */
export function byTime(a: TimelineEvent, b: TimelineEvent): number {
  return a.occurredAt.localeCompare(b.occurredAt) || a.recordedAt.localeCompare(b.recordedAt) || a.context.localeCompare(b.context) || a.position - b.position;
}
