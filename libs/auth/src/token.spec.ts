import { generateKeyPairSync } from 'node:crypto';
import { InvalidTokenError, loadSigningKeys, signToken, verifyToken } from './token';

describe('tokens', () => {
  const { privateKey, publicKey } = loadSigningKeys({});
  const principal = { companyId: 'c1c1c1c1-0000-4000-8000-000000000001', personId: 'p1p1p1p1-0000-4000-8000-000000000001'.replace(/p/g, 'a'), roles: ['procurement'] };
  const now = new Date('2026-05-01T12:00:00Z');

  it('round-trips a principal', () => {
    expect(verifyToken(signToken(principal, privateKey!, now, 60), publicKey, now)).toEqual(principal);
  });

  it('refuses a validly signed token whose company or person is not a UUID, or whose roles are not names', () => {
    for (const bad of [{ ...principal, companyId: 'acme' }, { ...principal, personId: "x'; DROP" }, { ...principal, roles: [{ admin: true }] as unknown as string[] }]) {
      expect(() => verifyToken(signToken(bad, privateKey!, now, 60), publicKey, now)).toThrow(InvalidTokenError);
    }
  });

  it('refuses an expired token', () => {
    const token = signToken(principal, privateKey!, now, 60);
    expect(() => verifyToken(token, publicKey, new Date(now.getTime() + 61000))).toThrow(/expired/);
  });

  it('refuses a token whose claims were changed', () => {
    const [h, , s] = signToken(principal, privateKey!, now, 60).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'dealledger-directory', cid: 'other', pid: null, roles: [], iat: 0, exp: 9e9 })).toString('base64url');
    expect(() => verifyToken(`${h}.${forged}.${s}`, publicKey, now)).toThrow(InvalidTokenError);
  });

  it('refuses a token signed by another key', () => {
    const other = generateKeyPairSync('ed25519');
    expect(() => verifyToken(signToken(principal, other.privateKey, now, 60), publicKey, now)).toThrow(/signature/);
  });

  it('refuses to invent keys in production', () => {
    expect(() => loadSigningKeys({ NODE_ENV: 'production' })).toThrow(/must be set/);
  });

  it('uses configured PEM keys', () => {
    const pair = generateKeyPairSync('ed25519');
    const keys = loadSigningKeys({
      AUTH_PRIVATE_KEY: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      AUTH_PUBLIC_KEY: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    expect(keys.development).toBe(false);
    expect(verifyToken(signToken(principal, keys.privateKey!, now, 60), keys.publicKey, now)).toEqual(principal);
  });
});
