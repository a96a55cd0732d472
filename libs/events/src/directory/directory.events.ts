import { ArrayUnique, IsArray, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
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

export type CompanyRegistered = { type: 'CompanyRegistered'; data: CompanyRegisteredV1 };
export type PersonAdded = { type: 'PersonAdded'; data: PersonAddedV1 };
export type ApiKeyIssued = { type: 'ApiKeyIssued'; data: ApiKeyIssuedV1 };
export type DirectoryEvent = CompanyRegistered | PersonAdded | ApiKeyIssued;

export const DIRECTORY_EVENTS: EventDefinition[] = [
  { type: 'CompanyRegistered', schemaVersion: 1, context: 'directory', schema: CompanyRegisteredV1, description: 'A company joined the ledger.' },
  { type: 'PersonAdded', schemaVersion: 1, context: 'directory', schema: PersonAddedV1, description: 'A person of a company, with signing roles, was recorded.' },
  { type: 'ApiKeyIssued', schemaVersion: 1, context: 'directory', schema: ApiKeyIssuedV1, description: 'An API key (hash only) was issued to a company or a person.' },
];
