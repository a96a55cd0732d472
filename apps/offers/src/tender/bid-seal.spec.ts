import { randomBytes } from 'node:crypto';
import { contentHash, sealBid, unsealBid } from './bid-seal';

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
});
