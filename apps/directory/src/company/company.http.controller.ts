import { applyDecorators, Body, Controller, Delete, Get, Headers, HttpCode, Logger, Param, Post, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { adminKey, checkAdminKey, CurrentPrincipal, Principal, Public } from '@dealledger/auth';
import { idempotencyKeyReused } from '@dealledger/domain';
import { CommandInput, CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import { CommandMeta, uuidParam } from '@dealledger/platform';
import { PersonalDataCommandHandler } from '../personal-data/personal-data.command-handler';
import { GeneratedApiKey, generateApiKey } from './api-key';
import { ExecuteCompanyCommand } from './company.command-handler';
import type { CompanyCommand, NewApiKey } from './company.commands';
import {
  AddedPersonResponse,
  AddPersonRequest,
  ChangedRolesResponse,
  ChangeRolesRequest,
  CompanyResponse,
  ErasedPersonalDataResponse,
  IssueApiKeyRequest,
  IssuedKeyResponse,
  RegisterCompanyRequest,
  RegisteredCompanyResponse,
  RemovedPersonResponse,
  RevokedKeyResponse,
  VerifiedCompanyResponse,
  VerifyCompanyRequest,
} from './company.requests.dto';
import { companyIdOfRegistration, companyView, loadCompany } from './company.stream';

/** Only the hash goes into the command (and its event): the key itself is shown once, in the response. */
const hashOf = ({ keyId, secretHash }: GeneratedApiKey): NewApiKey => ({ keyId, secretHash });

const companies = () => applyDecorators(ApiTags('companies'), ApiBearerAuth());
const idempotent = (description?: string) => ApiHeader({ name: 'Idempotency-Key', required: false, description });

/**
 * Who may act for a company. The company's own key or one of its executives manages people and
 * keys; a person may rotate (issue a new key, revoke the old) and revoke their own. Tokens of a
 * revoked key, a removed person or an older role version stop working in every app within seconds.
 */
const accessChange = () =>
  applyDecorators(
    companies(),
    idempotent(),
    ApiForbiddenResponse({ description: "Not the company's own key, one of its executives or (for own keys) the holder" }),
    ApiNotFoundResponse({ description: 'No such company, person or key' }),
  );

/**
 * Companies, their decision makers and API keys. Registering is public and answers with the
 * company's first key; a person's key comes with the person; both are shown once.
 */
@Controller()
export class CompanyHttpController {
  private readonly adminKey = adminKey();

  constructor(
    private readonly commands: CommandBus,
    private readonly store: PostgresEventStore,
    private readonly personalData: PersonalDataCommandHandler,
  ) {
    if (!process.env.ADMIN_KEY) new Logger('Admin').warn('ADMIN_KEY is not set: admin routes take the development key');
  }

  private execute(command: CommandInput<CompanyCommand>, metadata: CommandMetadata) {
    return this.commands.execute(new ExecuteCompanyCommand(command, metadata));
  }

  @Public()
  @Post('companies')
  @HttpCode(201)
  @ApiTags('companies')
  @ApiOperation({ summary: "Register a company; the response holds the company's API key, shown once" })
  @idempotent('A retried request with the same key has no second effect')
  @ApiCreatedResponse({ type: RegisteredCompanyResponse })
  @ApiConflictResponse({ description: 'A company with this country and registration number exists (problem+json)' })
  async register(
    @Body() body: RegisterCompanyRequest,
    @CommandMeta() m: CommandMetadata,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RegisteredCompanyResponse> {
    const companyId = companyIdOfRegistration(body.country, body.registrationNumber);
    const apiKey = generateApiKey(companyId);
    // The company registers itself: it is the actor of its first events.
    const { state, events, replayed } = await this.execute(
      { type: 'RegisterCompany', companyId, ...body, roles: body.roles, apiKey: hashOf(apiKey) },
      { ...m, requester: { companyId, personId: null, roles: [] } },
    );
    if (state.status !== 'registered') throw idempotencyKeyReused();
    const issued = events.find((e) => e.type === 'ApiKeyIssued');
    res.location(`/companies/${companyId}`);
    return {
      companyId,
      name: state.name,
      registrationNumber: state.registrationNumber,
      country: state.country,
      roles: state.roles,
      apiKey: { keyId: issued?.type === 'ApiKeyIssued' ? issued.data.keyId : apiKey.keyId, key: replayed ? null : apiKey.key },
    };
  }

  @Get('companies/:id')
  @companies()
  @ApiOperation({ summary: 'A company, its roles and its decision makers' })
  @ApiOkResponse({ type: CompanyResponse })
  @ApiNotFoundResponse({ description: 'No such company' })
  async get(@Param('id', uuidParam) companyId: string, @CurrentPrincipal() viewer: Principal): Promise<CompanyResponse> {
    return companyView(await loadCompany(this.store, companyId), viewer, companyId);
  }

  @Post('companies/:id/people')
  @HttpCode(201)
  @companies()
  @ApiOperation({ summary: "Record a decision maker with signing roles; the response holds the person's API key, shown once" })
  @idempotent()
  @ApiCreatedResponse({ type: AddedPersonResponse })
  @ApiForbiddenResponse({ description: "Not the company's own key or one of its executives" })
  @ApiNotFoundResponse({ description: 'No such company' })
  async addPerson(@Param('id', uuidParam) companyId: string, @Body() body: AddPersonRequest, @CommandMeta() m: CommandMetadata): Promise<AddedPersonResponse> {
    const apiKey = generateApiKey(companyId);
    const { personId, personalData, events, replayed } = await this.personalData.addPerson({ companyId, ...body, apiKey: hashOf(apiKey) }, m);
    const added = events.find((e) => e.type === 'PersonAdded' && e.data.personId === personId);
    const issued = events.find((e) => e.type === 'ApiKeyIssued');
    if (added?.type !== 'PersonAdded' || issued?.type !== 'ApiKeyIssued') throw idempotencyKeyReused();
    return {
      personId,
      companyId,
      name: personalData?.name ?? null,
      email: personalData?.email ?? null,
      position: added.data.position,
      signingRoles: added.data.signingRoles,
      apiKey: { keyId: issued.data.keyId, key: replayed ? null : apiKey.key },
    };
  }

  @Post('companies/:id/api-keys')
  @HttpCode(201)
  @accessChange()
  @ApiOperation({ summary: 'Issue a new API key for the company or one of its people (rotation: issue, then revoke the old one)' })
  @ApiCreatedResponse({ type: IssuedKeyResponse })
  async issueApiKey(
    @Param('id', uuidParam) companyId: string,
    @Body() body: IssueApiKeyRequest,
    @CommandMeta() m: CommandMetadata,
  ): Promise<IssuedKeyResponse> {
    const apiKey = generateApiKey(companyId);
    const { events, replayed } = await this.execute({ type: 'IssueApiKey', companyId, personId: body.personId ?? null, apiKey: hashOf(apiKey) }, m);
    const issued = events.find((e) => e.type === 'ApiKeyIssued');
    if (issued?.type !== 'ApiKeyIssued') throw idempotencyKeyReused();
    return { keyId: issued.data.keyId, personId: issued.data.personId, key: replayed ? null : apiKey.key };
  }

  @Delete('companies/:id/api-keys/:keyId')
  @accessChange()
  @ApiOperation({ summary: 'Revoke an API key: it and the tokens issued from it stop working' })
  @ApiOkResponse({ type: RevokedKeyResponse })
  @ApiConflictResponse({ description: 'Already revoked' })
  async revokeApiKey(
    @Param('id', uuidParam) companyId: string,
    @Param('keyId', uuidParam) keyId: string,
    @CommandMeta() m: CommandMetadata,
  ): Promise<RevokedKeyResponse> {
    const { events } = await this.execute({ type: 'RevokeApiKey', companyId, keyId }, m);
    if (!events.some((e) => e.type === 'ApiKeyRevoked' && e.data.keyId === keyId)) throw idempotencyKeyReused();
    return { keyId, revoked: true };
  }

  @Delete('companies/:id/people/:personId')
  @accessChange()
  @ApiOperation({ summary: 'Remove a person: their keys are revoked and their tokens stop working' })
  @ApiOkResponse({ type: RemovedPersonResponse })
  async removePerson(
    @Param('id', uuidParam) companyId: string,
    @Param('personId', uuidParam) personId: string,
    @CommandMeta() m: CommandMetadata,
  ): Promise<RemovedPersonResponse> {
    const { events } = await this.execute({ type: 'RemovePerson', companyId, personId }, m);
    if (!events.some((e) => e.type === 'PersonRemoved' && e.data.personId === personId)) throw idempotencyKeyReused();
    return { personId, removed: true, revokedKeys: events.flatMap((e) => (e.type === 'ApiKeyRevoked' ? [e.data.keyId] : [])) };
  }

  /**
   * Erases a person's name and e-mail: their data key is deleted with the PersonalDataErased that
   * records it, so no copy of their PersonAdded (log, Kafka, backups of the log) opens any more.
   */
  @Delete('companies/:id/people/:personId/personal-data')
  @companies()
  @idempotent()
  @ApiOperation({ summary: "Erase a person's name and e-mail (the person, the company's own key or an executive); idempotent" })
  @ApiOkResponse({ type: ErasedPersonalDataResponse })
  @ApiForbiddenResponse({ description: "A colleague who is neither the person nor an executive, nor the company's own key" })
  @ApiNotFoundResponse({ description: 'No such person in this company (also what other companies hear)' })
  async erasePersonalData(
    @Param('id', uuidParam) companyId: string,
    @Param('personId', uuidParam) personId: string,
    @CommandMeta() m: CommandMetadata,
  ): Promise<ErasedPersonalDataResponse> {
    await this.personalData.erase({ companyId, personId, byOperator: false }, m);
    return { personId, erased: true };
  }

  /** The same erasure at an operator's hands (a request that reached the operator, a person who left). */
  @Public()
  @Delete('admin/companies/:id/people/:personId/personal-data')
  @ApiTags('operations')
  @ApiHeader({ name: 'X-Admin-Key', required: true, description: 'ADMIN_KEY' })
  @ApiOperation({ summary: "Erase a person's name and e-mail as an operator; idempotent" })
  @ApiOkResponse({ type: ErasedPersonalDataResponse })
  @ApiNotFoundResponse({ description: 'No such company or person' })
  async erasePersonalDataAsOperator(
    @Param('id', uuidParam) companyId: string,
    @Param('personId', uuidParam) personId: string,
    @Headers('x-admin-key') key: string | undefined,
    @CommandMeta() m: CommandMetadata,
  ): Promise<ErasedPersonalDataResponse> {
    checkAdminKey(key, this.adminKey);
    await this.personalData.erase({ companyId, personId, byOperator: true }, m);
    return { personId, erased: true };
  }

  @Put('companies/:id/people/:personId/roles')
  @accessChange()
  @ApiOperation({ summary: "Change a person's signing roles: their earlier tokens stop working" })
  @ApiOkResponse({ type: ChangedRolesResponse })
  async changeRoles(
    @Param('id', uuidParam) companyId: string,
    @Param('personId', uuidParam) personId: string,
    @Body() body: ChangeRolesRequest,
    @CommandMeta() m: CommandMetadata,
  ): Promise<ChangedRolesResponse> {
    // No event when the roles were already these: the person's version stays as it was.
    const { state } = await this.execute({ type: 'ChangePersonRoles', companyId, personId, signingRoles: body.signingRoles }, m);
    const person = state.status === 'registered' ? state.people.find((p) => p.personId === personId) : undefined;
    if (!person) throw idempotencyKeyReused();
    return { personId, signingRoles: person.signingRoles, rolesVersion: person.rolesVersion };
  }

  /** The operator's check of a registration: no company can verify itself. */
  @Public()
  @Post('admin/companies/:id/verification')
  @HttpCode(200)
  @ApiTags('operations')
  @ApiHeader({ name: 'X-Admin-Key', required: true, description: 'ADMIN_KEY' })
  @ApiOperation({ summary: "Record that an operator checked the company's registration (and public-body status) against the register" })
  @ApiOkResponse({ type: VerifiedCompanyResponse })
  async verify(
    @Param('id', uuidParam) companyId: string,
    @Body() body: VerifyCompanyRequest,
    @Headers('x-admin-key') key: string | undefined,
    @CommandMeta() m: CommandMetadata,
  ): Promise<VerifiedCompanyResponse> {
    checkAdminKey(key, this.adminKey);
    await this.execute({ type: 'VerifyCompany', companyId, note: body.note }, m);
    return { companyId, verification: 'verified' };
  }
}
