import { Type } from 'class-transformer';
import {
  ArrayUnique,
  Equals,
  IsArray,
  IsBase64,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import type { EventDefinition, Upcaster } from '../catalog';

export const COMPANY_ROLES = ['supplier', 'buyer', 'intermediary', 'public_body'] as const;
export type CompanyRole = (typeof COMPANY_ROLES)[number];

/** Who may sign what: contracts require signatures from people holding these roles. */
export const SIGNING_ROLES = ['procurement', 'legal', 'finance', 'technical', 'executive', 'government'] as const;
export type SigningRole = (typeof SIGNING_ROLES)[number];

/** A company joined the ledger. Its id is derived from country + registration number. */
export class CompanyRegisteredV1 {
  @IsUUID() companyId: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name: string;
  @IsString() @IsNotEmpty() @MaxLength(64) registrationNumber: string;
  @Matches(/^[A-Z]{2}$/) country: string;
  @IsArray() @ArrayUnique() @IsIn(COMPANY_ROLES, { each: true }) roles: CompanyRole[];
}

/** A decision maker of a company was recorded, with the roles they may sign for. */
export class PersonAddedV1 {
  @IsUUID() companyId: string;
  @IsUUID() personId: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name: string;
  @IsEmail() email: string;
  @IsString() @IsNotEmpty() @MaxLength(200) position: string;
  @IsArray() @ArrayUnique() @IsIn(SIGNING_ROLES, { each: true }) signingRoles: SigningRole[];
}

/** The ways `PersonAdded.personal` can be recorded. */
export const PERSONAL_DATA_ALGS = ['A256GCM', 'clear'] as const;

/**
 * Fails when the object holds a property not named here: a sealed record that also carried the
 * name or e-mail in clear would defeat erasure, so the variants are checked key by key.
 */
function HasOnlyKeys(keys: readonly string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasOnlyKeys',
      constraints: [keys],
      validator: {
        validate: (_value, args) => typeof args?.object === 'object' && Object.keys(args.object).every((k) => keys.includes(k)),
        defaultMessage: (args) =>
          `${args?.targetName ?? 'object'} may hold only ${keys.join(', ')}; it also holds ${Object.keys(args?.object ?? {})
            .filter((k) => !keys.includes(k))
            .join(', ')}`,
      },
    },
    options,
  );
}

/**
 * A person's name and e-mail, encrypted (AES-256-GCM) with a data key of their own that the
 * directory keeps outside the log. Deleting that key erases them from every copy of the event
 * (the log, Kafka, backups) without touching the hash chain. Fields are base64; the plaintext
 * is the JSON `{name, email}`.
 */
export class SealedPersonalData {
  @HasOnlyKeys(['alg', 'keyId', 'iv', 'ciphertext', 'tag']) @Equals('A256GCM') alg: 'A256GCM';
  /** The data key's id (the person's id: one key per person). */
  @IsUUID() keyId: string;
  /** 96-bit nonce. */
  @IsBase64() @Length(16, 16) iv: string;
  @IsBase64() @IsNotEmpty() @MaxLength(8192) ciphertext: string;
  /** 128-bit GCM tag. */
  @IsBase64() @Length(24, 24) tag: string;
}

/**
 * Name and e-mail in clear: only what a PersonAdded v1 (recorded before sealing) becomes when
 * upcast. No key deletion can erase it; an erasure only hides it in the directory's views.
 */
export class ClearPersonalData {
  @HasOnlyKeys(['alg', 'name', 'email']) @Equals('clear') alg: 'clear';
  @IsString() @IsNotEmpty() @MaxLength(200) name: string;
  @IsEmail() email: string;
}

/** What `personal` becomes when its `alg` is neither variant's: only the `alg` check applies (and fails). */
class UnknownPersonalData {
  @IsIn(PERSONAL_DATA_ALGS) alg: string;
}

export type PersonalDataRecord = SealedPersonalData | ClearPersonalData;

/**
 * PersonAdded from version 2: the name and e-mail are sealed (`personal`), so they can be
 * erased; position and signing roles stay in clear, they are business roles, not private data.
 */
export class PersonAddedV2 {
  @HasOnlyKeys(['companyId', 'personId', 'personal', 'position', 'signingRoles']) @IsUUID() companyId: string;
  @IsUUID() personId: string;
  @IsDefined()
  @ValidateNested()
  @Type(() => UnknownPersonalData, {
    keepDiscriminatorProperty: true,
    discriminator: {
      property: 'alg',
      subTypes: [
        { name: 'A256GCM', value: SealedPersonalData },
        { name: 'clear', value: ClearPersonalData },
      ],
    },
  })
  personal: PersonalDataRecord;
  @IsString() @IsNotEmpty() @MaxLength(200) position: string;
  @IsArray() @ArrayUnique() @IsIn(SIGNING_ROLES, { each: true }) signingRoles: SigningRole[];
}

/**
 * v1 held the name and e-mail in clear. They stay in clear (the log is immutable), marked so:
 * such people can be hidden in the directory's views after an erasure, never shredded.
 */
export const personAddedV1ToV2: Upcaster = {
  type: 'PersonAdded',
  fromVersion: 1,
  upcast: ({ name, email, ...rest }) => ({ ...rest, personal: { alg: 'clear', name, email } }),
};

