import { describe as line } from './describe';
import { summarize } from './summary';
import type { TimelineEvent } from './timeline-event';
import { asSeenBy } from './visibility';

const B = 'b0000000-0000-4000-8000-000000000001'; // buyer
const S = 'a0000000-0000-4000-8000-000000000002'; // supplier
const S2 = 'c0000000-0000-4000-8000-000000000003'; // competitor
const D = 'd0000000-0000-4000-8000-000000000004'; // distributor
const E = 'e0000000-0000-4000-8000-000000000005'; // end buyer
let n = 0;
const ev = (type: string, data: any, parties: string[]): TimelineEvent => ({
  eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  context: 'test',
  type,
  streamId: 'x',
  occurredAt: new Date(Date.UTC(2026, 0, 1 + n)).toISOString(),
  recordedAt: new Date(Date.UTC(2026, 0, 1 + n)).toISOString(),
  position: n,
  parties,
  data,
});
const name = (id: string) => ({ [B]: 'Buyer', [S]: 'SupA', [S2]: 'SupB', [D]: 'Dist', [E]: 'End' })[id] ?? id;
const t = { tenderId: 't1', buyerId: B, title: 'Brakes' };
const ranking = [
  { supplierId: S2, total: '900.00', weightedScore: 8.1, rank: 1 },
  { supplierId: S, total: '1000.00', weightedScore: 7.2, rank: 2 },
];
const tender = (publicProcurement: boolean) => [
  ev('SuppliersInvited', { ...t, supplierIds: [S, S2] }, [B, S, S2]),
  ev(
    'TenderClosed',
    {
      ...t,
      closedAt: 'x',
      bids: [
        { supplierId: S, total: '1000.00', priceScore: 9 },
        { supplierId: S2, total: '900.00', priceScore: 10 },
      ],
    },
    [B, S, S2],
  ),
  ev('BidEvaluated', { ...t, supplierId: S, bidId: 'b1', evaluatorId: 'p1', evaluatorRoles: ['procurement'], scores: { quality: 6 } }, [B, S]),
  ev(
    'TenderAwarded',
    {
      ...t,
      supplierId: S2,
      bidId: 'b2',
      publicProcurement,
      currency: 'EUR',
      items: [{ itemId: 'i', unitPrice: '9.00' }],
      total: '900.00',
      weightedScore: 8.1,
      ranking,
    },
    [B, S, S2],
  ),
];

describe('what each party sees of the events between two companies', () => {
  it('shows a bidder only its own part of a private tender: no rival named, priced, scored or ranked, and not who won', () => {
    const seen = asSeenBy(tender(false), S);
    expect(JSON.stringify(seen)).not.toContain(S2);
    expect(JSON.stringify(seen)).not.toContain('900.00');
    expect(seen.map((e) => line(e, name))).toEqual([
      'Buyer invited SupA to tender',
      'Tender closed and the bids were opened',
      'An evaluator of Buyer scored the bid of SupA',
      'Buyer awarded “Brakes” to another bidder',
    ]);
    expect(seen[2].data.scores).toBeUndefined();
    // Its own bid, without the price score that would tell the lowest total; its loss still counts.
    expect(seen[1].data.bids).toEqual([{ supplierId: S, total: '1000.00' }]);
    expect(seen[3].data.ranking).toEqual([{ supplierId: S, total: '1000.00', rank: 2 }]);
    expect(summarize(seen, [B, S]).tenders).toMatchObject({ invited: 1, won: 0, lost: 1 });
  });

  it("publishes a public tender's award (winner, value) to a loser, and of the ranking only its own entry and the winner's", () => {
    const seen = asSeenBy(tender(true), S);
    expect(line(seen[3], name)).toBe('Buyer awarded “Brakes” to SupB — 900.00 EUR');
    expect(seen[3].data.ranking.map((r: { supplierId: string }) => r.supplierId)).toEqual([S2, S]);
    expect(seen[1].data.bids.map((b: { supplierId: string }) => b.supplierId)).toEqual([S]);
  });

  it('shows the buyer everything', () => {
    const all = tender(false);
    expect(asSeenBy(all, B)).toEqual(all);
  });

  it('keeps a draft offer from the buyer until it is submitted', () => {
    const drafted = ev('OfferDrafted', { offerId: 'o1', supplierId: S, buyerId: B, items: [], validUntil: '2026-03-01T00:00:00Z' }, [S, B]);
    expect(asSeenBy([drafted], B)).toEqual([]);
    expect(asSeenBy([drafted], S)).toEqual([drafted]);
    const submitted = ev('OfferSubmitted', { offerId: 'o1', supplierId: S, buyerId: B, revision: 0 }, [S, B]);
    expect(asSeenBy([drafted, submitted], B)).toEqual([drafted, submitted]);
  });

  it("tells the maker that its goods were resold downstream, not the reseller's cost, price, margin or quantity", () => {
    const resold = ev(
      'LotResold',
      {
        lotId: 'l',
        ownerId: D,
        originSupplierId: S,
        resaleId: 'r',
        buyerId: E,
        sku: 'BRK',
        quantity: '40',
        unitPrice: '12.00',
        unitCost: '9.00',
        margin: '120.00',
        currency: 'EUR',
      },
      [D, E, S],
    );
    const [seen] = asSeenBy([resold], S);
    expect(seen.data).toEqual({ lotId: 'l', ownerId: D, originSupplierId: S, resaleId: 'r', buyerId: E, sku: 'BRK', currency: 'EUR' });
    expect(line(seen, name)).toBe('Dist resold BRK (made by SupA) to End');
    expect(summarize([seen], [S, E]).resales).toMatchObject({ count: 1, volume: '0' });
    expect(asSeenBy([resold], E)[0].data.quantity).toBe('40');
    expect(asSeenBy([resold], D)[0].data.margin).toBe('120.00');
  });
});
