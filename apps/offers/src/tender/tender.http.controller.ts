import { Body, Controller, Get, HttpCode, Inject, Param, PipeTransform, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { invalid, uuidV5 } from '@dealledger/domain';
import { LOT_ID } from '@dealledger/events';
import { CommandInput, CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import {
  checkedCursor,
  CommandMeta,
  DocumentErrors,
  DocumentRefInput,
  Documents,
  KnownCompanies,
  sha256Param,
  uuidParam,
  withNextLink,
} from '@dealledger/platform';
import { ReasonRequest } from '../common.dto';
import { BID_SEAL_KEY, sealBid } from './bid-seal';
import { ExecuteTenderCommand } from './tender.command-handler';
import type { TenderCommandToPrepare } from './tender.commands';
import { TenderBidListProjection } from './list/tender-bid-list.projection';
import { TenderListProjection } from './list/tender-list.projection';
import {
  AnswerRequest,
  AwardTenderRequest,
  ComplaintRequest,
  DEFAULT_PUBLIC_STANDSTILL_DAYS,
  ResolveComplaintRequest,
  NoticeListQueryDto,
  QuestionRequest,
  EvaluateBidRequest,
  InviteSuppliersRequest,
  OpenTenderRequest,
  SubmitBidRequest,
  TenderBidListQueryDto,
  TenderListQueryDto,
} from './tender.requests.dto';
import { loadTender, tenderView } from './tender.stream';
import { TenderErrors } from './tender.errors';

/** A lot id in a route: as LOT_ID says (400 problem+json otherwise). */
class LotIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!LOT_ID.test(value)) throw invalid('tender.unknown_lot', 'a lot id is 1 to 40 letters, digits, dots, dashes or underscores');
    return value;
  }
}

/**
 * Procurement tenders: open with weighted criteria, invite, sealed bids, close (bids opened
 * and price-scored), evaluate, award or cancel. Visible to the buyer and invited suppliers.
 */
