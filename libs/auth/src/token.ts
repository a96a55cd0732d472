import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import type { Requester } from '@dealledger/domain';
import { refuseKnownKey } from './known-keys';
import { developmentSecret } from './development-secret';

/** What a token says about its bearer: the requester of the commands it sends. */
export type Principal = Requester;

interface Claims {
  iss: string;
  sub: string;
  cid: string;
  pid: string | null;
  roles: string[];
  iat: number;
  exp: number;
}

export const TOKEN_ISSUER = 'dealledger-directory';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A compact JWS (EdDSA / Ed25519): the directory signs with its private key, every app verifies with the public key. */
export function signToken(principal: Principal, privateKey: KeyObject, now: Date, ttlSeconds: number): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Claims = {
    iss: TOKEN_ISSUER,
    sub: principal.personId ?? principal.companyId,
    cid: principal.companyId,
    pid: principal.personId,
    roles: principal.roles,
    iat,
    exp: iat + ttlSeconds,
  };
  const input = `${b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign(null, Buffer.from(input), privateKey))}`;
}

export class InvalidTokenError extends Error {}

export function verifyToken(token: string, publicKey: KeyObject, now: Date = new Date()): Principal {
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidTokenError('malformed token');
  const [header, payload, signature] = parts;
  let alg: unknown;
  try {
    alg = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).alg;
  } catch {
    throw new InvalidTokenError('malformed token header');
  }
  if (alg !== 'EdDSA') throw new InvalidTokenError('unsupported token algorithm');
  if (!verify(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))) {
    throw new InvalidTokenError('bad token signature');
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  if (claims.iss !== TOKEN_ISSUER) throw new InvalidTokenError('token from another issuer');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) throw new InvalidTokenError('token expired');
  // Ids go into events and their parties: a token naming anything but UUIDs is not one this ledger issued.
  const pid = claims.pid ?? null;
  if (typeof claims.cid !== 'string' || !UUID.test(claims.cid) || (pid !== null && (typeof pid !== 'string' || !UUID.test(pid)))) throw new InvalidTokenError('token names no valid company or person id');
  if (claims.roles !== undefined && (!Array.isArray(claims.roles) || claims.roles.some((r) => typeof r !== 'string'))) throw new InvalidTokenError('token roles are not a list of names');
  return { companyId: claims.cid, personId: pid, roles: claims.roles ?? [] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// An Ed25519 private key is its 32-byte seed behind this fixed PKCS#8 prefix.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * AUTH_PRIVATE_KEY (directory) and AUTH_PUBLIC_KEY (everyone) as PEM. Without them, outside
 * production, a development key pair from this installation's random seed (developmentSecret)
 * is used so that a fresh checkout runs; production refuses to start without real keys.
 */
export function loadSigningKeys(env: NodeJS.ProcessEnv = process.env): { privateKey: KeyObject | null; publicKey: KeyObject; development: boolean } {
  const pem = (v: string) => v.replace(/\\n/g, '\n');
  if (env.AUTH_PRIVATE_KEY || env.AUTH_PUBLIC_KEY) {
    const privateKey = env.AUTH_PRIVATE_KEY ? createPrivateKey(pem(env.AUTH_PRIVATE_KEY)) : null;
    const publicKey = env.AUTH_PUBLIC_KEY ? createPublicKey(pem(env.AUTH_PUBLIC_KEY)) : createPublicKey(privateKey!);
    refuseKnownKey('AUTH_PUBLIC_KEY', publicKey);
    if (privateKey) refuseKnownKey('AUTH_PRIVATE_KEY', createPublicKey(privateKey));
    return { privateKey, publicKey, development: false };
  }
  if (env.NODE_ENV === 'production') {
    throw new Error('AUTH_PUBLIC_KEY (and, for the directory, AUTH_PRIVATE_KEY) must be set in production');
  }
  const seed = developmentSecret('signing-key-seed');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey), development: true };
}
