import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { uuidV5 } from '@dealledger/domain';
import { CommandInput, CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import { CommandMeta, KnownCompanies, uuidParam } from '@dealledger/platform';
import { ExecuteContractCommand } from './contract.command-handler';
import type { ContractCommand } from './contract.commands';
import { AmendContractRequest, OriginQuery, PlaceCallOffRequest, ReasonRequest, RenewContractRequest, SignContractRequest } from './contract.requests.dto';
import { contractView, loadContract } from './contract.stream';
import { contractIdFor } from './drafting';
import { ContractErrors } from './contract.errors';

/**
 * Contracts drafted from accepted offers and awarded tenders: amend, sign (bound to the exact
 * terms), call off at volume tier prices, renew, terminate. Only parties see a contract.
 */
@ApiTags('contracts')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried command with the same key has no second effect' })
@ApiNotFoundResponse({ description: 'No such contract that you are a party to (problem+json)' })
@Controller('contracts')
export class ContractHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: PostgresEventStore,
    private readonly companies: KnownCompanies,
  ) {}

  private async run(command: CommandInput<ContractCommand>, metadata: CommandMetadata, viewer: Principal) {
    const { state } = await this.commands.execute(new ExecuteContractCommand(command, metadata));
    return contractView(state, viewer, command.contractId);
  }

  @Get()
  @ApiOperation({ summary: 'The contract drafted from a deal: ?origin=offer:<id> or tender:<id> (empty when none, or not yours)' })
  async byOrigin(@Query() q: OriginQuery, @CurrentPrincipal() p: Principal) {
    const [kind, id] = q.origin.toLowerCase().split(':') as ['offer' | 'tender', string];
    const contractId = contractIdFor(kind, id);
    const { state, version } = await loadContract(this.store, contractId);
    try {
      return [{ ...contractView(state, p, contractId), version }];
    } catch {
      return [];
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'The contract: terms and their hash, signatures, awaited signatures, call-offs, renewal' })
  async get(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal) {
    const { state, version } = await loadContract(this.store, id);
    return { ...contractView(state, p, id), version };
  }

  @Post(':id/amendments')
  @HttpCode(200)
  @ApiOperation({ summary: 'Amend the draft terms (a person of a party); every signature given so far is void' })
  amend(@Param('id', uuidParam) id: string, @Body() body: AmendContractRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    const { note, ...changes } = body;
    // Known from the directory's topic: an id that names no registered company is refused.
    if (changes.intermediaryId && !this.companies.isRegistered(changes.intermediaryId)) throw ContractErrors.unknownIntermediary(changes.intermediaryId);
    return this.run({ type: 'AmendContract', contractId: id, changes, note }, m, p);
  }

  @Post(':id/signatures')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign the current terms (or a pending renewal) for a role you hold and your company owes' })
  sign(@Param('id', uuidParam) id: string, @Body() body: SignContractRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'SignContract', contractId: id, ...body }, m, p);
  }

  @Post(':id/call-offs')
  @HttpCode(201)
  @ApiOperation({ summary: 'Order quantities (buyer procurement); each priced at the tier of the cumulative volume called off' })
  async callOff(@Param('id', uuidParam) id: string, @Body() body: PlaceCallOffRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    const callOffId = uuidV5(`call-off:${m.commandId}`);
    const view = await this.run({ type: 'PlaceCallOff', contractId: id, callOffId, lines: body.lines }, m, p);
    const placed = 'callOffs' in view ? view.callOffs.find((c) => c.callOffId === callOffId) : undefined;
    return { contractId: id, callOffId, ...placed, calledOff: 'calledOff' in view ? view.calledOff : {} };
  }

  @Post(':id/renew')
  @HttpCode(200)
  @ApiOperation({ summary: 'Propose a new end date; it takes effect once the same roles sign it again' })
  renew(@Param('id', uuidParam) id: string, @Body() body: RenewContractRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'ProposeRenewal', contractId: id, newEndDate: body.newEndDate }, m, p);
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @ApiOperation({ summary: "Terminate (a party's executive), with a reason" })
  terminate(@Param('id', uuidParam) id: string, @Body() body: ReasonRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'TerminateContract', contractId: id, reason: body.reason }, m, p);
  }
}
