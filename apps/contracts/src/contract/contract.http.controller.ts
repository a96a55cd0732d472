import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { invalid, uuidV5 } from '@dealledger/domain';
import { CommandInput, CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import { checkedCursor, CommandMeta, DocumentErrors, Documents, KnownCompanies, sha256Param, uuidParam, withNextLink } from '@dealledger/platform';
import { ExecuteContractCommand } from './contract.command-handler';
import type { ContractCommandToPrepare } from './contract.commands';
import {
  AmendContractRequest,
  ContractListQueryDto,
  PlaceCallOffRequest,
  ReasonRequest,
  RenewContractRequest,
  SignContractRequest,
} from './contract.requests.dto';
import { contractView, loadContract } from './contract.stream';
import { contractIdFor, tenderDealId } from './drafting';
import { amendmentsOf } from './amendments';
import { attachedDocument } from './contract-documents';
import { ContractErrors } from './contract.errors';
import { ContractListProjection } from './list/contract-list.projection';

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
    private readonly list_: ContractListProjection,
    private readonly documents: Documents,
  ) {}

  private async run(command: CommandInput<ContractCommandToPrepare>, metadata: CommandMetadata, viewer: Principal) {
    const { state } = await this.commands.execute(new ExecuteContractCommand(command, metadata));
    return contractView(state, viewer, command.contractId);
  }

  @Get()
  @ApiOperation({
    summary:
      'Your contracts, newest first: those your company is a party to (buyer, supplier, or the intermediary the current terms name), drafts included, ' +
      'with filters, full-text search and cursor pagination',
    description:
      'Each row: parties and their roles, status, origin, period, currency and contract value, committed volume and the volume called off so far, ' +
      'and the signatures still owed while it is being signed. Pages never repeat or skip a contract while others are drafted or change: follow ' +
      '`next` until it is null. `origin=offer:<id>` (or `tender:<id>`) is the lookup of the contract drafted from one deal: an array of it, ' +
      'empty when there is none or it is not yours.',
  })
  async list(@Query() q: ContractListQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    if (q.origin?.includes(':')) return this.byOrigin(q, p);
    const origin = q.origin?.toLowerCase() as 'offer' | 'tender' | undefined;
    return withNextLink(req, await this.list_.page(p.companyId, { ...q, origin, limit: q.limit ?? 50, after: checkedCursor(q.after) }));
  }

  /** Read from the contract's stream, not the list: it answers as soon as the deal's event has drafted it. */
  private async byOrigin(q: ContractListQueryDto, p: Principal) {
    const { origin, ...others } = q;
    if (Object.values(others).some((v) => v !== undefined)) {
      throw invalid(
        'contract.origin_lookup',
        'origin=offer:<id> or tender:<id> looks up one contract and takes no other parameter; filter the list by origin=offer or tender',
      );
    }
    // The ids are UUIDs in any letter case; a lot id is the buyer's, kept as written.
    const [kind, id, , lotId] = origin!.split(':') as ['offer' | 'tender', string, string?, string?];
    const contractId = contractIdFor(kind.toLowerCase() as 'offer' | 'tender', tenderDealId(id.toLowerCase(), lotId ?? null));
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

  @Get(':id/amendments')
  @ApiOperation({ summary: 'Every amendment of the contract: by whom, when, its note, and each changed term before and after' })
  async amendments(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal) {
    const { state, events } = await loadContract(this.store, id);
    contractView(state, p, id);
    return { items: amendmentsOf(events) };
  }

  @Get(':id/documents/:sha256')
  @ApiOperation({ summary: "A document any version of the terms attached (the contract's parties only): the exact bytes, as a download" })
  async document(@Param('id', uuidParam) id: string, @Param('sha256', sha256Param) sha256: string, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    const { state, events } = await loadContract(this.store, id);
    contractView(state, p, id);
    const ref = attachedDocument(
      events.map((e) => e.event),
      sha256,
    );
    if (!ref) throw DocumentErrors.notFound(sha256);
    await this.documents.send(res, ref);
  }

  @Post(':id/amendments')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Amend the draft terms (a person of a party); every signature given so far is void. `documents` replaces the attached list: ' +
      'one already attached stays as recorded, a new one must be an upload of your company (POST /documents)',
  })
  amend(@Param('id', uuidParam) id: string, @Body() body: AmendContractRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    const { note, payment, ...rest } = body;
    // A structured term given without a discount has none (null, as the event records it).
    const changes = payment === undefined ? rest : { ...rest, payment: payment && { daysNet: payment.daysNet, earlyPayment: payment.earlyPayment ?? null } };
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
