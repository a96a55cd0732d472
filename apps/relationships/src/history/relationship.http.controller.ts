import { BadRequestException, Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { invalid, notFound } from '@dealledger/domain';
import { describe } from './describe';
import { RelationshipQueries } from './relationship.queries';
import { emptyTally, summarize, summaryOf } from './summary';
import { pairKey } from './pairs';
import { CounterpartyQueryDto } from './relationship.requests.dto';
import { asSeenBy } from './visibility';
import { byTime } from './timeline-event';
import { uuidParam, withNextLink } from '@dealledger/platform';
import type { Request } from 'express';

export function parseAsOf(asOf?: string): string | undefined {
  if (asOf === undefined) return undefined;
  const t = Date.parse(asOf);
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(asOf);
  // Date.parse rolls 2026-02-30 over into March: the calendar date must be the one written.
  const real = date && !Number.isNaN(t) && new Date(Date.UTC(+date[1], +date[2] - 1, +date[3])).toISOString().startsWith(date[0]);
  if (!real) throw new BadRequestException('asOf must be an ISO 8601 time such as 2027-03-01T00:00:00Z');
  return new Date(t).toISOString();
}

/** A counterparties cursor: the sort key and counterparty of the last row seen. */
function decodeKeyCursor(cursor: string): { key: string; id: string } {
  try {
    const { k, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; id?: unknown };
    // Keys are times or zero-padded figures, ids UUIDs: nothing else (no control characters) reaches SQL.
    if (typeof k === 'string' && typeof id === 'string' && /^[0-9A-Za-z:.+-]{0,40}$/.test(k) && /^[0-9a-f-]{36}$/.test(id)) return { key: k, id };
  } catch {
    // falls through to the refusal
  }
  throw invalid('list.bad_cursor', 'after must be a cursor from a previous page');
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

  @Get('counterparties')
  @ApiOperation({
    summary: "Your company's counterparties with the summary of each relationship, sorted by a figure (largest or latest first), cursor-paged",
    description:
      'sort: lastActivity (default), value (contracts executed, in `currency`), sla (compliance %), events. Figures are as your company sees the relationship, as in GET /relationships/:a/:b.',
  })
  async counterparties(@Query() q: CounterpartyQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    if (q.sort === 'value' && !q.currency)
      throw invalid('relationships.currency_required', 'sort=value needs currency (contract values are kept per currency)');
    const after = q.after === undefined ? undefined : decodeKeyCursor(q.after);
    const { rows, more } = await this.queries.counterparties(p.companyId, {
      sort: q.sort ?? 'lastActivity',
      currency: q.currency ?? 'EUR',
      limit: q.limit ?? 50,
      after,
    });
    const names = await this.queries.names(rows.map((r) => r.counterparty));
    const last = rows[rows.length - 1];
    return withNextLink(req, {
      items: rows.map((r) => ({ companyId: r.counterparty, name: names.get(r.counterparty) ?? null, summary: r.summary })),
      next: more && last ? Buffer.from(JSON.stringify({ k: last.key, id: last.counterparty })).toString('base64url') : null,
    });
  }

  @Get(':a/:b')
  @ApiOperation({
    summary: 'Summary of everything between two companies, optionally as it stood at a past time',
    description:
      'since, offers made/accepted/rejected/withdrawn/expired, tenders invited/bid/won/lost, contracts executed and their value per currency, renewals, ' +
      'volume and value called off, resales (and those through intermediaries), tickets opened/resolved/closed, SLA compliance % (deadlines met / deadlines due, each once), average satisfaction, ' +
      'fulfilment (deliveries dispatched/received, on time % and exact %, goods received/accepted/rejected and rejection rate %, invoices issued/matched/disputed/withdrawn/paid/paid late, match accuracy % and value per currency).',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO 8601 time: the summary as it stood then (business time of the events)' })
  async summary(@Param('a', uuidParam) a: string, @Param('b', uuidParam) b: string, @Query('asOf') asOf: string | undefined, @CurrentPrincipal() p: Principal) {
    mustBeParty(p, a, b);
    const at = parseAsOf(asOf);
    const pair = pairKey(a, b);
    // Now: the tally kept per event. As of a past time: folded from the events up to then.
    const summary =
      at === undefined
        ? ((await this.queries.summary(a, b, p.companyId)) ?? summaryOf(emptyTally()))
        : summarize(asSeenBy(await this.queries.pairEvents(a, b, at), p.companyId), pair);
    const names = await this.queries.names([a, b]);
    return {
      companies: [a, b].map((id) => ({ companyId: id, name: names.get(id) ?? null })),
      asOf: at ?? null,
      summary,
    };
  }

  @Get(':a/:b/timeline')
  @ApiOperation({
    summary: 'Every event that concerns both companies, in order, each with a one-line summary (deals through an intermediary included)',
    description:
      'A seller also sees its own touches with the other company (context `accounts`, type `TouchRecorded`, from its account plans) in their place; the other company never does.',
  })
  @ApiQuery({ name: 'asOf', required: false })
  async timeline(
    @Param('a', uuidParam) a: string,
    @Param('b', uuidParam) b: string,
    @Query('asOf') asOf: string | undefined,
    @CurrentPrincipal() p: Principal,
  ) {
    mustBeParty(p, a, b);
    const at = parseAsOf(asOf);
    const deals = asSeenBy(await this.queries.pairEvents(a, b, at), p.companyId);
    const touches = a === b ? [] : await this.queries.touches(p.companyId, p.companyId === a ? b : a, at);
    const events = [...deals, ...touches].sort(byTime);
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
