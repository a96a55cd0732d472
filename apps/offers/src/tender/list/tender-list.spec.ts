import { awardSeenBy, tenderListChange } from './tender-list';
import { tenderBidListChange } from './tender-bid-list';

const ref = { tenderId: 't-1', buyerId: 'b-1' };
const opened = {
  type: 'TenderOpened',
  data: {
    ...ref,
    title: 'Tyres 2028',
    items: [
      { itemId: 'lot-1', description: 'Summer tyre', quantity: '10', unit: 'piece', specification: 'EU label B' },
      { itemId: 'lot-2', description: 'Mounting', quantity: '10', unit: 'job', specification: '' },
    ],
    submissionDeadline: '2027-04-15T12:00:00.000Z',
    weights: { price: 100, quality: 0, reputation: 0, service: 0, partnership: 0 },
    publicProcurement: false,
    currency: 'EUR',
  },
};

/** A TenderAwarded as version 4 records it; whole (no lot) unless told. */
const awarded = (d: { supplierId: string; bidId: string; lotId?: string; lotsToAward?: number; winningBidIds?: string[] }) =>
  ({
    type: 'TenderAwarded',
    data: { ...ref, lotId: null, lotsToAward: 0, winningBidIds: [d.bidId], ...d },
  }) as never;

describe('tender list rows follow the tender events', () => {
  it('starts a row at the opening, adds invited suppliers, and moves the status (and winner) with close, award and cancel', () => {
    expect(tenderListChange(opened as never)).toEqual({
      created: {
        tenderId: 't-1',
        buyerId: 'b-1',
        title: 'Tyres 2028',
        status: 'open',
        publicProcurement: false,
        currency: 'EUR',
        submissionDeadline: '2027-04-15T12:00:00.000Z',
        itemIds: ['lot-1', 'lot-2'],
        invited: [],
        awardedTo: null,
        text: 'Tyres 2028 lot-1 Summer tyre EU label B lot-2 Mounting ',
      },
    });
    expect(tenderListChange({ type: 'SuppliersInvited', data: { ...ref, supplierIds: ['s-1'] } } as never)).toEqual({
      invited: { tenderId: 't-1', supplierIds: ['s-1'] },
    });
    expect(tenderListChange({ type: 'TenderClosed', data: { ...ref, closedAt: '', bids: [] } } as never)).toEqual({
      changed: { tenderId: 't-1', status: 'closed' },
    });
    expect(tenderListChange(awarded({ supplierId: 's-1', bidId: 'bid-1' }))).toEqual({
      changed: { tenderId: 't-1', status: 'awarded', awardedTo: 's-1' },
    });
    expect(tenderListChange({ type: 'TenderCancelled', data: { ...ref, reason: 'r' } } as never)).toEqual({
      changed: { tenderId: 't-1', status: 'cancelled' },
    });
  });

  it('awards a tender in lots with its last lot, naming no winner (each lot has its own), and closes it again when a lot is annulled', () => {
    expect(tenderListChange(awarded({ supplierId: 's-1', bidId: 'bid-1', lotId: 'A', lotsToAward: 1 }))).toBeNull();
    expect(tenderListChange(awarded({ supplierId: 's-2', bidId: 'bid-2', lotId: 'B', lotsToAward: 0, winningBidIds: ['bid-1', 'bid-2'] }))).toEqual({
      changed: { tenderId: 't-1', status: 'awarded' },
    });
    expect(
      tenderListChange({ type: 'AwardAnnulled', data: { ...ref, lotId: 'B', supplierId: 's-2', bidId: 'bid-2', bidders: [], reason: 'r' } } as never),
    ).toEqual({
      changed: { tenderId: 't-1', status: 'closed', awardAnnulled: true },
    });
  });

  it("leaves the row alone on bids and evaluations, which are the buyer's and that bidder's business", () => {
    for (const type of ['BidSubmitted', 'BidWithdrawn', 'BidEvaluated', 'OfferDrafted'])
      expect(tenderListChange({ type, data: { ...ref } } as never)).toBeNull();
  });

  it('leaves the row alone when a document is attached: GET /tenders/:id lists them', () => {
    expect(tenderListChange({ type: 'TenderDocumentAttached', data: { ...ref } } as never)).toBeNull();
  });

  it("shows the winner as GET /tenders/:id does: to the buyer, to the winner, and to everyone of a public procurement's parties", () => {
    const privateAward = { buyerId: 'b-1', publicProcurement: false, awardedTo: 's-1' };
    expect(awardSeenBy(privateAward, 'b-1')).toBe('s-1');
    expect(awardSeenBy(privateAward, 's-1')).toBe('s-1');
    expect(awardSeenBy(privateAward, 's-2')).toBeNull();
    expect(awardSeenBy({ ...privateAward, publicProcurement: true }, 's-2')).toBe('s-1');
    expect(awardSeenBy({ ...privateAward, awardedTo: null }, 'b-1')).toBeNull();
  });
});

