import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class IssueTokenRequest {
  @ApiProperty({ description: 'A company or person API key (dlk.<companyId>.<keyId>.<secret>)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  apiKey: string;
}

export class TokenResponse {
  @ApiProperty({ description: 'Signed token (EdDSA) to send as `Authorization: Bearer <token>` to every app' }) accessToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds until it expires' }) expiresIn: number;
  @ApiProperty() companyId: string;
  @ApiProperty({ nullable: true, type: String }) personId: string | null;
  @ApiProperty({ isArray: true, type: String }) roles: string[];
}
