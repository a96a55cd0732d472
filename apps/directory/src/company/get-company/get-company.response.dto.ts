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
  @ApiProperty({ enum: ['pending', 'verified'], description: "An operator's check of the registration; a public body's status counts only once verified" }) verification: 'pending' | 'verified';
  @ApiProperty() registeredAt: string;
  @ApiProperty({ description: 'Version of the company stream' }) version: number;
  @ApiProperty({ type: PersonView, isArray: true }) people: PersonView[];
}
