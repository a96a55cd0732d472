import { createHash, KeyObject } from 'node:crypto';

/**
 * SHA-256 fingerprints of keys that were once fixed in this project's source (and so are known
 * to anyone who reads its history): the early development signing key (of its public key, SPKI
 * DER), bid-seal key and admin key. An installation configured with one of them refuses to start.
 */
const KNOWN = new Set([
  '2af3ada4c364376037292aceb1849d94b14fbeee8da9a0b21cc56bfa85af13ab',
  '2d403042e75993f78ae80ccf40c815338a2a3d25b6207bec74de0a8136a19391',
  'df76ff796f70d2c9cb055ea6280553caa27eda26b70e01082c160de75a05a4a9',
]);

const fingerprint = (secret: Buffer | string) => createHash('sha256').update(secret).digest('hex');

/** Throws when `secret` (a public key, or raw key bytes or text) is one published in the source. */
export function refuseKnownKey(name: string, secret: KeyObject | Buffer | string): void {
  const bytes = secret instanceof KeyObject ? secret.export({ format: 'der', type: 'spki' }) : secret;
  if (KNOWN.has(fingerprint(bytes))) throw new Error(`${name} is a key published in this project's source history: generate one of your own`);
}
