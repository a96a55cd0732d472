import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConflictResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { uuidV5 } from '@dealledger/domain';
import { CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import { checkedCursor, CommandMeta, uuidParam, withNextLink } from '@dealledger/platform';
import { ExecuteLotCommand } from './lot.command-handler';
import type { LotSourceRef } from './lot.commands';
import type { LotState } from './lot.decider';
import { LotErrors } from './lot.errors';
import { LotListProjection } from './list/lot-list.projection';
import { ResaleListProjection } from './list/resale-list.projection';
import { LotListQueryDto, RecordLotRequest, ResaleListQueryDto, ResellRequest } from './lot.requests.dto';
import { loadLot } from './lot.stream';
import { provenance } from './provenance';

const MAX_HOPS = 50;

/** The lot as its owner sees it; others get 404. */
function lotView(state: LotState, viewer: Principal, lotId: string) {
  if (state.status !== 'recorded' || state.ownerId !== viewer.companyId) throw LotErrors.notFound(lotId);
  return state;
}

@ApiTags('resale')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried command with the same key has no second effect' })
@Controller()
export class LotHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: PostgresEventStore,
    private readonly lots: LotListProjection,
    private readonly resales: ResaleListProjection,
  ) {}

  @Post('lots')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Record a stock lot received under an executed contract you are the buyer of, or from a resale made to you',
    description:
      "From a contract: one lot per line of a received delivery, at most what was accepted on it, at the lowest matched invoice price (else the call-off line's price).",
  })
  @ApiNotFoundResponse({ description: 'The named source (contract, call-off, received delivery, resale) is not known' })
  @ApiConflictResponse({ description: 'The lot (that delivery line, that resale) is already recorded' })
  async record(@Body() body: RecordLotRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata, @Res({ passthrough: true }) res: Response) {
    // Ids in lower case, as the ledger writes them: a lot id derives from them, and `ABC…` must not make a second lot of `abc…`.
    const id = (v: string | null | undefined) => (v ? v.toLowerCase() : null);
    const s = body.source;
    const source: LotSourceRef =
      s.kind === 'contract'
        ? { kind: 'contract', contractId: id(s.contractId)!, callOffId: id(s.callOffId), deliveryId: id(s.deliveryId) }
        : { kind: 'resale', upstreamLotId: id(s.upstreamLotId)!, resaleId: id(s.resaleId)! };
    const lotId =
      source.kind === 'contract'
        ? // One lot per delivery line: recording it twice is a conflict, not a second lot (without a delivery the decider refuses it).
          uuidV5(`lot:delivery:${source.deliveryId ?? source.contractId}:${body.sku}`)
        : // One lot per resale: recording it twice is a conflict, not a second lot.
          uuidV5(`lot:resale:${source.resaleId}`);
    const { state } = await this.commands.execute(
      new ExecuteLotCommand({ type: 'RecordLot', lotId, source, sku: body.sku, quantity: body.quantity, unitCost: body.unitCost, currency: body.currency }, m),
    );
    res.location(`/lots/${lotId}`);
    return lotView(state, p, lotId);
  }

  @Get('lots')
  @ApiOperation({
    summary: 'Your stock by lot, newest first: quantity recorded and left, unit cost, source (call-off or resale), with filters and cursor pagination',
    description: 'Only lots you own. Pages never repeat or skip a lot while others are recorded or resold: follow `next` until it is null.',
  })
  async list(@Query() q: LotListQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    const inStock = q.inStock === undefined ? undefined : q.inStock === 'true';
    return withNextLink(req, await this.lots.page(p.companyId, { ...q, inStock, limit: q.limit ?? 50, after: checkedCursor(q.after) }));
  }

  @Get('resales')
  @ApiOperation({
    summary: 'Resales you made (as the seller) or received (as the buyer), newest first, with filters and cursor pagination',
    description:
      'The seller sees its unit cost, margin and what the lot had left; the buyer sees only what it bought and at what price, as provenance shows a hop to its parties.',
  })
  async listResales(@Query() q: ResaleListQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    return withNextLink(req, await this.resales.page(p.companyId, { ...q, limit: q.limit ?? 50, after: checkedCursor(q.after) }));
  }

  @Get('lots/:id')
  @ApiOperation({ summary: 'A lot: source, quantity, cost, what is left, its resales with margins (owner only)' })
  async get(@Param('id', uuidParam) id: string, @CurrentPrincipal() p: Principal) {
    return lotView(await loadLot(this.store, id), p, id);
  }

  @Post('lots/:id/resales')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Resell part of a lot to a downstream buyer; never more than is left (concurrent sales of the last units: one wins, the rest get 409)',
  })
  @ApiConflictResponse({ description: 'Not enough left in the lot' })
  async resell(@Param('id', uuidParam) id: string, @Body() body: ResellRequest, @CurrentPrincipal() p: Principal, @CommandMeta() m: CommandMetadata) {
    const resaleId = uuidV5(`resale:${m.commandId}`);
    const { state } = await this.commands.execute(
      new ExecuteLotCommand(
        {
          type: 'ResellFromLot',
          lotId: id,
          resaleId,
          buyerId: body.buyerId,
          quantity: body.quantity,
          unitPrice: body.unitPrice,
          downstreamContractId: body.downstreamContractId ?? null,
        },
        m,
      ),
    );
    const lot = lotView(state, p, id);
    return { ...lot.resales.find((r) => r.resaleId === resaleId)!, remaining: lot.remaining };
  }

  @Get('provenance/:lotId')
  @ApiOperation({ summary: 'The chain of a lot back to the original supplier and contract; each hop’s prices only to its own parties' })
  async provenance(@Param('lotId', uuidParam) lotId: string, @CurrentPrincipal() p: Principal) {
    const lots = [];
    let next: string | null = lotId;
    while (next && lots.length < MAX_HOPS) {
      const lot = await loadLot(this.store, next);
      if (lot.status !== 'recorded') break;
      lots.push(lot);
      next = lot.source.upstreamLotId;
    }
    const chain = lots.length ? provenance(lots, p.companyId) : null;
    if (!chain) throw LotErrors.notFound(lotId);
    return { lotId, ...chain };
  }
}
