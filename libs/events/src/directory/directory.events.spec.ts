import { eventCatalog } from '../index';

const companyId = '11111111-1111-4111-8111-111111111111';
const personId = '22222222-2222-4222-8222-222222222222';
const roles = { position: 'Head of procurement', signingRoles: ['procurement'] };
const sealed = {
  alg: 'A256GCM',
  keyId: personId,
  iv: Buffer.alloc(12, 1).toString('base64'),
  ciphertext: Buffer.alloc(256, 2).toString('base64'),
  tag: Buffer.alloc(16, 3).toString('base64'),
};
const v2 = (personal: unknown, extra: Record<string, unknown> = {}) => ({ companyId, personId, personal, ...roles, ...extra });

describe('PersonAdded v2: personal data sealed, or in clear only when upcast from v1', () => {
  it('is the newest version', () => {
    expect(eventCatalog.latestVersion('PersonAdded')).toBe(2);
    expect(eventCatalog.latestVersion('PersonalDataErased')).toBe(1);
  });

  it('accepts a sealed record and a clear one', () => {
    expect(eventCatalog.validate('PersonAdded', 2, v2(sealed))).toEqual([]);
    expect(eventCatalog.validate('PersonAdded', 2, v2({ alg: 'clear', name: 'Ada Buyer', email: 'ada@acme.example' }))).toEqual([]);
  });

  it('refuses a sealed record that carries the name or e-mail in clear, or misses a field', () => {
    expect(eventCatalog.validate('PersonAdded', 2, v2({ ...sealed, name: 'Ada Buyer' })).join()).toMatch(/may hold only .*name/);
    expect(eventCatalog.validate('PersonAdded', 2, v2({ ...sealed, tag: undefined })).join()).toMatch(/personal\.tag/);
    expect(eventCatalog.validate('PersonAdded', 2, v2({ ...sealed, iv: 'not base64!!!!!!' })).join()).toMatch(/personal\.iv/);
  });

  it('refuses a clear record with anything else, an unknown alg, or none at all', () => {
    expect(eventCatalog.validate('PersonAdded', 2, v2({ alg: 'clear', name: 'Ada', email: 'ada@acme.example', iv: 'x' })).join()).toMatch(/may hold only/);
    expect(eventCatalog.validate('PersonAdded', 2, v2({ alg: 'clear', name: 'Ada', email: 'not an e-mail' })).join()).toMatch(/personal\.email/);
    expect(eventCatalog.validate('PersonAdded', 2, v2({ ...sealed, alg: 'ROT13' })).join()).toMatch(/personal\.alg/);
    expect(eventCatalog.validate('PersonAdded', 2, v2('Ada Buyer')).length).toBeGreaterThan(0);
    expect(eventCatalog.validate('PersonAdded', 2, { companyId, personId, ...roles }).join()).toMatch(/personal/);
  });

  it('refuses a name or e-mail beside the sealed record', () => {
    expect(eventCatalog.validate('PersonAdded', 2, v2(sealed, { email: 'ada@acme.example' })).join()).toMatch(/may hold only .*email/);
  });

  it('upcasts v1 to the clear variant, which v2 accepts', () => {
    const v1 = { companyId, personId, name: 'Ada Buyer', email: 'ada@acme.example', ...roles };
    expect(eventCatalog.validate('PersonAdded', 1, v1)).toEqual([]);
    const upcast = eventCatalog.upcast('PersonAdded', 1, v1);
    expect(upcast).toEqual({ schemaVersion: 2, data: v2({ alg: 'clear', name: 'Ada Buyer', email: 'ada@acme.example' }) });
    expect(eventCatalog.validate('PersonAdded', 2, upcast.data)).toEqual([]);
  });

  it('PersonalDataErased names the company and the person', () => {
    expect(eventCatalog.validate('PersonalDataErased', 1, { companyId, personId })).toEqual([]);
    expect(eventCatalog.validate('PersonalDataErased', 1, { companyId }).join()).toMatch(/personId/);
  });
});
