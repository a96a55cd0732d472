import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsIn, IsOptional, IsUUID } from 'class-validator';
import { SIGNING_ROLES, SigningRole } from '@dealledger/events';

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
