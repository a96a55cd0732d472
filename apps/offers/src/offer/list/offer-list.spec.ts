import { offerListChange } from './offer-list';
import { decodeCursor, encodeCursor } from '@dealledger/platform';

const ref = { offerId: 'o-1', supplierId: 's-1', buyerId: 'b-1' };
const item = (sku: string) => ({ sku, kind: 'component', description: sku, unit: 'piece', currency: 'EUR', tiers: [{ minQuantity: '1', unitPrice: '1.00' }] });

describe('offer list rows follow the offer events', () => {
  it('starts a row at the draft and moves its status, skus, validity and revision with later events', () => {
    const drafted = offerListChange({
      type: 'OfferDrafted',
      data: { ...ref, items: [item('A')], validUntil: '2027-01-01T00:00:00.000Z', paymentTerms: 'p', deliveryTerms: 'd' },
    } as never);
    expect(drafted).toEqual({
      created: {
        offerId: 'o-1',
        supplierId: 's-1',
        buyerId: 'b-1',
        status: 'draft',
        skus: ['A'],
        validUntil: '2027-01-01T00:00:00.000Z',
        revision: 0,
        submitted: false,
        text: 'A A',
      },
    });
    const revised = offerListChange({
      type: 'OfferRevised',
      data: { ...ref, items: [item('A'), item('B')], validUntil: '2027-02-01T00:00:00.000Z', paymentTerms: 'p', deliveryTerms: 'd', revision: 2, note: '' },
    } as never);
    expect(revised).toEqual({
      changed: { offerId: 'o-1', status: 'submitted', skus: ['A', 'B'], validUntil: '2027-02-01T00:00:00.000Z', revision: 2, text: 'A A B B' },
    });
    // Submission is what shows it to the buyer, for good.
    expect(offerListChange({ type: 'OfferSubmitted', data: { ...ref } } as never)).toEqual({
      changed: { offerId: 'o-1', status: 'submitted', submitted: true },
    });
    for (const [type, status] of [
      ['OfferCountered', 'countered'],
      ['OfferAccepted', 'accepted'],
      ['OfferRejected', 'rejected'],
      ['OfferWithdrawn', 'withdrawn'],
      ['OfferExpired', 'expired'],
    ]) {
      expect(offerListChange({ type, data: { ...ref } } as never)).toEqual({ changed: { offerId: 'o-1', status } });
    }
    expect(offerListChange({ type: 'OfferDocumentAttached', data: { ...ref } } as never)).toBeNull();
    expect(offerListChange({ type: 'TenderOpened', data: {} } as never)).toBeNull();
  });

  it('reads back only the cursors it wrote', () => {
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    for (const forged of [
      '',
      'abc',
      Buffer.from('{"p":0}').toString('base64url'),
      Buffer.from('{"p":"1"}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
    ]) {
      expect(decodeCursor(forged)).toBeNull();
    }
  });
});
