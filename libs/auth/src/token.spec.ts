import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { InvalidTokenError, loadSigningKeys, signingKeyId, signToken, verifyToken, verifyTokenClaims } from './token';

describe('tokens', () => {
  const { privateKey, publicKey } = loadSigningKeys({});
  const principal = {
    companyId: 'c1c1c1c1-0000-4000-8000-000000000001',
    personId: 'p1p1p1p1-0000-4000-8000-000000000001'.replace(/p/g, 'a'),
    roles: ['procurement'],
  };
  const now = new Date('2026-05-01T12:00:00Z');
  const access = { keyId: 'b1b1b1b1-0000-4000-8000-000000000001', rolesVersion: 0 };

  it('round-trips a principal', () => {
    expect(verifyToken(signToken(principal, privateKey!, now, 60, access), publicKey, now)).toEqual(principal);
  });

  it('refuses a validly signed token whose company or person is not a UUID, or whose roles are not names', () => {
    for (const bad of [
      { ...principal, companyId: 'acme' },
      { ...principal, personId: "x'; DROP" },
      { ...principal, roles: [{ admin: true }] as unknown as string[] },
    ]) {
      expect(() => verifyToken(signToken(bad, privateKey!, now, 60, access), publicKey, now)).toThrow(InvalidTokenError);
    }
  });

  it('refuses an expired token', () => {
    const token = signToken(principal, privateKey!, now, 60, access);
    expect(() => verifyToken(token, publicKey, new Date(now.getTime() + 61000))).toThrow(/expired/);
  });

  it('refuses a token whose claims were changed', () => {
    const [h, , s] = signToken(principal, privateKey!, now, 60, access).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'dealledger-directory', cid: 'other', pid: null, roles: [], iat: 0, exp: 9e9 })).toString('base64url');
    expect(() => verifyToken(`${h}.${forged}.${s}`, publicKey, now)).toThrow(InvalidTokenError);
  });

  it('refuses a token signed by another key', () => {
    const other = generateKeyPairSync('ed25519');
    expect(() => verifyToken(signToken(principal, other.privateKey, now, 60, access), publicKey, now)).toThrow(/not trusted/);
    // Claiming our key's id in the header does not help: the signature is checked against it.
    const [, payload] = signToken(principal, other.privateKey, now, 60, access).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: signingKeyId(publicKey) })).toString('base64url');
    const forged = `${header}.${payload}.${sign(null, Buffer.from(`${header}.${payload}`), other.privateKey).toString('base64url')}`;
    expect(() => verifyToken(forged, publicKey, now)).toThrow(/signature/);
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
    expect(verifyToken(signToken(principal, keys.privateKey!, now, 60, access), keys.publicKey, now)).toEqual(principal);
  });

  it('names the API key and roles version it was issued from, and refuses a token that names none', () => {
    expect(verifyTokenClaims(signToken(principal, privateKey!, now, 60, access), publicKey, now)).toEqual({ principal, access });
    const [h, , s] = signToken(principal, privateKey!, now, 60, access).split('.');
    const bare = Buffer.from(JSON.stringify({ iss: 'dealledger-directory', cid: principal.companyId, pid: null, roles: [], iat: 0, exp: 9e9 })).toString(
      'base64url',
    );
    const input = `${h}.${bare}`;
    expect(() => verifyToken(`${input}.${sign(null, Buffer.from(input), privateKey!).toString('base64url')}`, publicKey, now)).toThrow(/names no API key/);
    expect(s).toBeTruthy();
  });

  it('trusts every configured public key during a rotation and picks the signer by the header, refusing retired keys', () => {
    const old = generateKeyPairSync('ed25519');
    const fresh = generateKeyPairSync('ed25519');
    const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
    const both = loadSigningKeys({
      AUTH_PRIVATE_KEY: fresh.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      AUTH_PUBLIC_KEY: pem(fresh.publicKey) + pem(old.publicKey),
    });
    expect(both.publicKeys.map(signingKeyId)).toEqual([signingKeyId(fresh.publicKey), signingKeyId(old.publicKey)]);
    expect(verifyToken(signToken(principal, old.privateKey, now, 60, access), both.publicKeys, now)).toEqual(principal);
    expect(verifyToken(signToken(principal, fresh.privateKey, now, 60, access), both.publicKeys, now)).toEqual(principal);
    const retired = loadSigningKeys({ AUTH_PUBLIC_KEY: pem(fresh.publicKey) });
    expect(() => verifyToken(signToken(principal, old.privateKey, now, 60, access), retired.publicKeys, now)).toThrow(/not trusted/);
  });
});