@ApiTags('tenders')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried command with the same key has no second effect' })
@ApiNotFoundResponse({ description: 'No such tender that you are a party to (problem+json)' })
@Controller('tenders')
export class TenderHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: PostgresEventStore,
    @Inject(BID_SEAL_KEY) private readonly sealKey: Buffer,
    private readonly companies: KnownCompanies,
    private readonly list_: TenderListProjection,
    private readonly bids_: TenderBidListProjection,
    private readonly documents: Documents,
  ) {}

  private async run(command: CommandInput<TenderCommandToPrepare>, metadata: CommandMetadata, viewer: Principal) {
    const { state } = await this.commands.execute(new ExecuteTenderCommand(command, metadata));
    return tenderView(state, viewer, command.tenderId);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Open a tender (buyer): items, submission deadline, criteria weights summing to 100, public procurement or not' })
  async open(@Body() body: OpenTenderRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    // A public procurement binds a public body (government evaluator and signatory): a verified one.
    if (body.publicProcurement && !this.companies.isVerifiedPublicBody(p.companyId)) throw TenderErrors.publicProcurementNeedsPublicBody();
    const tenderId = uuidV5(`tender:${m.commandId}`);
    res.location(`/tenders/${tenderId}`);
    return this.run(
      {
        type: 'OpenTender',
        tenderId,
        buyerId: p.companyId,
        ...body,
        lots: body.lots ?? [],
        procedure: body.procedure ?? 'invited',
        standstillDays: body.standstillDays ?? (body.publicProcurement ? DEFAULT_PUBLIC_STANDSTILL_DAYS : 0),
      },
      m,
      p,
    );
  }

  @Get()
  @ApiOperation({
    summary: 'Your tenders, newest first: opened (as the buyer) and invited to (as a supplier), with filters, full-text search and cursor pagination',
    description:
      'A supplier sees a tender once invited, never who else was; the award as GET /tenders/:id shows it. ' +
      'Pages never repeat or skip a tender while others are opened or change: follow `next` until it is null.',
  })
  async list(@Query() q: TenderListQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    return withNextLink(req, await this.list_.page(p.companyId, { ...q, limit: q.limit ?? 50, after: checkedCursor(q.after) }));
  }

  // Before `:id`, which would take `notices` for a tender id.
  @Get('notices')
  @ApiOperation({
    summary: 'Published notices: open-procedure tenders still open for bids, newest first; any registered company may read them, ask and bid',
    description: 'GET /tenders/:id shows a notice in full (items, documents, answered questions). Follow `next` until it is null.',
  })
  async notices(@Query() q: NoticeListQueryDto, @Req() req: Request) {
    return withNextLink(req, await this.list_.notices({ limit: q.limit ?? 50, after: checkedCursor(q.after) }, new Date()));
  }

  // Before `:id`, which would take `bids` for a tender id.
  @Get('bids')
  @ApiOperation({
    summary: 'The bids your company submitted, newest first: submitted, replaced, withdrawn, and after the award won or lost',
    description: "Only your own bids, never another bidder's. Follow `next` until it is null.",
  })
  async bids(@Query() q: TenderBidListQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    return withNextLink(req, await this.bids_.page(p.companyId, { ...q, limit: q.limit ?? 50, after: checkedCursor(q.after) }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'The tender; bids stay sealed until it closes, then the ranking by weighted total is shown' })
  async get(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal) {
    const { state, version } = await loadTender(this.store, id);
    return { ...tenderView(state, p, id), version };
  }

  @Get(':id/documents/:sha256')
  @ApiOperation({
    summary:
      'A document attached to the tender, as a download (whoever may see the tender: the buyer and the invited suppliers; for an open notice, every registered company)',
  })
  async document(@Param('id', uuidParam) id: string, @Param('sha256', sha256Param) sha256: string, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    const { state } = await loadTender(this.store, id);
    const document = tenderView(state, p, id).documents.find((d) => d.sha256 === sha256);
    if (!document) throw DocumentErrors.notFound(sha256);
    await this.documents.send(res, document);
  }

  @Post(':id/documents')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Attach a document your company uploaded (POST /documents) to the tender before its deadline (a person of the buyer), for whoever may bid: at most 20, each once',
  })
  @ApiForbiddenResponse({ description: 'Not a person of the buyer' })
  @ApiConflictResponse({ description: 'The tender is no longer open or past its deadline, already holds 20 documents, or holds this one' })
  async attach(@Param('id', uuidParam) id: string, @Body() body: DocumentRefInput, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    const [document] = await this.documents.resolve([body], p.companyId);
    return this.run({ type: 'AttachTenderDocument', tenderId: id, document }, m, p);
  }

  @Post(':id/clarifications')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Ask the buyer a question before the deadline (a supplier who may bid: invited, or anyone in an open procedure); only the buyer learns who asked',
  })
  ask(@Param('id', uuidParam) id: string, @Body() body: QuestionRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'AskClarification', tenderId: id, clarificationId: uuidV5(`clarification:${m.commandId}`), question: body.question }, m, p);
  }

  @Post(':id/clarifications/:clarificationId/answer')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Answer a question before the deadline (a person of the buyer): question and answer are published to every supplier who may bid, without the asker',
  })
  answer(
    @Param('id', uuidParam) id: string,
    @Param('clarificationId', uuidParam) clarificationId: string,
    @Body() body: AnswerRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    return this.run({ type: 'AnswerClarification', tenderId: id, clarificationId, answer: body.answer }, m, p);
  }

  @Post(':id/complaints')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Complain about a provisional award during its standstill period (a person of a bidder whose opened bid lost); only the buyer sees it',
  })
  complain(@Param('id', uuidParam) id: string, @Body() body: ComplaintRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run(
      { type: 'FileComplaint', tenderId: id, complaintId: uuidV5(`complaint:${m.commandId}`), grounds: body.grounds, lotId: body.lotId ?? null },
      m,
      p,
    );
  }

  @Post(':id/complaints/:complaintId/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Resolve a complaint (a person of the buyer): upheld sets the award aside and the tender is closed again, to be awarded anew; dismissed lets it stand',
  })
  resolveComplaint(
    @Param('id', uuidParam) id: string,
    @Param('complaintId', uuidParam) complaintId: string,
    @Body() body: ResolveComplaintRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    return this.run({ type: 'ResolveComplaint', tenderId: id, complaintId, upheld: body.upheld, resolution: body.resolution }, m, p);
  }

  @Post(':id/invitations')
  @HttpCode(200)
  @ApiOperation({ summary: 'Invite suppliers (buyer); only invited suppliers can bid' })
  invite(@Param('id', uuidParam) id: string, @Body() body: InviteSuppliersRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'InviteSuppliers', tenderId: id, supplierIds: body.supplierIds }, m, p);
  }

  @Post(':id/bids')
  @HttpCode(200)
  @ApiOperation({ summary: "Submit (or replace) the caller's sealed bid before the deadline" })
  async bid(@Param('id', uuidParam) id: string, @Body() body: SubmitBidRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    const { sealed, contentHash: hash } = sealBid(body.prices, body.note ?? '', this.sealKey);
    const bidId = uuidV5(`bid:${m.commandId}`);
    const { events } = await this.commands.execute(
      new ExecuteTenderCommand({ type: 'SubmitBid', tenderId: id, bidId, prices: body.prices, sealed, contentHash: hash }, m),
    );
    // A retried request (same Idempotency-Key) answers with the bid recorded the first time, whose
    // hash is not the one just computed (each sealing draws a fresh nonce).
    const recorded = events.find((e) => e.type === 'BidSubmitted' && e.data.bidId === bidId);
    return { tenderId: id, supplierId: p.companyId, bidId, contentHash: recorded?.type === 'BidSubmitted' ? recorded.data.contentHash : hash, sealed: true };
  }

  @Post(':id/bids/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: "Withdraw the caller's bid before the deadline" })
  withdrawBid(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'WithdrawBid', tenderId: id }, m, p);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close at or after the deadline (buyer): every bid is opened, checked against its seal, and price-scored' })
  close(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'CloseTender', tenderId: id }, m, p);
  }

  @Post(':id/evaluations')
  @HttpCode(200)
  @ApiOperation({ summary: "Score a bid's quality, reputation, service and partnership 0-10 (a person of the buyer); several evaluators are averaged" })
  evaluate(@Param('id', uuidParam) id: string, @Body() body: EvaluateBidRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'EvaluateBid', tenderId: id, supplierId: body.supplierId, scores: body.scores }, m, p);
  }

  @Post(':id/award')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Award one evaluated bid (a buyer person with the procurement role): the whole tender, or one lot of a tender in lots',
    description: 'In a tender in lots each lot is awarded on its own, to the bid ranked on that lot alone; the tender is `awarded` once every lot is.',
  })
  award(@Param('id', uuidParam) id: string, @Body() body: AwardTenderRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'AwardTender', tenderId: id, supplierId: body.supplierId, lotId: body.lotId ?? null }, m, p);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel with a reason (buyer)' })
  cancel(@Param('id', uuidParam) id: string, @Body() body: ReasonRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'CancelTender', tenderId: id, reason: body.reason }, m, p);
  }

  @Post(':id/lots/:lotId/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Cancel one lot of a tender in lots that will not be awarded (no bid on it, or none the buyer can take); a buyer person with the procurement role. The tender is awarded once every lot is awarded or cancelled',
  })
  cancelLot(
    @Param('id', uuidParam) id: string,
    @Param('lotId', LotIdPipe) lotId: string,
    @Body() body: ReasonRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    return this.run({ type: 'CancelLot', tenderId: id, lotId, reason: body.reason }, m, p);
  }
}
