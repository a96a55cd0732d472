import fc from 'fast-check';
import { applyInboxOps, InboxItem, InboxOp, itemId } from '../inbox/inbox';
import { foldInboxOps, prefixEnd, reachOf } from './inbox-rows';

/** PostgreSQL's order for the key index (text_pattern_ops): the bytes of the UTF-8 text. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** What writeInboxOps's SELECT reads of `table` for `ops` (a row reached twice comes twice, as with UNION ALL). */
function reached(table: Map<string, InboxItem>, ops: InboxOp[]): InboxItem[] {
  const { keys, ranges } = reachOf(ops);
  const rows = [...table.values()];
  return [
    ...rows.filter((i) => keys.includes(i.key)),
    ...ranges.flatMap((r) => rows.filter((i) => byteOrder(i.key, r.from) >= 0 && (r.to === null || byteOrder(i.key, r.to) < 0))),
  ];
}

const sorted = (m: Map<string, InboxItem>) => [...m.entries()].sort(([a], [b]) => byteOrder(a, b));

// Few names, so that keys, prefixes and companies meet often; odd characters at the edges of the ranges.
const resources = ['offer:1', 'offer:10', 'offer:2', 'tender:1', 'contract:é', 'ticket:\u{10FFFF}'];
const suffixes = ['answer', 'due', 'sign:legal', 'sign:cfo', 'complaint:', 'complaint:l1:q1', 'complaint:l2:q1', 'evaluate:b1', '\u{10FFFF}', '\u{1F600}', ''];
const companies = ['', 'c1', 'c2'];
const key = fc.tuple(fc.constantFrom(...resources), fc.constantFrom(...suffixes)).map(([r, s]) => `${r}:${s}`);
const item = fc.record({
  companyId: fc.constantFrom(...companies),
  key,
  kind: fc.constantFrom('answer_offer' as const, 'sign_contract' as const, 'deadline' as const),
  role: fc.option(fc.constantFrom('legal', 'cfo'), { nil: null }),
  resource: fc.constantFrom('/offers/1', '/tenders/1'),
  reason: fc.string({ maxLength: 5 }),
  dueAt: fc.option(fc.constantFrom('2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'), { nil: null }),
  since: fc.constantFrom('2025-01-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z'),
});
const prefix = fc.oneof(
  fc.tuple(fc.constantFrom(...resources), fc.constantFrom('', 'sign:', 'complaint:', 'complaint:l1:', 'evaluate:', '\u{10FFFF}')).map(([r, s]) => `${r}:${s}`),
  // Shorter than a resource: reaches across resources (offer:1 reaches offer:10 too).
  fc.constantFrom('offer:1', 'offer', 'o', '\u{10FFFF}', 'ticket:\u{10FFFF}'),
);
const op: fc.Arbitrary<InboxOp> = fc.oneof(
  item.map((open) => ({ open })),
  fc.record({ companyId: fc.constantFrom(...companies), key }).map((close) => ({ close })),
  key.map((k) => ({ close: { key: k } })),
  prefix.map((keyPrefix) => ({ closeAll: { keyPrefix } })),
);

describe('the inbox written from a batch of ops in a few statements', () => {
  it('leaves the table as the ops applied one by one would, reading only the rows the closes of every company reach', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 25 }), fc.array(op, { maxLength: 40 }), (stored, ops) => {
        const table = new Map<string, InboxItem>(stored.map((i) => [itemId(i.companyId, i.key), i]));
        const expected = applyInboxOps(new Map(table), ops);
        const { deletes, upserts } = foldInboxOps(reached(table, ops), ops);
        for (const d of deletes) table.delete(itemId(d.companyId, d.key));
        for (const u of upserts) table.set(itemId(u.companyId, u.key), u);
        expect(sorted(table)).toEqual(sorted(expected));
        // Nothing is written twice, and a row is either deleted or written.
        const ids = [...deletes, ...upserts].map((x) => itemId(x.companyId, x.key));
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes only what the batch opened and deletes only what it closed', () => {
    const a = {
      companyId: 'c1',
      key: 'offer:1:answer',
      kind: 'answer_offer' as const,
      role: null,
      resource: '/offers/1',
      reason: 'r',
      dueAt: null,
      since: 's',
    };
    const b = { ...a, key: 'offer:1:sign:legal' };
    const c = { ...a, key: 'offer:2:answer' };
    const ops: InboxOp[] = [
      { open: { ...c, reason: 'again' } },
      { closeAll: { keyPrefix: 'offer:1:sign:' } },
      { close: { companyId: 'c2', key: 'offer:2:due' } },
    ];
    expect(reachOf(ops)).toEqual({ keys: [], ranges: [{ from: 'offer:1:sign:', to: 'offer:1:sign;' }] });
    expect(foldInboxOps([b], ops)).toEqual({
      deletes: [
        { companyId: 'c1', key: 'offer:1:sign:legal' },
        { companyId: 'c2', key: 'offer:2:due' },
      ],
      upserts: [{ ...c, reason: 'again' }],
    });
    // `a` is stored but not reached: left alone.
    expect(foldInboxOps([a, b], [{ close: { key: 'offer:1:answer' } }]).deletes).toEqual([{ companyId: 'c1', key: 'offer:1:answer' }]);
  });

  it('bounds a prefix range in code point order, exactly the strings that start with it', () => {
    const unit = fc.constantFrom('a', 'b', ':', ';', 'é', '\uD7FF', '\uE000', '\uFFFF', '\u{10000}', '\u{1F600}', '\u{10FFFF}');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 4 }), fc.string({ unit, maxLength: 6 }), (p, s) => {
        const end = prefixEnd(p);
        const inRange = byteOrder(s, p) >= 0 && (end === null || byteOrder(s, end) < 0);
        expect(inRange).toBe(s.startsWith(p));
      }),
      { numRuns: 5000 },
    );
    expect(prefixEnd('offer:1:')).toBe('offer:1;');
    expect(prefixEnd('a\u{10FFFF}')).toBe('b');
    expect(prefixEnd('\uD7FF')).toBe('\uE000');
    expect(prefixEnd('\u{10FFFF}')).toBeNull();
    expect(prefixEnd('')).toBeNull();
  });
});
