import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiForbiddenResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import type { CommandMetadata } from '@dealledger/event-store';
import { CommandMeta } from '@dealledger/platform';
import { AddPersonCommand } from './add-person.command-handler';
import { AddedPersonResponse, AddPersonRequest } from './add-person.request.dto';

@ApiTags('companies')
@ApiBearerAuth()
@Controller('companies/:id/people')
export class AddPersonHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: "Record a decision maker with signing roles; the response holds the person's API key, shown once" })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ type: AddedPersonResponse })
  @ApiForbiddenResponse({ description: "Not the company's own key or one of its executives" })
  @ApiNotFoundResponse({ description: 'No such company' })
  add(
    @Param('id', new ParseUUIDPipe({ version: undefined })) companyId: string,
    @Body() body: AddPersonRequest,
    @CurrentPrincipal() principal: Principal,
    @CommandMeta() metadata: CommandMetadata,
  ): Promise<AddedPersonResponse> {
    return this.commands.execute(new AddPersonCommand(companyId, body, principal, metadata));
  }
}
