import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { uuidV5 } from '@dealledger/domain';
import { CommandInput, CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import { checkedCursor, CommandMeta, DocumentErrors, DocumentRefInput, Documents, sha256Param, uuidParam, withNextLink } from '@dealledger/platform';
import { ReasonRequest } from '../common.dto';
import { ExecuteOfferCommand } from './offer.command-handler';
import type { OfferCommand } from './offer.commands';
import { quote } from './offer.decider';
import { OfferListProjection } from './list/offer-list.projection';
import { AcceptOfferRequest, CounterOfferRequest, DraftOfferRequest, OfferListQueryDto, QuoteQuery, ReviseOfferRequest } from './offer.requests.dto';
import { loadOffer, offerView } from './offer.stream';

/**
 * Supplier offers: draft, submit, negotiate over numbered revisions, accept at the volume tier
 * price, reject, withdraw. Only the two parties see an offer; others get 404.
 */
@ApiTags('offers')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried command with the same key has no second effect' })
@ApiNotFoundResponse({ description: 'No such offer that you are a party to (problem+json)' })
@Controller('offers')
export class OfferHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: PostgresEventStore,
    private readonly list_: OfferListProjection,
    private readonly documents: Documents,
  ) {}

  private async run(command: CommandInput<OfferCommand>, metadata: CommandMetadata) {
    return (await this.commands.execute(new ExecuteOfferCommand(command, metadata))).state;
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Draft an offer to a buyer (as the supplier): items with volume price tiers, validity, terms' })
  async draft(@Body() body: DraftOfferRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    // Derived from the command id, so a retried request (same Idempotency-Key) finds the same offer.
    const offerId = uuidV5(`offer:${m.commandId}`);
    const state = await this.run({ type: 'DraftOffer', offerId, supplierId: p.companyId, ...body }, m);
    const id = state.status === 'none' ? offerId : state.offerId;
    res.location(`/offers/${id}`);
    return state;
  }

  @Get()
  @ApiOperation({
    summary: 'Your offers, newest first: sent (as the supplier) and received (as the buyer, once submitted), with filters and cursor pagination',
    description: 'Pages never repeat or skip an offer while others are drafted or change: follow `next` until it is null.',
  })
  async list(@Query() q: OfferListQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    return withNextLink(req, await this.list_.page(p.companyId, { ...q, limit: q.limit ?? 50, after: checkedCursor(q.after) }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'The offer: status, current revision, earlier revisions, counters, outcome' })
  async get(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal) {
    const { state, version, updatedAt } = await loadOffer(this.store, id);
    return { ...offerView(state, p, id), version, updatedAt };
  }

  @Get(':id/quote')
  @ApiOperation({ summary: 'Which tier applies at a quantity, its unit price and the total' })
  async quote(@Param('id', uuidParam) id: string, @Query() q: QuoteQuery, @CurrentPrincipal() p: Principal) {
    const { state } = await loadOffer(this.store, id);
    return { offerId: id, quotes: quote(offerView(state, p, id), q.quantity, q.sku) };
  }

  @Get(':id/documents/:sha256')
  @ApiOperation({ summary: "A document attached to the offer, as a download (the offer's parties; the buyer once it is submitted)" })
  async document(@Param('id', uuidParam) id: string, @Param('sha256', sha256Param) sha256: string, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    const { state } = await loadOffer(this.store, id);
    const document = offerView(state, p, id).documents.find((d) => d.sha256 === sha256);
    if (!document) throw DocumentErrors.notFound(sha256);
    await this.documents.send(res, document);
  }

  @Post(':id/documents')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Attach a document your company uploaded (POST /documents) to the open offer (a person of the supplier): at most 20, each once',
  })
  @ApiForbiddenResponse({ description: 'Not a person of the supplier' })
  @ApiConflictResponse({ description: 'The offer is closed or past its validity, already holds 20 documents, or holds this one' })
  async attach(@Param('id', uuidParam) id: string, @Body() body: DocumentRefInput, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    const [document] = await this.documents.resolve([body], p.companyId);
    return this.run({ type: 'AttachOfferDocument', offerId: id, document }, m);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit the draft to the buyer (supplier)' })
  @ApiConflictResponse({ description: 'Not a draft, or past its validity' })
  submit(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'SubmitOffer', offerId: id }, m);
  }

  @Post(':id/counter')
  @HttpCode(200)
  @ApiOperation({ summary: 'Propose other prices or quantities (buyer)' })
  counter(@Param('id', uuidParam) id: string, @Body() body: CounterOfferRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'CounterOffer', offerId: id, ...body }, m);
  }

  @Post(':id/revise')
  @HttpCode(200)
  @ApiOperation({ summary: 'Issue the next numbered revision (supplier); earlier revisions stay in the history' })
  revise(@Param('id', uuidParam) id: string, @Body() body: ReviseOfferRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'ReviseOffer', offerId: id, ...body }, m);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept quantities at the tier prices that apply (a buyer person with the procurement role)' })
  @ApiForbiddenResponse({ description: 'Not the buyer, or no procurement role' })
  accept(@Param('id', uuidParam) id: string, @Body() body: AcceptOfferRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'AcceptOffer', offerId: id, revision: body.revision, quantities: body.quantities }, m);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject with a reason (buyer)' })
  reject(@Param('id', uuidParam) id: string, @Body() body: ReasonRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'RejectOffer', offerId: id, reason: body.reason }, m);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw the offer (supplier)' })
  withdraw(@Param('id', uuidParam) id: string, @Body() body: ReasonRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'WithdrawOffer', offerId: id, reason: body.reason }, m);
  }
}
