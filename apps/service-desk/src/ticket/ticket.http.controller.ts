import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { uuidV5 } from '@dealledger/domain';
import { CommandInput, CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import { checkedCursor, CommandMeta, DocumentErrors, DocumentRefInput, Documents, sha256Param, uuidParam, withNextLink } from '@dealledger/platform';
import { ExecuteTicketCommand } from './ticket.command-handler';
import type { TicketCommandToPrepare } from './ticket.commands';
import { TicketListProjection } from './list/ticket-list.projection';
import { CloseRequest, NoteRequest, OpenTicketRequest, ReopenRequest, ResolveRequest, TicketListQueryDto } from './ticket.requests.dto';
import { loadTicket, ticketDocument, ticketHistory, ticketView } from './ticket.stream';

/** Technical service under contracts: the buyer opens and closes, the supplier responds and resolves; SLA clocks run. */
@ApiTags('tickets')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried command with the same key has no second effect' })
@ApiNotFoundResponse({ description: 'No such ticket that you are a party to (problem+json)' })
@Controller('tickets')
export class TicketHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: PostgresEventStore,
    private readonly list_: TicketListProjection,
    private readonly documents: Documents,
  ) {}

  private async run(command: CommandInput<TicketCommandToPrepare>, m: CommandMetadata, p: Principal) {
    const { state } = await this.commands.execute(new ExecuteTicketCommand(command, m));
    return ticketView(state, p, command.ticketId);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: "Open a ticket under an executed contract (a person of the buyer); response and resolution deadlines come from the contract's SLA" })
  async open(@Body() body: OpenTicketRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    const ticketId = uuidV5(`ticket:${m.commandId}`);
    res.location(`/tickets/${ticketId}`);
    return this.run({ type: 'OpenTicket', ticketId, contractId: body.contractId, sku: body.sku, severity: body.severity, description: body.description }, m, p);
  }

  @Get()
  @ApiOperation({
    summary:
      'Your tickets, newest first: opened (as the buyer) and to answer (as the supplier), each with its running SLA deadlines and breaches; filters and cursor pagination',
    description: 'Pages never repeat or skip a ticket while others are opened or move on: follow `next` until it is null.',
  })
  async list(@Query() q: TicketListQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    const breached = q.breached === undefined ? undefined : q.breached === 'true';
    return withNextLink(req, await this.list_.page(p.companyId, { ...q, breached, limit: q.limit ?? 50, after: checkedCursor(q.after) }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'The ticket, its deadlines, any SLA breaches and the documents attached' })
  async get(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal) {
    const { state, version } = await loadTicket(this.store, id);
    return { ...ticketView(state, p, id), version };
  }

  @Get(':id/history')
  @ApiOperation({ summary: "The ticket's history: each step, when, by whom (person id), and what it said (resolution, note, reason, rating)" })
  async history(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal) {
    const { state, events } = await loadTicket(this.store, id);
    const view = ticketView(state, p, id);
    return { items: ticketHistory(events, p.companyId === view.supplierId ? 'supplier' : 'buyer') };
  }

  @Post(':id/documents')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Attach a document as evidence (a person of either party, until the ticket is closed): one your company uploaded with POST /documents; at most 20 per ticket, each content once (409)',
  })
  attach(
    @Param('id', uuidParam) id: string,
    @Body() body: DocumentRefInput,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    res.location(`/tickets/${id}/documents/${body.sha256}`);
    return this.run({ type: 'AttachTicketDocument', ticketId: id, document: { sha256: body.sha256, name: body.name } }, m, p);
  }

  @Get(':id/documents/:sha256')
  @ApiOperation({ summary: 'A document attached to the ticket, for either party (a download)' })
  async document(@Param('id', uuidParam) id: string, @Param('sha256', sha256Param) sha256: string, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    const { state } = await loadTicket(this.store, id);
    const ref = ticketDocument(state, p, id, sha256);
    if (!ref) throw DocumentErrors.notFound(sha256);
    await this.documents.send(res, ref);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiOperation({ summary: 'First response (a person of the supplier)' })
  acknowledge(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'AcknowledgeTicket', ticketId: id }, m, p);
  }

  @Post(':id/escalate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Escalate (supplier)' })
  escalate(@Param('id', uuidParam) id: string, @Body() body: NoteRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'EscalateTicket', ticketId: id, note: body.note }, m, p);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve (supplier, after the first response)' })
  resolve(@Param('id', uuidParam) id: string, @Body() body: ResolveRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'ResolveTicket', ticketId: id, resolution: body.resolution }, m, p);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopen a resolved ticket (buyer); the resolution clock runs again' })
  reopen(@Param('id', uuidParam) id: string, @Body() body: ReopenRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'ReopenTicket', ticketId: id, reason: body.reason }, m, p);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close a resolved ticket with a satisfaction score 1-5 (buyer)' })
  close(@Param('id', uuidParam) id: string, @Body() body: CloseRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    return this.run({ type: 'CloseTicket', ticketId: id, satisfaction: body.satisfaction, comment: body.comment ?? null }, m, p);
  }
}
