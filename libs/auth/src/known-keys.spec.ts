import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { loadSigningKeys } from './token';
import { refuseKnownKey } from './known-keys';

// The keys once fixed in the source, rebuilt here only to show they are refused.
const oldSeed = createHash('sha256').update('deal-ledger development signing key - not for production').digest();
const oldPrivate = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), oldSeed]), format: 'der', type: 'pkcs8' });
const pemOf = (k: ReturnType<typeof createPublicKey>, type: 'spki' | 'pkcs8') => k.export({ format: 'pem', type }) as string;

describe('keys known from the source', () => {
  it('refuses to start with the old development signing key, as private or public key', () => {
    expect(() => loadSigningKeys({ AUTH_PRIVATE_KEY: pemOf(oldPrivate, 'pkcs8') })).toThrow(/published in this project's source/);
    expect(() => loadSigningKeys({ AUTH_PUBLIC_KEY: pemOf(createPublicKey(oldPrivate), 'spki') })).toThrow(/AUTH_PUBLIC_KEY is a key published/);
  });

  it('refuses the old bid-seal and admin keys', () => {
    expect(() => refuseKnownKey('TENDER_SEAL_KEY', createHash('sha256').update('deal-ledger development bid seal key - not for production').digest())).toThrow(
      /TENDER_SEAL_KEY/,
    );
    expect(() => refuseKnownKey('ADMIN_KEY', 'dev-admin-key')).toThrow(/ADMIN_KEY/);
  });

  it('takes a key of your own', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(loadSigningKeys({ AUTH_PRIVATE_KEY: pemOf(privateKey, 'pkcs8') }).development).toBe(false);
    expect(() => refuseKnownKey('ADMIN_KEY', 'a-long-random-operator-key')).not.toThrow();
  });
});
