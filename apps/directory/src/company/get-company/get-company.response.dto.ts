import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COMPANY_ROLES, CompanyRole, SIGNING_ROLES, SigningRole } from '@dealledger/events';

export class PersonView {
  @ApiProperty() personId: string;
  @ApiProperty() name: string;
  @ApiProperty() position: string;
  @ApiProperty({ enum: SIGNING_ROLES, isArray: true }) signingRoles: SigningRole[];
  @ApiPropertyOptional({ description: "Shown to the company's own people only" }) email?: string;
}

export class CompanyResponse {
  @ApiProperty() companyId: string;
  @ApiProperty() name: string;
  @ApiProperty() registrationNumber: string;
  @ApiProperty() country: string;
  @ApiProperty({ enum: COMPANY_ROLES, isArray: true }) roles: CompanyRole[];
  @ApiProperty() registeredAt: string;
  @ApiProperty({ description: 'Version of the company stream' }) version: number;
  @ApiProperty({ type: PersonView, isArray: true }) people: PersonView[];
}