describe('bid list rows follow the tender events', () => {
  it('starts a row per bid, withdraws it, and carries the tender status, the opened totals and the award', () => {
    expect(tenderBidListChange({ type: 'BidSubmitted', data: { ...ref, supplierId: 's-1', bidId: 'bid-1', sealed: {}, contentHash: 'h' } } as never)).toEqual({
      submitted: {
        bidId: 'bid-1',
        tenderId: 't-1',
        buyerId: 'b-1',
        supplierId: 's-1',
        status: 'submitted',
        tenderStatus: 'open',
        contentHash: 'h',
        total: null,
      },
    });
    expect(tenderBidListChange({ type: 'BidWithdrawn', data: { ...ref, supplierId: 's-1', bidId: 'bid-1' } } as never)).toEqual({
      withdrawn: { bidId: 'bid-1' },
    });
    const bids = [{ supplierId: 's-1', bidId: 'bid-2', prices: [], total: '100.00', priceScore: 10 }];
    expect(tenderBidListChange({ type: 'TenderClosed', data: { ...ref, closedAt: '', bids } } as never)).toEqual({
      tender: { tenderId: 't-1', tenderStatus: 'closed', totals: [{ bidId: 'bid-2', total: '100.00' }] },
    });
    expect(tenderBidListChange(awarded({ supplierId: 's-1', bidId: 'bid-2' }))).toEqual({
      tender: { tenderId: 't-1', tenderStatus: 'awarded', winningBidIds: ['bid-2'] },
    });
    expect(tenderBidListChange({ type: 'TenderCancelled', data: { ...ref, reason: 'r' } } as never)).toEqual({
      tender: { tenderId: 't-1', tenderStatus: 'cancelled' },
    });
    for (const type of ['TenderOpened', 'SuppliersInvited', 'BidEvaluated', 'TenderDocumentAttached'])
      expect(tenderBidListChange({ type, data: { ...ref } } as never)).toBeNull();
  });

  it('decides won and lost of a tender in lots once its last lot is awarded: won by every bid holding a lot', () => {
    expect(tenderBidListChange(awarded({ supplierId: 's-1', bidId: 'bid-1', lotId: 'A', lotsToAward: 1 }))).toBeNull();
    expect(tenderBidListChange(awarded({ supplierId: 's-2', bidId: 'bid-2', lotId: 'B', lotsToAward: 0, winningBidIds: ['bid-1', 'bid-2'] }))).toEqual({
      tender: { tenderId: 't-1', tenderStatus: 'awarded', winningBidIds: ['bid-1', 'bid-2'] },
    });
    // A lot annulled: some lot is without an award again, so no bid has won or lost.
    expect(
      tenderBidListChange({ type: 'AwardAnnulled', data: { ...ref, lotId: 'A', supplierId: 's-1', bidId: 'bid-1', bidders: [], reason: 'r' } } as never),
    ).toEqual({
      tender: { tenderId: 't-1', tenderStatus: 'closed', awardAnnulled: true },
    });
  });
});
