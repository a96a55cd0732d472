import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { isUuid } from '@dealledger/domain';

/**
 * API keys look like `dlk.<companyId>.<keyId>.<secret>`: the ids say which company stream
 * holds the key; the 256-bit random secret is shown once and only its SHA-256 is stored.
 */
export interface GeneratedApiKey {
  keyId: string;
  key: string;
  secretHash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKey(companyId: string): GeneratedApiKey {
  const keyId = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { keyId, key: `dlk.${companyId}.${keyId}.${secret}`, secretHash: hashSecret(secret) };
}

export function parseApiKey(key: string): { companyId: string; keyId: string; secretHash: string } | null {
  const parts = key.split('.');
  if (parts.length !== 4 || parts[0] !== 'dlk' || !isUuid(parts[1]) || !isUuid(parts[2]) || !/^[A-Za-z0-9_-]{43}$/.test(parts[3])) return null;
  return { companyId: parts[1], keyId: parts[2], secretHash: hashSecret(parts[3]) };
}

export function secretsMatch(stored: string, presented: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(presented, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
