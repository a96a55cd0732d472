import fc from 'fast-check';
import type { Row } from '../projection/rows';
import { copyJson, copyLine, copyText } from './copy-text';

/** Every field through `copyText`: what `copyLine` must equal for the rows the read side makes. */
const everyFieldEscaped = (r: Row) =>
  [r.a, r.b, r.eventId, r.context, r.type, r.streamId, String(r.position), r.occurredAt, r.recordedAt, r.parties, r.data].map(copyText).join('\t') + '\n';

// Text with what COPY must escape, and what JSON escapes, more often than chance would give it.
const awkward = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('\\', '\t', '\n', '\r', '"', 'a', '\u0000', '\u2028', '\ud800', 'é') }),
);
const json = fc.oneof(fc.jsonValue(), fc.dictionary(awkward, awkward), fc.array(awkward)).map((v) => JSON.stringify(v));
const time = fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString());

describe('COPY text of a rebuild', () => {
  it('a timeline row as a line: the same as escaping every field', () => {
    const row = fc.record({
      a: awkward,
      b: awkward,
      eventId: fc.uuid(),
      context: awkward,
      type: awkward,
      streamId: awkward,
      // The replay does not check a message's position: any text may come as one.
      position: fc.oneof(
        fc.integer({ min: 0 }),
        awkward.map((t) => t as unknown as number),
      ),
      occurredAt: time,
      recordedAt: time,
      parties: json,
      data: json,
    });
    fc.assert(
      fc.property(row, (r) => expect(copyLine(r)).toBe(everyFieldEscaped(r))),
      { numRuns: 3000 },
    );
  });

  it('JSON text: the same as copyText', () => {
    fc.assert(
      fc.property(json, (t) => expect(copyJson(t)).toBe(copyText(t))),
      { numRuns: 3000 },
    );
    expect(copyJson(JSON.stringify({ path: 'C:\\tmp', line: 'a\tb\nc' }))).toBe('{"path":"C:\\\\\\\\tmp","line":"a\\\\tb\\\\nc"}');
  });
});
