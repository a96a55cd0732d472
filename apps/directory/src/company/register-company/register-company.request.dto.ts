import { ApiProperty } from '@nestjs/swagger';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { COMPANY_ROLES, CompanyRole } from '@dealledger/events';

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
