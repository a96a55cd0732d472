import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventCatalog, PersonAddedV2 } from '@dealledger/events';
import { revealPersonAdded } from './personal-data.reader';
import { loadPersonalDataKey, newDataKey, openPersonalData, PAD_BYTES, sealPersonalData, unwrapDataKey, wrapDataKey } from '@dealledger/platform';

const personId = '22222222-2222-4222-8222-222222222222';
const other = '33333333-3333-4333-8333-333333333333';
const ada = { name: 'Ada Lovelace-Byron', email: 'ada@acme.example' };
const flip = (base64: string, at = 0) => {
  const bytes = Buffer.from(base64, 'base64');
  bytes[at] ^= 1;
  return bytes.toString('base64');
};

describe('personal data vault', () => {
  describe('seal and open', () => {
    const key = newDataKey();
    const sealed = sealPersonalData(ada, key, personId);

    it('opens with the person’s key, and holds neither the name nor the e-mail in clear', () => {
      expect(openPersonalData(sealed, key, personId)).toEqual(ada);
      expect(sealed).toMatchObject({ alg: 'A256GCM', keyId: personId });
      const text = JSON.stringify(sealed) + Buffer.from(sealed.ciphertext, 'base64').toString('latin1');
      expect(text).not.toContain('Ada');
      expect(text).not.toContain('acme.example');
    });

    it('is a valid PersonAdded v2 record', () => {
      const data = { companyId: other, personId, personal: sealed, position: 'CEO', signingRoles: ['executive'] };
      expect(eventCatalog.validate('PersonAdded', 2, JSON.parse(JSON.stringify(data)))).toEqual([]);
    });

    it('uses a fresh nonce each time', () => {
      const again = sealPersonalData(ada, key, personId);
      expect(again.iv).not.toBe(sealed.iv);
      expect(again.ciphertext).not.toBe(sealed.ciphertext);
    });

    it('pads the ciphertext, so its length does not tell the name’s', () => {
      const short = sealPersonalData({ name: 'Li', email: 'li@x.example' }, key, personId);
      const long = sealPersonalData({ name: 'Maximiliane von Habsburg-Lothringen', email: 'maximiliane@habsburg.example' }, key, personId);
      expect(Buffer.from(short.ciphertext, 'base64').length).toBe(PAD_BYTES);
      expect(Buffer.from(long.ciphertext, 'base64').length).toBe(PAD_BYTES);
    });

    it('fails with a wrong key', () => {
      expect(() => openPersonalData(sealed, newDataKey(), personId)).toThrow(/does not open/);
    });

    it('fails when the ciphertext, the nonce or the tag was tampered with', () => {
      expect(() => openPersonalData({ ...sealed, ciphertext: flip(sealed.ciphertext, 5) }, key, personId)).toThrow(/does not open/);
      expect(() => openPersonalData({ ...sealed, iv: flip(sealed.iv) }, key, personId)).toThrow(/does not open/);
      expect(() => openPersonalData({ ...sealed, tag: flip(sealed.tag) }, key, personId)).toThrow(/does not open/);
    });

    it("fails when copied into another person's event (the person id is bound)", () => {
      expect(() => openPersonalData(sealed, key, other)).toThrow(/does not open/);
    });
  });

  describe('wrapped data keys', () => {
    const master = randomBytes(32);
    const key = newDataKey();
    const wrapped = wrapDataKey(key, master, personId);

    it('unwrap with the master key, for the same person', () => {
      expect(wrapped).toHaveLength(12 + 16 + 32);
      expect(wrapped.includes(key)).toBe(false);
      expect(unwrapDataKey(wrapped, master, personId).equals(key)).toBe(true);
    });

    it('refuse another master key, another person, or an altered row', () => {
      expect(() => unwrapDataKey(wrapped, randomBytes(32), personId)).toThrow(/PERSONAL_DATA_KEY/);
      expect(() => unwrapDataKey(wrapped, master, other)).toThrow(/does not unwrap/);
      const altered = Buffer.from(wrapped);
      altered[40] ^= 1;
      expect(() => unwrapDataKey(altered, master, personId)).toThrow(/does not unwrap/);
    });
  });

  describe('the reader’s view of a PersonAdded', () => {
    const key = newDataKey();
    const stored: PersonAddedV2 = { companyId: other, personId, personal: sealPersonalData(ada, key, personId), position: 'CEO', signingRoles: ['executive'] };

    it('opens it while the key exists, and shows it erased once the key is gone', () => {
      expect(revealPersonAdded(stored, new Map([[personId, key]]))).toEqual({
        companyId: other,
        personId,
        position: 'CEO',
        signingRoles: ['executive'],
        personalData: { status: 'present', ...ada },
      });
      expect(revealPersonAdded(stored, new Map())).toEqual({
        companyId: other,
        personId,
        position: 'CEO',
        signingRoles: ['executive'],
        personalData: { status: 'erased' },
      });
    });

    it('shows a clear record (upcast from v1) as it is: no key can erase it', () => {
      const v1 = { companyId: other, personId, ...ada, position: 'CEO', signingRoles: ['executive'] };
      const upcast = eventCatalog.upcast('PersonAdded', 1, v1).data as unknown as PersonAddedV2;
      expect(revealPersonAdded(upcast, new Map()).personalData).toEqual({ status: 'present', ...ada });
    });

    it('refuses to pass off a record that does not open as erased', () => {
      expect(() => revealPersonAdded(stored, new Map([[personId, newDataKey()]]))).toThrow(/does not open/);
    });
  });

  describe('the master key', () => {
    // The development key lives in DEV_SECRETS_DIR (developmentSecret reads the process's own).
    const saved = process.env.DEV_SECRETS_DIR;
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'personal-data-key-'));
      process.env.DEV_SECRETS_DIR = dir;
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.DEV_SECRETS_DIR;
      else process.env.DEV_SECRETS_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    });

    it('is PERSONAL_DATA_KEY when set: 32 bytes, base64', () => {
      const key = randomBytes(32);
      expect(loadPersonalDataKey({ PERSONAL_DATA_KEY: key.toString('base64') }).equals(key)).toBe(true);
      expect(() => loadPersonalDataKey({ PERSONAL_DATA_KEY: randomBytes(16).toString('base64') })).toThrow(/32 bytes/);
    });

    it('is required in production, and otherwise this installation’s random development key', () => {
      expect(() => loadPersonalDataKey({ NODE_ENV: 'production' })).toThrow(/must be set in production/);
      const first = loadPersonalDataKey({});
      expect(first).toHaveLength(32);
      expect(loadPersonalDataKey({}).equals(first)).toBe(true);
    });
  });
});
