import { UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { developmentSecret } from './development-secret';
import { refuseKnownKey } from './known-keys';

/**
 * ADMIN_KEY, the operator's credential for the admin routes (`X-Admin-Key`); without it,
 * outside production, this installation's development key (`.data/dev-secrets/admin-key`,
 * random, made on first use). No default is fixed anywhere.
 */
export function adminKey(): string {
  if (process.env.ADMIN_KEY) {
    refuseKnownKey('ADMIN_KEY', process.env.ADMIN_KEY);
    return process.env.ADMIN_KEY;
  }
  if (process.env.NODE_ENV === 'production') throw new Error('ADMIN_KEY must be set in production');
  return developmentSecret('admin-key', 24).toString('base64url');
}

/** Throws 401 unless `given` is the operator's key (compared in constant time). */
export function checkAdminKey(given: string | undefined, key: string): void {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(key);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new UnauthorizedException('X-Admin-Key is missing or wrong');
}
