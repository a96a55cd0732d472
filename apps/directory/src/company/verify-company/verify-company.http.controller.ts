import { Body, Controller, Headers, HttpCode, Logger, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { adminKey, checkAdminKey, Public } from '@dealledger/auth';
import type { CommandMetadata } from '@dealledger/event-store';
import { CommandMeta } from '@dealledger/platform';
import { VerifyCompanyCommand } from './verify-company.command-handler';

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

/** The operator's check of a registration: no company can verify itself. */
@ApiTags('operations')
@ApiHeader({ name: 'X-Admin-Key', required: true, description: 'ADMIN_KEY' })
@Controller('admin/companies')
export class VerifyCompanyHttpController {
  private readonly key = adminKey();

  constructor(private readonly commands: CommandBus) {
    if (!process.env.ADMIN_KEY) new Logger('Admin').warn('ADMIN_KEY is not set: admin routes take the development key');
  }

  @Public()
  @Post(':id/verification')
  @HttpCode(200)
  @ApiOperation({ summary: "Record that an operator checked the company's registration (and public-body status) against the register" })
  @ApiOkResponse({ type: VerifiedCompanyResponse })
  async verify(
    @Param('id', new ParseUUIDPipe({ version: undefined })) companyId: string,
    @Body() body: VerifyCompanyRequest,
    @Headers('x-admin-key') key: string | undefined,
    @CommandMeta() metadata: CommandMetadata,
  ): Promise<VerifiedCompanyResponse> {
    checkAdminKey(key, this.key);
    await this.commands.execute(new VerifyCompanyCommand(companyId, body.note, metadata));
    return { companyId, verification: 'verified' };
  }
}
