import { describe as line } from './describe';
import { pairsOf } from './pairs';
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

  describe('an award under standstill: complaints, annulment, award anew, final award', () => {
    const award = (winner: string, publicProcurement: boolean) => ({
      ...t,
      supplierId: winner,
      bidId: `b-${winner}`,
      publicProcurement,
      currency: 'EUR',
      items: [{ itemId: 'i', unitPrice: '9.00' }],
      total: winner === S2 ? '900.00' : '1000.00',
      weightedScore: 8.1,
      ranking,
    });
    const all = [B, S, S2];
    const lifecycle = (publicProcurement: boolean) => [
      ev('TenderAwarded', { ...award(S2, publicProcurement), standstillUntil: '2026-02-10T00:00:00.000Z' }, all),
      ev('AwardComplaintFiled', { ...t, complaintId: 'k1', supplierId: S, filedBy: 'p-s', grounds: 'quality misjudged' }, [B, S]),
      ev(
        'AwardComplaintResolved',
        {
          ...t,
          complaintId: 'k1',
          supplierId: S,
          resolvedBy: 'p-b',
          upheld: true,
          resolution: 'rescored',
          openComplaints: 1,
          standstillUntil: '2026-02-10T00:00:00.000Z',
        },
        [B, S],
      ),
      ev('AwardAnnulled', { ...t, supplierId: S2, bidId: `b-${S2}`, bidders: [S2, S], reason: 'complaint upheld' }, all),
      ev('TenderAwarded', { ...award(S, publicProcurement), standstillUntil: '2026-02-20T00:00:00.000Z' }, all),
      ev('AwardFinalised', { ...award(S, publicProcurement), standstillUntil: '2026-02-20T00:00:00.000Z' }, all),
    ];

    /** The events of the pair (buyer, supplier), as the timeline keeps them. */
    const timelineOf = (events: TimelineEvent[], supplier: string) =>
      events.filter((e) => pairsOf(e).some(([a, b]) => [a, b].includes(B) && [a, b].includes(supplier)));

    it("tells the complainant, a loser of a private tender at first, nothing of the former winner, nor of others' complaints", () => {
      const seen = asSeenBy(timelineOf(lifecycle(false), S), S);
      expect(seen).toHaveLength(6);
      expect(JSON.stringify(seen.slice(0, 4))).not.toContain(S2);
      expect(JSON.stringify(seen.slice(0, 4))).not.toContain('900.00');
      expect(seen[2].data.openComplaints).toBeUndefined();
      expect(seen[3].data).toEqual({ ...t, bidders: [S], reason: 'complaint upheld' });
      expect(seen.map((e) => line(e, name))).toEqual([
        'Buyer awarded “Brakes” to another bidder (provisional until 2026-02-10)',
        'SupA complained about the award: quality misjudged',
        'Buyer upheld the complaint of SupA: rescored',
        'Buyer annulled the award to another bidder, to award the tender anew: complaint upheld',
        'Buyer awarded “Brakes” to SupA — 1000.00 EUR (provisional until 2026-02-20)',
        'The award of “Brakes” to SupA became final — 1000.00 EUR',
      ]);
      // The first award's loss taken back, the award anew won once.
      expect(summarize(seen, [B, S]).tenders).toMatchObject({ won: 1, lost: 0 });
    });

    it('tells the annulled winner that its award was annulled, and then as a loser of a private tender no more than a loser learns', () => {
      // The complaint is between the complainant and the buyer: not in this pair's timeline.
      const own = asSeenBy(timelineOf(lifecycle(false), S2), S2);
      expect(own.map((e) => e.type)).toEqual(['TenderAwarded', 'AwardAnnulled', 'TenderAwarded', 'AwardFinalised']);
      expect(own[1].data).toEqual({ ...t, supplierId: S2, bidId: `b-${S2}`, bidders: [S2], reason: 'complaint upheld' });
      expect(JSON.stringify(own.slice(2))).not.toContain(S);
      expect(JSON.stringify(own.slice(2))).not.toContain('1000.00');
      expect(own[3].data.ranking).toEqual([{ supplierId: S2, total: '900.00', rank: 1 }]);
      expect(own.map((e) => line(e, name)).slice(1)).toEqual([
        'Buyer annulled the award to SupB, to award the tender anew: complaint upheld',
        'Buyer awarded “Brakes” to another bidder (provisional until 2026-02-20)',
        'The award of “Brakes” to another bidder became final',
      ]);
      expect(summarize(own, [B, S2]).tenders).toMatchObject({ won: 0, lost: 1 });
    });

    it("publishes a public tender's final award, but names an annulled winner to itself only (the annulment carries no public flag)", () => {
      const seen = asSeenBy(timelineOf(lifecycle(true), S2), S2);
      expect(line(seen[3], name)).toBe('The award of “Brakes” to SupA became final — 1000.00 EUR');
      expect(seen[3].data.ranking.map((r: { supplierId: string }) => r.supplierId)).toEqual([S2, S]);
      expect(seen[3].data.weightedScore).toBeUndefined();
      const annulment = asSeenBy(timelineOf(lifecycle(true), S), S)[3];
      expect(annulment.data).toEqual({ ...t, bidders: [S], reason: 'complaint upheld' });
    });

    it('shows the buyer all of it', () => {
      const events = lifecycle(false);
      expect(asSeenBy(events, B)).toEqual(events);
      expect(line(events[3], name)).toBe('Buyer annulled the award to SupB, to award the tender anew: complaint upheld');
      expect(line({ ...events[2], data: { ...events[2].data, upheld: false } }, name)).toBe('Buyer dismissed the complaint of SupA: rescored');
    });

    it('pairs each bidder with the buyer only', () => {
      for (const e of lifecycle(false))
        expect(
          pairsOf(e)
            .map((p) => p.join('+'))
            .sort(),
        ).toEqual(
          e.parties
            .filter((p) => p !== B)
            .map((p) => [B, p].sort().join('+'))
            .sort(),
        );
    });
  });

  describe('a tender in lots: an award per lot, each with the bids holding an award of the tender', () => {
    const buses = { ...t, title: 'Buses' };
    const rank = (...suppliers: string[]) =>
      suppliers.map((s, i) => ({ supplierId: s, bidId: `b-${s}`, total: s === S ? '1000.00' : '900.00', weightedScore: 8, rank: i + 1 }));
    const lotAward = (lotId: string, winner: string, publicProcurement: boolean, more: Record<string, unknown>) => ({
      ...buses,
      lotId,
      supplierId: winner,
      bidId: `b-${winner}`,
      publicProcurement,
      currency: 'EUR',
      items: [{ itemId: `i${lotId}`, unitPrice: '9.00' }],
      total: winner === S ? '1000.00' : '900.00',
      weightedScore: 8,
      ranking: rank(winner, winner === S ? S2 : S),
      ...more,
    });
    const all = [B, S, S2];
    /** Lot 1 to S2, lot 2 to S; S complains about lot 1, which is annulled; lot 2 becomes final. */
    const lots = (publicProcurement: boolean) => [
      ev(
        'TenderAwarded',
        lotAward('1', S2, publicProcurement, { lotsToAward: 1, winningBidIds: [`b-${S2}`], standstillUntil: '2026-02-10T00:00:00.000Z' }),
        all,
      ),
      ev(
        'TenderAwarded',
        lotAward('2', S, publicProcurement, { lotsToAward: 0, winningBidIds: [`b-${S2}`, `b-${S}`], standstillUntil: '2026-02-11T00:00:00.000Z' }),
        all,
      ),
      ev('AwardComplaintFiled', { ...buses, lotId: '1', complaintId: 'k1', supplierId: S, filedBy: 'p-s', grounds: 'quality misjudged' }, [B, S]),
      ev(
        'AwardComplaintResolved',
        {
          ...buses,
          lotId: '1',
          complaintId: 'k1',
          supplierId: S,
          resolvedBy: 'p-b',
          upheld: true,
          resolution: 'rescored',
          openComplaints: 0,
          standstillUntil: '2026-02-10T00:00:00.000Z',
        },
        [B, S],
      ),
      ev('AwardAnnulled', { ...buses, lotId: '1', supplierId: S2, bidId: `b-${S2}`, bidders: [S2, S], reason: 'complaint upheld' }, all),
      ev('AwardFinalised', lotAward('2', S, publicProcurement, { standstillUntil: '2026-02-11T00:00:00.000Z' }), all),
    ];

    it("names the lot in every award line, and shows a private tender's bidder only its own bid among those holding an award", () => {
      const seen = asSeenBy(lots(false), S);
      // Neither the rival nor its bid (b-<S2>), nor its price.
      expect(JSON.stringify(seen)).not.toContain(S2);
      expect(JSON.stringify(seen)).not.toContain('900.00');
      expect(seen.map((e) => line(e, name))).toEqual([
        'Buyer awarded lot “1” of “Buses” to another bidder (provisional until 2026-02-10)',
        'Buyer awarded lot “2” of “Buses” to SupA — 1000.00 EUR (provisional until 2026-02-11)',
        'SupA complained about the award of lot “1”: quality misjudged',
        'Buyer upheld the complaint of SupA about the award of lot “1”: rescored',
        'Buyer annulled the award of lot “1” to another bidder, to award the lot anew: complaint upheld',
        'The award of lot “2” of “Buses” to SupA became final — 1000.00 EUR',
      ]);
      expect(seen[0].data).toMatchObject({ lotId: '1', lotsToAward: 1, winningBidIds: [] });
      expect(seen[1].data).toMatchObject({ lotId: '2', lotsToAward: 0, winningBidIds: [`b-${S}`] });
      expect(seen[4].data.lotId).toBe('1');
      expect(summarize(seen, [B, S]).tenders).toMatchObject({ won: 1, lost: 0 });
    });

    it('shows a loser of one lot its own bid when that bid won another lot, and the rival’s never', () => {
      const seen = asSeenBy(
        lots(false).filter((e) => e.parties.includes(S2)),
        S2,
      );
      expect(seen[0].data.winningBidIds).toEqual([`b-${S2}`]);
      // Lot 2 lost: its own bid (which holds lot 1) is there, S's is not.
      expect(seen[1].data.winningBidIds).toEqual([`b-${S2}`]);
      expect(JSON.stringify(seen[1])).not.toContain(S);
      expect(seen.map((e) => line(e, name)).slice(1)).toEqual([
        'Buyer awarded lot “2” of “Buses” to another bidder (provisional until 2026-02-11)',
        'Buyer annulled the award of lot “1” to SupB, to award the lot anew: complaint upheld',
        'The award of lot “2” of “Buses” to another bidder became final',
      ]);
      expect(summarize(seen, [B, S2]).tenders).toMatchObject({ won: 0, lost: 1 });
    });

    it("publishes a public tender's winning bids with each lot's award, and shows the buyer all of it", () => {
      const seen = asSeenBy(lots(true), S);
      expect(seen[1].data.winningBidIds).toEqual([`b-${S2}`, `b-${S}`]);
      expect(line(seen[0], name)).toBe('Buyer awarded lot “1” of “Buses” to SupB — 900.00 EUR (provisional until 2026-02-10)');
      const events = lots(false);
      expect(asSeenBy(events, B)).toEqual(events);
    });

    it('words a whole award (lotId null) as before lots', () => {
      const whole = ev('TenderAwarded', lotAward('x', S, false, { lotId: null, lotsToAward: 0, winningBidIds: [`b-${S}`], standstillUntil: null }), all);
      expect(line(whole, name)).toBe('Buyer awarded “Buses” to SupA — 1000.00 EUR');
      expect(line(asSeenBy([whole], S2)[0], name)).toBe('Buyer awarded “Buses” to another bidder');
      expect(asSeenBy([whole], S2)[0].data.winningBidIds).toEqual([]);
    });
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
