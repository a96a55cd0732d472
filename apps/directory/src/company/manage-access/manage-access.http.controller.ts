import { idempotencyKeyReused } from '@dealledger/domain';
import { Body, Controller, Delete, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import type { CommandMetadata } from '@dealledger/event-store';
import { CommandMeta } from '@dealledger/platform';
import { ManageAccessCommand } from './manage-access.command-handler';
import { ChangedRolesResponse, ChangeRolesRequest, IssuedKeyResponse, IssueApiKeyRequest, RemovedPersonResponse, RevokedKeyResponse } from './manage-access.request.dto';

const uuid = () => new ParseUUIDPipe({ version: undefined });

/**
 * Who may act for a company. The company's own key or one of its executives manages people and
 * keys; a person may rotate (issue a new key, revoke the old) and revoke their own. Tokens of a
 * revoked key, a removed person or an older role version stop working in every app within seconds.
 */
@ApiTags('companies')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@ApiForbiddenResponse({ description: "Not the company's own key, one of its executives or (for own keys) the holder" })
@ApiNotFoundResponse({ description: 'No such company, person or key' })
@Controller('companies/:id')
export class ManageAccessHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post('api-keys')
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue a new API key for the company or one of its people (rotation: issue, then revoke the old one)' })
  @ApiCreatedResponse({ type: IssuedKeyResponse })
  async issue(
    @Param('id', uuid()) companyId: string,
    @Body() body: IssueApiKeyRequest,
    @CurrentPrincipal() principal: Principal,
    @CommandMeta() metadata: CommandMetadata,
  ): Promise<IssuedKeyResponse> {
    const { events, key } = await this.commands.execute(new ManageAccessCommand(companyId, { type: 'IssueApiKey', personId: body.personId ?? null }, principal, metadata));
    const issued = events.find((e) => e.type === 'ApiKeyIssued');
    if (issued?.type !== 'ApiKeyIssued') throw idempotencyKeyReused();
    return { keyId: issued.data.keyId, personId: issued.data.personId, key };
  }

  @Delete('api-keys/:keyId')
  @ApiOperation({ summary: 'Revoke an API key: it and the tokens issued from it stop working' })
  @ApiOkResponse({ type: RevokedKeyResponse })
  @ApiConflictResponse({ description: 'Already revoked' })
  async revoke(
    @Param('id', uuid()) companyId: string,
    @Param('keyId', uuid()) keyId: string,
    @CurrentPrincipal() principal: Principal,
    @CommandMeta() metadata: CommandMetadata,
  ): Promise<RevokedKeyResponse> {
    const { events } = await this.commands.execute(new ManageAccessCommand(companyId, { type: 'RevokeApiKey', keyId }, principal, metadata));
    if (!events.some((e) => e.type === 'ApiKeyRevoked' && e.data.keyId === keyId)) throw idempotencyKeyReused();
    return { keyId, revoked: true };
  }

  @Delete('people/:personId')
  @ApiOperation({ summary: 'Remove a person: their keys are revoked and their tokens stop working' })
  @ApiOkResponse({ type: RemovedPersonResponse })
  async remove(
    @Param('id', uuid()) companyId: string,
    @Param('personId', uuid()) personId: string,
    @CurrentPrincipal() principal: Principal,
    @CommandMeta() metadata: CommandMetadata,
  ): Promise<RemovedPersonResponse> {
    const { events } = await this.commands.execute(new ManageAccessCommand(companyId, { type: 'RemovePerson', personId }, principal, metadata));
    if (!events.some((e) => e.type === 'PersonRemoved' && e.data.personId === personId)) throw idempotencyKeyReused();
    return { personId, removed: true, revokedKeys: events.flatMap((e) => (e.type === 'ApiKeyRevoked' ? [e.data.keyId] : [])) };
  }

  @Put('people/:personId/roles')
  @ApiOperation({ summary: "Change a person's signing roles: their earlier tokens stop working" })
  @ApiOkResponse({ type: ChangedRolesResponse })
  async changeRoles(
    @Param('id', uuid()) companyId: string,
    @Param('personId', uuid()) personId: string,
    @Body() body: ChangeRolesRequest,
    @CurrentPrincipal() principal: Principal,
    @CommandMeta() metadata: CommandMetadata,
  ): Promise<ChangedRolesResponse> {
    // No event when the roles were already these: the person's version stays as it was.
    const { state } = await this.commands.execute(new ManageAccessCommand(companyId, { type: 'ChangePersonRoles', personId, signingRoles: body.signingRoles }, principal, metadata));
    const person = state.status === 'registered' ? state.people.find((p) => p.personId === personId) : undefined;
    if (!person) throw idempotencyKeyReused();
    return { personId, signingRoles: person.signingRoles, rolesVersion: person.rolesVersion };
  }
}
