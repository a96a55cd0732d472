import { BadRequestException, Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { isUuid, notFound } from '@dealledger/domain';
import { parseAsOf } from '../history/relationship.http.controller';
import { RelationshipQueries } from '../history/relationship.queries';
import { scorecard, SCORECARD_FORMULAS } from './scorecard';
import { uuidParam } from '@dealledger/platform';

@ApiTags('scorecards')
@ApiBearerAuth()
@Controller('scorecards')
export class ScorecardHttpController {
  constructor(private readonly queries: RelationshipQueries) {}

  @Get(':supplierId')
  @ApiOperation({
    summary: "A supplier's scorecard on the criteria buyers weigh (the five of a tender, and delivery), 0-10 each, for one buyer (?buyer=) or over all buyers",
    description: Object.entries(SCORECARD_FORMULAS)
      .map(([k, v]) => `${k}: ${v}`)
      .join('. '),
  })
  @ApiQuery({ name: 'buyer', required: false, description: 'One buyer: only that buyer and the supplier may ask' })
  @ApiQuery({ name: 'asOf', required: false })
  async get(
    @Param('supplierId', uuidParam) supplierId: string,
    @Query('buyer') buyer: string | undefined,
    @Query('asOf') asOf: string | undefined,
    @CurrentPrincipal() p: Principal,
  ) {
    if (buyer !== undefined && !isUuid(buyer)) throw new BadRequestException('buyer must be a company id (UUID)');
    if (buyer && p.companyId !== buyer && p.companyId !== supplierId)
      throw notFound('scorecard.not_found', 'a per-buyer scorecard is shown to that buyer and the supplier only');
    const at = parseAsOf(asOf);
    const events = await this.queries.companyEvents(supplierId, at);
    const names = await this.queries.names([supplierId, ...(buyer ? [buyer] : [])]);
    // An id the ledger has never heard of has no scorecard (rather than one of empty criteria).
    if (events.length === 0 && !names.has(supplierId)) throw notFound('scorecard.not_found', `no company ${supplierId} is known to the ledger`);
    // Scorecard detail is for the supplier and its counterparties: a rival comparing cards before
    // and after a tender it lost would otherwise learn what the card says of that tender.
    const counterparty = p.companyId === supplierId || (await this.queries.pairEvents(supplierId, p.companyId)).length > 0;
    if (!counterparty) throw notFound('scorecard.not_found', `no scorecard of ${supplierId} for a company that has not dealt with it`);
    const card = scorecard(events, supplierId, buyer ?? null, at ? new Date(at) : new Date());
    return {
      ...card,
      supplierName: names.get(supplierId) ?? null,
      buyerName: buyer ? (names.get(buyer) ?? null) : null,
      asOf: at ?? null,
      formulas: SCORECARD_FORMULAS,
    };
  }
}
