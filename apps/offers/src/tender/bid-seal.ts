import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { BidPrice, SealedContent } from '@dealledger/events';
import { canonicalJson } from '@dealledger/event-store';
import { developmentSecret, refuseKnownKey } from '@dealledger/auth';

/** What a bid says; sealed until the tender closes. The nonce makes the hash unguessable. */
export interface BidContent {
  prices: BidPrice[];
  note: string;
  nonce: string;
}

/** The provider of the seal key (loadSealKey). */
export const BID_SEAL_KEY = Symbol('BID_SEAL_KEY');

export const contentHash = (content: BidContent) => createHash('sha256').update(canonicalJson(content)).digest('hex');

/**
 * TENDER_SEAL_KEY (32 bytes, base64) encrypts bid contents with AES-256-GCM before they are
 * recorded, so neither the event log, Kafka, the buyer nor other bidders can read a bid
 * before the tender closes. Without it, outside production, this installation's development
 * key (developmentSecret) is used.
 */
export function loadSealKey(env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.TENDER_SEAL_KEY) {
    const key = Buffer.from(env.TENDER_SEAL_KEY, 'base64');
    if (key.length !== 32) throw new Error('TENDER_SEAL_KEY must be 32 bytes, base64-encoded');
    refuseKnownKey('TENDER_SEAL_KEY', key);
    return key;
  }
  if (env.NODE_ENV === 'production') throw new Error('TENDER_SEAL_KEY must be set in production');
  new Logger('BidSeal').warn("TENDER_SEAL_KEY is not set: sealing bids with this installation's development key (never in production)");
  return developmentSecret('bid-seal-key');
}

export function sealBid(prices: BidPrice[], note: string, key: Buffer): { content: BidContent; sealed: SealedContent; contentHash: string } {
  const content: BidContent = { prices, note, nonce: randomBytes(16).toString('hex') };
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(padded(canonicalJson(content)), 'utf8'), cipher.final()]);
  return {
    content,
    sealed: { ciphertext: ciphertext.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
    contentHash: contentHash(content),
  };
}

/**
 * The ciphertext is as long as what it seals: without padding its length would tell every reader
 * of the log how many digits the prices have. Spaces up to the next multiple of PAD_BYTES (JSON
 * ignores them when the bid is opened, so bids sealed before padding open alike).
 */
export const PAD_BYTES = 512;
function padded(json: string): string {
  const length = Buffer.byteLength(json);
  return json + ' '.repeat(Math.ceil((length + 1) / PAD_BYTES) * PAD_BYTES - length);
}

export function unsealBid(sealed: SealedContent, key: Buffer): BidContent {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as BidContent;
}
