import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { developmentSecret, refuseKnownKey } from '@dealledger/auth';
import type { SealedPersonalData } from '@dealledger/events';
import { assertIdentifier, Queryable } from '@dealledger/event-store';

/** What a person's sealed record holds (a contact of a seller's account map also a profile URL). */
export interface PersonalData {
  name: string;
  email: string;
  profileUrl?: string;
}

/**
 * PERSONAL_DATA_KEY (32 bytes, base64) wraps every person's data key before it is stored, so a
 * copy of the key table alone opens nothing. Without it, outside production, this installation's
 * development key (developmentSecret) is used. Keep it: data keys wrapped with it cannot be
 * unwrapped with another, and every sealed name would read as unopenable.
 */
export function loadPersonalDataKey(env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.PERSONAL_DATA_KEY) {
    const key = Buffer.from(env.PERSONAL_DATA_KEY, 'base64');
    if (key.length !== 32) throw new Error('PERSONAL_DATA_KEY must be 32 bytes, base64-encoded');
    refuseKnownKey('PERSONAL_DATA_KEY', key);
    return key;
  }
  if (env.NODE_ENV === 'production') throw new Error('PERSONAL_DATA_KEY must be set in production');
  new Logger('PersonalData').warn("PERSONAL_DATA_KEY is not set: wrapping people's data keys with this installation's development key (never in production)");
  return developmentSecret('personal-data-key');
}

/** A person's own 256-bit data key: deleting it is what erases their name and e-mail. */
export const newDataKey = (): Buffer => randomBytes(32);

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A data key as stored: iv (12 bytes) | GCM tag (16) | encrypted key (32), AES-256-GCM under the
 * master key. The person id is bound as associated data: a wrapped key copied to another
 * person's row does not unwrap.
 */
export function wrapDataKey(dataKey: Buffer, masterKey: Buffer, personId: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv).setAAD(Buffer.from(`person-key:${personId}`, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), encrypted]);
}

export function unwrapDataKey(wrapped: Buffer, masterKey: Buffer, personId: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', masterKey, wrapped.subarray(0, IV_BYTES)).setAAD(Buffer.from(`person-key:${personId}`, 'utf8'));
  decipher.setAuthTag(wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new Error(`the data key of person ${personId} does not unwrap: PERSONAL_DATA_KEY is not the key it was wrapped with, or the row was altered`);
  }
}

/**
 * Sealed records are padded to a multiple of this many bytes: once the key is gone, the
 * ciphertext's length should not tell how long the name and e-mail were. Spaces, which JSON
 * ignores when the record is opened.
 */
export const PAD_BYTES = 256;

/**
 * Seals `{name, email}` with the person's data key (AES-256-GCM, random 96-bit nonce, the person
 * id as associated data: a record copied into another person's event does not open).
 */
export function sealPersonalData(data: PersonalData, dataKey: Buffer, personId: string): SealedPersonalData {
  const json = JSON.stringify({ name: data.name, email: data.email, ...(data.profileUrl === undefined ? {} : { profileUrl: data.profileUrl }) });
  const length = Buffer.byteLength(json);
  const padded = json + ' '.repeat(Math.ceil((length + 1) / PAD_BYTES) * PAD_BYTES - length);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv).setAAD(Buffer.from(personId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(padded, 'utf8'), cipher.final()]);
  return {
    alg: 'A256GCM',
    keyId: personId,
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** Opens a sealed record; throws when the key is not its key or the record was altered. */
export function openPersonalData(sealed: SealedPersonalData, dataKey: Buffer, personId: string): PersonalData {
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(sealed.iv, 'base64')).setAAD(Buffer.from(personId, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  let plain: string;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`the personal data of person ${personId} does not open with its key: the record or the key was altered`);
  }
  const data = JSON.parse(plain) as Partial<PersonalData>;
  if (typeof data.name !== 'string' || typeof data.email !== 'string') throw new Error(`the personal data of person ${personId} is not {name, email}`);
  return { name: data.name, email: data.email, ...(typeof data.profileUrl === 'string' ? { profileUrl: data.profileUrl } : {}) };
}

/**
 * The people's data keys, one row per person in `<schema>.person_keys`, wrapped with the master
 * key. A key is stored in the transaction that records its PersonAdded and deleted in the one
 * that records PersonalDataErased (writes go through the caller's transaction: `on`).
 */
export class PersonalDataVault {
  private readonly table: string;

  constructor(
    private readonly db: Queryable,
    schema: string,
    private readonly masterKey: Buffer,
  ) {
    this.table = `"${assertIdentifier(schema)}".person_keys`;
  }

  async storeKey(personId: string, dataKey: Buffer, on: Queryable): Promise<void> {
    // No ON CONFLICT: a second key for a person would leave their record sealed with the first.
    await on.query(`INSERT INTO ${this.table} (person_id, wrapped_key) VALUES ($1, $2)`, [personId, wrapDataKey(dataKey, this.masterKey, personId)]);
  }

  /** Idempotent: deleting a key that is gone (or never was: people recorded before v2) does nothing. */
  async deleteKey(personId: string, on: Queryable): Promise<void> {
    await on.query(`DELETE FROM ${this.table} WHERE person_id = $1`, [personId]);
  }

  /** The data keys of these people that still exist, in one query; the erased are missing. */
  async dataKeys(personIds: string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    if (personIds.length === 0) return keys;
    const rows: { person_id: string; wrapped_key: Buffer }[] = await this.db.query(
      `SELECT person_id::text AS person_id, wrapped_key FROM ${this.table} WHERE person_id = ANY($1::uuid[])`,
      [[...new Set(personIds)]],
    );
    for (const row of rows) keys.set(row.person_id, unwrapDataKey(row.wrapped_key, this.masterKey, row.person_id));
    return keys;
  }
}
