import { BadRequestException, Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { notFound } from '@dealledger/domain';
import { describe } from './describe';
import { RelationshipQueries } from './relationship.queries';
import { summarize } from './summary';
import { asSeenBy } from './visibility';
import { uuidParam } from '@dealledger/platform';

export function parseAsOf(asOf?: string): string | undefined {
  if (asOf === undefined) return undefined;
  const t = Date.parse(asOf);
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(asOf);
  // Date.parse rolls 2026-02-30 over into March: the calendar date must be the one written.
  const real = date && !Number.isNaN(t) && new Date(Date.UTC(+date[1], +date[2] - 1, +date[3])).toISOString().startsWith(date[0]);
  if (!real) throw new BadRequestException('asOf must be an ISO 8601 time such as 2027-03-01T00:00:00Z');
  return new Date(t).toISOString();
}

/** A caller sees only relationships its own company is part of; others get 404. */
function mustBeParty(viewer: Principal, a: string, b: string) {
  if (viewer.companyId !== a && viewer.companyId !== b) throw notFound('relationship.not_found', `no relationship between ${a} and ${b} that you are part of`);
}

@ApiTags('relationships')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'Not a relationship your company is part of (problem+json)' })
@Controller('relationships')
export class RelationshipHttpController {
  constructor(private readonly queries: RelationshipQueries) {}

  @Get(':a/:b')
  @ApiOperation({
    summary: 'Summary of everything between two companies, optionally as it stood at a past time',
    description:
      'since, offers made/accepted/rejected/withdrawn/expired, tenders invited/bid/won/lost, contracts executed and their value per currency, renewals, ' +
      'volume and value called off, resales (and those through intermediaries), tickets opened/resolved/closed, SLA compliance % (deadlines met / deadlines due, each once), average satisfaction.',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO 8601 time: the summary as it stood then (business time of the events)' })
  async summary(@Param('a', uuidParam) a: string, @Param('b', uuidParam) b: string, @Query('asOf') asOf: string | undefined, @CurrentPrincipal() p: Principal) {
    mustBeParty(p, a, b);
    const at = parseAsOf(asOf);
    const events = asSeenBy(await this.queries.pairEvents(a, b, at), p.companyId);
    const names = await this.queries.names([a, b]);
    return {
      companies: [a, b].map((id) => ({ companyId: id, name: names.get(id) ?? null })),
      asOf: at ?? null,
      summary: summarize(events, [a, b]),
    };
  }

  @Get(':a/:b/timeline')
  @ApiOperation({ summary: 'Every event that concerns both companies, in order, each with a one-line summary (deals through an intermediary included)' })
  @ApiQuery({ name: 'asOf', required: false })
  async timeline(
    @Param('a', uuidParam) a: string,
    @Param('b', uuidParam) b: string,
    @Query('asOf') asOf: string | undefined,
    @CurrentPrincipal() p: Principal,
  ) {
    mustBeParty(p, a, b);
    const events = asSeenBy(await this.queries.pairEvents(a, b, parseAsOf(asOf)), p.companyId);
    const names = await this.queries.names([...new Set(events.flatMap((e) => e.parties))]);
    const name = (id: string) => names.get(id) ?? id.slice(0, 8);
    return {
      companies: [a, b],
      items: events.map((e) => ({
        occurredAt: e.occurredAt,
        context: e.context,
        type: e.type,
        streamId: e.streamId,
        eventId: e.eventId,
        parties: e.parties,
        summary: describe(e, name),
      })),
    };
  }
}
