import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
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
  /** The API key the token was exchanged for: revoking it ends the token. */
  akid: string;
  /** The person's roles version at issue: a later role change ends the token. */
  rv: number;
  iat: number;
  exp: number;
}

/** What a token was issued from, besides its bearer: checked against revocations. */
export interface TokenAccess {
  keyId: string;
  rolesVersion: number;
}

const keyIds = new WeakMap<KeyObject, string>();

/** Names a signing key in a token's header, so that several can be trusted during a rotation. */
export function signingKeyId(key: KeyObject): string {
  // Worked out once per key: every token verified asks it of each trusted key.
  let id = keyIds.get(key);
  if (id === undefined) {
    const publicKey = key.type === 'private' ? createPublicKey(key) : key;
    id = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64url')
      .slice(0, 16);
    keyIds.set(key, id);
  }
  return id;
}

export const TOKEN_ISSUER = 'dealledger-directory';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A compact JWS (EdDSA / Ed25519): the directory signs with its private key, every app verifies with the public key. */
export function signToken(principal: Principal, privateKey: KeyObject, now: Date, ttlSeconds: number, access: TokenAccess): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Claims = {
    iss: TOKEN_ISSUER,
    sub: principal.personId ?? principal.companyId,
    cid: principal.companyId,
    pid: principal.personId,
    roles: principal.roles,
    akid: access.keyId,
    rv: access.rolesVersion,
    iat,
    exp: iat + ttlSeconds,
  };
  const input = `${b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: signingKeyId(privateKey) }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign(null, Buffer.from(input), privateKey))}`;
}

export class InvalidTokenError extends Error {}

export function verifyToken(token: string, publicKeys: KeyObject | KeyObject[], now: Date = new Date()): Principal {
  return verifyTokenClaims(token, publicKeys, now).principal;
}

/**
 * The bearer and what the token was issued from. `publicKeys`: every signing key trusted now
 * (during a rotation, the old and the new); the token's header names the one that signed it.
 */
export function verifyTokenClaims(token: string, publicKeys: KeyObject | KeyObject[], now: Date = new Date()): VerifiedToken {
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidTokenError('malformed token');
  const [header, payload, signature] = parts;
  let alg: unknown;
  let kid: unknown;
  try {
    ({ alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidTokenError('malformed token header');
  }
  if (alg !== 'EdDSA') throw new InvalidTokenError('unsupported token algorithm');
  const publicKey = (Array.isArray(publicKeys) ? publicKeys : [publicKeys]).find((k) => signingKeyId(k) === kid);
  if (!publicKey) throw new InvalidTokenError('token signed by a key that is not trusted (retired, or never ours)');
  if (!verify(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))) {
    throw new InvalidTokenError('bad token signature');
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  if (claims.iss !== TOKEN_ISSUER) throw new InvalidTokenError('token from another issuer');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) throw new InvalidTokenError('token expired');
  // Ids go into events and their parties: a token naming anything but UUIDs is not one this ledger issued.
  const pid = claims.pid ?? null;
  if (typeof claims.cid !== 'string' || !UUID.test(claims.cid) || (pid !== null && (typeof pid !== 'string' || !UUID.test(pid))))
    throw new InvalidTokenError('token names no valid company or person id');
  if (claims.roles !== undefined && (!Array.isArray(claims.roles) || claims.roles.some((r) => typeof r !== 'string')))
    throw new InvalidTokenError('token roles are not a list of names');
  if (typeof claims.akid !== 'string' || !UUID.test(claims.akid) || !Number.isInteger(claims.rv))
    throw new InvalidTokenError('token names no API key it was issued from');
  return {
    principal: { companyId: claims.cid, personId: pid, roles: claims.roles ?? [] },
    access: { keyId: claims.akid, rolesVersion: claims.rv },
    expiresAt: claims.exp * 1000,
  };
}

/** What verifying a token concluded: its bearer, what it was issued from, and when it expires (ms). */
export interface VerifiedToken {
  principal: Principal;
  access: TokenAccess;
  expiresAt: number;
}

/**
 * Tokens verified once and kept, by a hash of the token, until they expire: a client sends the
 * same token with every request for its whole lifetime, and the signature check is most of what
 * authenticating a request costs. Only a token that verified is kept (never a refusal), and
 * revocation is still checked on every request by the guard. Bounded: when full, the entry kept
 * longest goes. The hash keeps no usable bearer token in memory.
 */
export class VerifiedTokens {
  private readonly kept = new Map<string, VerifiedToken>();

  constructor(
    private readonly publicKeys: KeyObject[],
    private readonly max = 10000,
    private readonly verifyOnce: typeof verifyTokenClaims = verifyTokenClaims,
  ) {}

  get size(): number {
    return this.kept.size;
  }

  verify(token: string, now: Date = new Date()): VerifiedToken {
    const key = createHash('sha256').update(token).digest('base64url');
    let verified = this.kept.get(key);
    if (verified && verified.expiresAt <= now.getTime()) {
      this.kept.delete(key);
      verified = undefined;
    }
    if (!verified) {
      verified = this.verifyOnce(token, this.publicKeys, now);
      if (this.kept.size >= this.max) this.kept.delete(this.kept.keys().next().value!);
      this.kept.set(key, verified);
    }
    // A copy: a caller changing its principal changes no later request's.
    const { principal, access, expiresAt } = verified;
    return { principal: { ...principal, roles: [...principal.roles] }, access: { ...access }, expiresAt };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// An Ed25519 private key is its 32-byte seed behind this fixed PKCS#8 prefix.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * AUTH_PRIVATE_KEY (directory) and AUTH_PUBLIC_KEY (everyone) as PEM. Without them, outside
 * production, a development key pair from this installation's random seed (developmentSecret)
 * is used so that a fresh checkout runs; production refuses to start without real keys.
 */
export function loadSigningKeys(env: NodeJS.ProcessEnv = process.env): {
  privateKey: KeyObject | null;
  publicKey: KeyObject;
  publicKeys: KeyObject[];
  development: boolean;
} {
  const pem = (v: string) => v.replace(/\\n/g, '\n');
  if (env.AUTH_PRIVATE_KEY || env.AUTH_PUBLIC_KEY) {
    const privateKey = env.AUTH_PRIVATE_KEY ? createPrivateKey(pem(env.AUTH_PRIVATE_KEY)) : null;
    // Several PEM blocks: every key trusted during a rotation (the new one first, then the old).
    const blocks = env.AUTH_PUBLIC_KEY
      ? (pem(env.AUTH_PUBLIC_KEY).match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [pem(env.AUTH_PUBLIC_KEY)])
      : [];
    const publicKeys = blocks.length > 0 ? blocks.map((b) => createPublicKey(b)) : [createPublicKey(privateKey!)];
    for (const k of publicKeys) refuseKnownKey('AUTH_PUBLIC_KEY', k);
    if (privateKey) refuseKnownKey('AUTH_PRIVATE_KEY', createPublicKey(privateKey));
    return { privateKey, publicKey: publicKeys[0], publicKeys, development: false };
  }
  if (env.NODE_ENV === 'production') {
    throw new Error('AUTH_PUBLIC_KEY (and, for the directory, AUTH_PRIVATE_KEY) must be set in production');
  }
  const seed = developmentSecret('signing-key-seed');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey), publicKeys: [createPublicKey(privateKey)], development: true };
}
