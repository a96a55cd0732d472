import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { COMPANY_ROLES, CompanyRole, SIGNING_ROLES, SigningRole } from '@dealledger/events';

export class RegisterCompanyRequest {
  @ApiProperty({ example: 'Nordstahl AG', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'HRB 86123', description: 'Trade-register number; unique per country', maxLength: 64 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  registrationNumber: string;

  @ApiProperty({ example: 'DE', description: 'ISO 3166-1 alpha-2 country code' })
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as DE' })
  country: string;

  @ApiProperty({ enum: COMPANY_ROLES, isArray: true, example: ['supplier'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(COMPANY_ROLES, { each: true })
  roles: CompanyRole[];
}

export class IssuedApiKeyResponse {
  @ApiProperty() keyId: string;
  @ApiProperty({ nullable: true, type: String, description: 'The key itself: shown once, never again (null on a replayed request)' })
  key: string | null;
}

export class RegisteredCompanyResponse {
  @ApiProperty() companyId: string;
  @ApiProperty() name: string;
  @ApiProperty() registrationNumber: string;
  @ApiProperty() country: string;
  @ApiProperty({ enum: COMPANY_ROLES, isArray: true }) roles: CompanyRole[];
  @ApiProperty({ type: IssuedApiKeyResponse }) apiKey: IssuedApiKeyResponse;
}

export class AddPersonRequest {
  @ApiProperty({ example: 'Greta Lindqvist', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'greta.lindqvist@nordstahl.example' })
  @IsEmail()
  email: string;

  @ApiProperty({ example: 'Head of Procurement', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  position: string;

  @ApiProperty({ enum: SIGNING_ROLES, isArray: true, example: ['procurement'], description: 'What this person may sign for the company' })
  @IsArray()
  @ArrayUnique()
  @IsIn(SIGNING_ROLES, { each: true })
  signingRoles: SigningRole[];
}

export class AddedPersonResponse {
  @ApiProperty() personId: string;
  @ApiProperty() companyId: string;
  @ApiProperty({ nullable: true, type: String, description: 'null only when a replayed request finds the person erased since' }) name: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Lower-cased; null as the name' }) email: string | null;
  @ApiProperty() position: string;
  @ApiProperty({ enum: SIGNING_ROLES, isArray: true }) signingRoles: SigningRole[];
  @ApiProperty({ type: IssuedApiKeyResponse }) apiKey: IssuedApiKeyResponse;
}

export class IssueApiKeyRequest {
  @ApiPropertyOptional({ nullable: true, description: 'The person the key speaks for; absent or null: the company itself' })
  @IsOptional()
  @IsUUID()
  personId?: string | null;
}

export class IssuedKeyResponse {
  @ApiProperty() keyId: string;
  @ApiProperty({ nullable: true, type: String }) personId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The key itself: shown once, never again (null on a replayed request)' })
  key: string | null;
}

export class RevokedKeyResponse {
  @ApiProperty() keyId: string;
  @ApiProperty() revoked: true;
}

export class RemovedPersonResponse {
  @ApiProperty() personId: string;
  @ApiProperty() removed: true;
  @ApiProperty({ type: String, isArray: true, description: 'Their keys, revoked with them' }) revokedKeys: string[];
}

export class ChangeRolesRequest {
  @ApiProperty({ enum: SIGNING_ROLES, isArray: true, example: ['procurement', 'legal'] })
  @IsArray()
  @ArrayUnique()
  @IsIn(SIGNING_ROLES, { each: true })
  signingRoles: SigningRole[];
}

export class ChangedRolesResponse {
  @ApiProperty() personId: string;
  @ApiProperty({ enum: SIGNING_ROLES, isArray: true }) signingRoles: SigningRole[];
  @ApiProperty({ description: 'Tokens issued at an older version are refused by every app' }) rolesVersion: number;
}

export class VerifyCompanyRequest {
  @ApiProperty({ example: 'Checked against the Austrian register of public bodies, 2026-11-29', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  note: string;
}

export class VerifiedCompanyResponse {
  @ApiProperty() companyId: string;
  @ApiProperty({ enum: ['verified'] }) verification: 'verified';
}

export class PersonView {
  @ApiProperty() personId: string;
  @ApiProperty({ nullable: true, type: String, description: 'null once the personal data is erased' }) name: string | null;
  @ApiProperty() position: string;
  @ApiProperty({ enum: SIGNING_ROLES, isArray: true }) signingRoles: SigningRole[];
  @ApiPropertyOptional({ nullable: true, type: String, description: "Shown to the company's own people only; null once erased" }) email?: string | null;
  @ApiProperty({ description: 'Name and e-mail erased: the person, their roles and keys stay' }) erased: boolean;
}

export class ErasedPersonalDataResponse {
  @ApiProperty() personId: string;
  @ApiProperty() erased: true;
}

export class CompanyResponse {
  @ApiProperty() companyId: string;
  @ApiProperty() name: string;
  @ApiProperty() registrationNumber: string;
  @ApiProperty() country: string;
  @ApiProperty({ enum: COMPANY_ROLES, isArray: true }) roles: CompanyRole[];
  @ApiProperty({ enum: ['pending', 'verified'], description: "An operator's check of the registration; a public body's status counts only once verified" })
  verification: 'pending' | 'verified';
  @ApiProperty() registeredAt: string;
  @ApiProperty({ description: 'Version of the company stream' }) version: number;
  @ApiProperty({ type: PersonView, isArray: true }) people: PersonView[];
}
