import { randomBytes } from 'node:crypto';
import { contentHash, PAD_BYTES, sealBid, unsealBid } from './bid-seal';

describe('bid seal', () => {
  const key = randomBytes(32);
  const prices = [{ itemId: 'lot-1', unitPrice: '55.00' }];

  it('hides the prices and opens to exactly what was sealed', () => {
    const { sealed, contentHash: hash } = sealBid(prices, 'incl. mounting', key);
    expect(JSON.stringify(sealed)).not.toContain('55.00');
    const opened = unsealBid(sealed, key);
    expect(opened.prices).toEqual(prices);
    expect(contentHash(opened)).toBe(hash);
  });

  it('gives equal bids different hashes (no guessing prices from the hash)', () => {
    expect(sealBid(prices, '', key).contentHash).not.toBe(sealBid(prices, '', key).contentHash);
  });

  it('refuses a tampered ciphertext or the wrong key', () => {
    const { sealed } = sealBid(prices, '', key);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] ^= 1;
    expect(() => unsealBid({ ...sealed, ciphertext: flipped.toString('base64') }, key)).toThrow();
    expect(() => unsealBid(sealed, randomBytes(32))).toThrow();
  });
  it('pads before sealing, so the ciphertext does not tell how many digits a price has', () => {
    const short = sealBid([{ itemId: 'lot-1', unitPrice: '9.99' }], '', key).sealed.ciphertext;
    const long = sealBid([{ itemId: 'lot-1', unitPrice: '1141.70' }], 'incl. mounting', key).sealed.ciphertext;
    expect(Buffer.from(short, 'base64').length).toBe(Buffer.from(long, 'base64').length);
    expect(Buffer.from(short, 'base64').length % PAD_BYTES).toBe(0);
    expect(unsealBid(sealBid([{ itemId: 'lot-1', unitPrice: '9.99' }], 'x', key).sealed, key).prices).toEqual([{ itemId: 'lot-1', unitPrice: '9.99' }]);
  });
});
