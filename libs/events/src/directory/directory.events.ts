import { ArrayUnique, IsArray, IsEmail, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, Min } from 'class-validator';
import type { EventDefinition } from '../catalog';

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
export type PersonAdded = { type: 'PersonAdded'; data: PersonAddedV1 };
export type ApiKeyIssued = { type: 'ApiKeyIssued'; data: ApiKeyIssuedV1 };
export type ApiKeyRevoked = { type: 'ApiKeyRevoked'; data: ApiKeyRevokedV1 };
export type PersonRemoved = { type: 'PersonRemoved'; data: PersonRemovedV1 };
export type PersonRolesChanged = { type: 'PersonRolesChanged'; data: PersonRolesChangedV1 };
export type CompanyVerified = { type: 'CompanyVerified'; data: CompanyVerifiedV1 };
export type DirectoryEvent = CompanyRegistered | PersonAdded | ApiKeyIssued | ApiKeyRevoked | PersonRemoved | PersonRolesChanged | CompanyVerified;

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
];
