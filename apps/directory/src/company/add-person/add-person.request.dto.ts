import { ApiProperty } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsEmail, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { SIGNING_ROLES, SigningRole } from '@dealledger/events';
import { IssuedApiKeyResponse } from '../register-company/register-company.request.dto';

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
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty() position: string;
  @ApiProperty({ enum: SIGNING_ROLES, isArray: true }) signingRoles: SigningRole[];
  @ApiProperty({ type: IssuedApiKeyResponse }) apiKey: IssuedApiKeyResponse;
}