/**
 * A person's name and e-mail were erased at their (or their company's, or an operator's)
 * request: their data key is deleted with this event, so every read shows them as erased.
 * Their id, roles, keys and signatures stay.
 */
export class PersonalDataErasedV1 {
  @IsUUID() companyId: string;
  @IsUUID() personId: string;
}

/**
 * An API key was issued to the company itself (personId null) or to one of its people.
 * Only the SHA-256 of the key's 256-bit random secret is ever recorded.
 */
export class ApiKeyIssuedV1 {
  @IsUUID() companyId: string;
  @IsUUID() keyId: string;
  @IsOptional() @IsUUID() personId: string | null;
  @IsString() @Length(64, 64) @Matches(/^[0-9a-f]+$/) secretHash: string;
}

/**
 * An API key stopped working: revoked by its company (or its holder), or because its person was
 * removed. Every app learns it from this topic and refuses the tokens issued from that key.
 */
export class ApiKeyRevokedV1 {
  @IsUUID() companyId: string;
  @IsUUID() keyId: string;
  @IsOptional() @IsUUID() personId: string | null;
  @IsIn(['revoked', 'person_removed']) reason: 'revoked' | 'person_removed';
}

/** A person left the company: their tokens stop working in every app, their keys are revoked. */
export class PersonRemovedV1 {
  @IsUUID() companyId: string;
  @IsUUID() personId: string;
}

/**
 * A person's signing roles changed. `rolesVersion` counts the changes: tokens carry the version
 * they were issued at, and every app refuses those older than the person's current one.
 */
export class PersonRolesChangedV1 {
  @IsUUID() companyId: string;
  @IsUUID() personId: string;
  @IsArray() @ArrayUnique() @IsIn(SIGNING_ROLES, { each: true }) signingRoles: SigningRole[];
  @IsInt() @Min(1) rolesVersion: number;
}

/**
 * An operator checked the company's registration (number, country, and a public body's status)
 * against the register. Until then it is `pending`: it may trade, and counterparties see that;
 * but it is no public body for the ledger and its people cannot hold the government role.
 */
export class CompanyVerifiedV1 {
  @IsUUID() companyId: string;
  @IsString() @IsNotEmpty() @MaxLength(500) note: string;
}

export type CompanyRegistered = { type: 'CompanyRegistered'; data: CompanyRegisteredV1 };
/** As stored and published since v2 (v1 events are upcast to it); the directory's folds see it opened. */
export type PersonAdded = { type: 'PersonAdded'; data: PersonAddedV2 };
export type ApiKeyIssued = { type: 'ApiKeyIssued'; data: ApiKeyIssuedV1 };
export type ApiKeyRevoked = { type: 'ApiKeyRevoked'; data: ApiKeyRevokedV1 };
export type PersonRemoved = { type: 'PersonRemoved'; data: PersonRemovedV1 };
export type PersonRolesChanged = { type: 'PersonRolesChanged'; data: PersonRolesChangedV1 };
export type CompanyVerified = { type: 'CompanyVerified'; data: CompanyVerifiedV1 };
export type PersonalDataErased = { type: 'PersonalDataErased'; data: PersonalDataErasedV1 };
export type DirectoryEvent =
  CompanyRegistered | PersonAdded | ApiKeyIssued | ApiKeyRevoked | PersonRemoved | PersonRolesChanged | CompanyVerified | PersonalDataErased;

export const DIRECTORY_EVENTS: EventDefinition[] = [
  { type: 'CompanyRegistered', schemaVersion: 1, context: 'directory', schema: CompanyRegisteredV1, description: 'A company joined the ledger.' },
  {
    type: 'PersonAdded',
    schemaVersion: 1,
    context: 'directory',
    schema: PersonAddedV1,
    description: 'A person of a company, with signing roles, was recorded.',
  },
  {
    type: 'PersonAdded',
    schemaVersion: 2,
    context: 'directory',
    schema: PersonAddedV2,
    description: 'A person of a company, with signing roles, was recorded; their name and e-mail sealed with a key of their own.',
  },
  {
    type: 'ApiKeyIssued',
    schemaVersion: 1,
    context: 'directory',
    schema: ApiKeyIssuedV1,
    description: 'An API key (hash only) was issued to a company or a person.',
  },
  {
    type: 'ApiKeyRevoked',
    schemaVersion: 1,
    context: 'directory',
    schema: ApiKeyRevokedV1,
    description: 'An API key was revoked; tokens issued from it stop working.',
  },
  {
    type: 'PersonRemoved',
    schemaVersion: 1,
    context: 'directory',
    schema: PersonRemovedV1,
    description: 'A person left the company; their tokens stop working.',
  },
  {
    type: 'CompanyVerified',
    schemaVersion: 1,
    context: 'directory',
    schema: CompanyVerifiedV1,
    description: "An operator verified the company's registration (and public-body status).",
  },
  {
    type: 'PersonRolesChanged',
    schemaVersion: 1,
    context: 'directory',
    schema: PersonRolesChangedV1,
    description: "A person's signing roles changed; tokens issued before stop working.",
  },
  {
    type: 'PersonalDataErased',
    schemaVersion: 1,
    context: 'directory',
    schema: PersonalDataErasedV1,
    description: "A person's name and e-mail were erased (their data key deleted); their id, roles and keys stay.",
  },
];

export const DIRECTORY_UPCASTERS: Upcaster[] = [personAddedV1ToV2];
