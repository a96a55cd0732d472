import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { InvalidTokenError, loadSigningKeys, signingKeyId, signToken, VerifiedTokens, verifyToken, verifyTokenClaims } from './token';

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

  describe('kept once verified', () => {
    const counting = () => {
      let calls = 0;
      const verifyOnce: typeof verifyTokenClaims = (...args) => {
        calls += 1;
        return verifyTokenClaims(...args);
      };
      return { verifyOnce, calls: () => calls };
    };
    it('checks a token’s signature once, and answers the same bearer until it expires, then refuses it', () => {
      const { verifyOnce, calls } = counting();
      const tokens = new VerifiedTokens([publicKey], 100, verifyOnce);
      const token = signToken(principal, privateKey!, now, 60, access);
      for (let i = 0; i < 5; i++)
        expect(tokens.verify(token, new Date(now.getTime() + i * 1000))).toEqual({ principal, access, expiresAt: now.getTime() + 60000 });
      expect(calls()).toBe(1);
      // Expired: dropped and verified again, which refuses it.
      expect(() => tokens.verify(token, new Date(now.getTime() + 60000))).toThrow(/expired/);
      expect(calls()).toBe(2);
      expect(tokens.size).toBe(0);
    });
    it('keeps no refusal: a bad token is checked (and refused) every time', () => {
      const { verifyOnce, calls } = counting();
      const tokens = new VerifiedTokens([publicKey], 100, verifyOnce);
      const [h, p] = signToken(principal, privateKey!, now, 60, access).split('.');
      const bad = `${h}.${p}.${Buffer.from('x'.repeat(64)).toString('base64url')}`;
      for (let i = 0; i < 3; i++) expect(() => tokens.verify(bad, now)).toThrow(/signature/);
      expect([calls(), tokens.size]).toEqual([3, 0]);
    });
    it('is bounded, the oldest entry going first, and hands out copies', () => {
      const { verifyOnce, calls } = counting();
      const tokens = new VerifiedTokens([publicKey], 2, verifyOnce);
      const [a, b, c] = [0, 1, 2].map((n) => signToken({ ...principal, roles: [`r${n}`] }, privateKey!, now, 60, access));
      for (const t of [a, b, c]) tokens.verify(t, now);
      expect(tokens.size).toBe(2);
      tokens.verify(c, now);
      tokens.verify(a, now); // evicted: verified again
      expect(calls()).toBe(4);
      const first = tokens.verify(c, now);
      first.principal.roles.push('executive');
      expect(tokens.verify(c, now).principal.roles).toEqual(['r2']);
    });
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
    expect(verifyTokenClaims(signToken(principal, privateKey!, now, 60, access), publicKey, now)).toEqual({
      principal,
      access,
      expiresAt: now.getTime() + 60000,
    });
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
