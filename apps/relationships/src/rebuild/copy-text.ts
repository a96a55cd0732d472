import type { Row } from '../projection/rows';

/** COPY's text format: backslash, tab and line breaks are the only characters to escape. */
export const copyText = (v: string) => (/[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v);

/** JSON text as COPY's text: `JSON.stringify` writes every control character escaped, so only a backslash needs it. */
export const copyJson = (v: string) => (v.includes('\\') ? v.replace(/\\/g, '\\\\') : v);

/**
 * A timeline row as a line of COPY's text format, as `copyText` would make each field: the
 * times are `toISOString()`'s text (nothing to escape) and the JSON is `JSON.stringify`'s. The
 * position is escaped all the same: the replay does not check a message's, and a backslash in
 * it would be an escape to COPY.
 */
export function copyLine(r: Row): string {
  return `${copyText(r.a)}\t${copyText(r.b)}\t${copyText(r.eventId)}\t${copyText(r.context)}\t${copyText(r.type)}\t${copyText(r.streamId)}\t${copyText(String(r.position))}\t${r.occurredAt}\t${r.recordedAt}\t${copyJson(r.parties)}\t${copyJson(r.data)}\n`;
}
