import type { OfferEvent } from '@dealledger/events';
import { offerValidityChange } from './offer-validity.rule';

const ref = { offerId: 'o', supplierId: 's', buyerId: 'b' };
const document = { name: 'spec.pdf', sha256: 'a'.repeat(64), size: 10, mediaType: 'application/pdf' };
describe('offer validity deadline', () => {
  it('is set by a draft and moved by a revision', () => {
    expect(offerValidityChange({ type: 'OfferDrafted', data: { ...ref, validUntil: '2027-02-01T00:00:00Z' } } as OfferEvent)).toEqual({
      due: '2027-02-01T00:00:00Z',
    });
    expect(offerValidityChange({ type: 'OfferRevised', data: { ...ref, validUntil: '2027-03-01T00:00:00Z' } } as OfferEvent)).toEqual({
      due: '2027-03-01T00:00:00Z',
    });
  });
  it('stays while the offer is negotiated', () => {
    expect(offerValidityChange({ type: 'OfferSubmitted', data: { ...ref, revision: 0 } })).toBe('keep');
    expect(offerValidityChange({ type: 'OfferCountered', data: { ...ref, revision: 0, proposals: [], note: '' } })).toBe('keep');
    expect(offerValidityChange({ type: 'OfferDocumentAttached', data: { ...ref, document, attachedBy: 'p' } })).toBe('keep');
  });
  it('is cleared once the offer is closed', () => {
    for (const type of ['OfferAccepted', 'OfferRejected', 'OfferWithdrawn', 'OfferExpired'] as const) {
      expect(offerValidityChange({ type, data: ref } as unknown as OfferEvent)).toBe('clear');
    }
  });
});
