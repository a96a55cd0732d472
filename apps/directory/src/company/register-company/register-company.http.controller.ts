import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@dealledger/auth';
import type { CommandMetadata } from '@dealledger/event-store';
import { CommandMeta } from '@dealledger/platform';
import { RegisterCompanyCommand } from './register-company.command-handler';
import { RegisterCompanyRequest, RegisteredCompanyResponse } from './register-company.request.dto';

@ApiTags('companies')
@Controller('companies')
export class RegisterCompanyHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Public()
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: "Register a company; the response holds the company's API key, shown once" })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried request with the same key has no second effect' })
  @ApiCreatedResponse({ type: RegisteredCompanyResponse })
  @ApiConflictResponse({ description: 'A company with this country and registration number exists (problem+json)' })
  async register(
    @Body() body: RegisterCompanyRequest,
    @CommandMeta() metadata: CommandMetadata,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RegisteredCompanyResponse> {
    const result = await this.commands.execute(new RegisterCompanyCommand(body, metadata));
    res.location(`/companies/${result.companyId}`);
    return result;
  }
}
