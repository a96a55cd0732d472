import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { withNextLink } from '@dealledger/platform';
import { checkedInboxCursor } from './inbox';
import { InboxQueries } from './inbox.queries';
import { InboxQueryDto } from './inbox.requests.dto';

@ApiTags('inbox')
@ApiBearerAuth()
@Controller('inbox')
export class InboxHttpController {
  constructor(private readonly inbox: InboxQueries) {}

  @Get()
  @ApiOperation({
    summary: 'What waits for you or your company, most urgent first (due time, soonest first, none last; then oldest first), cursor-paged',
    description:
      'answer_offer and revise_offer (before the offer expires), submit_bid (invited, until you bid or the deadline passes), close_tender, evaluate_bid, ' +
      'award_tender, answer_clarification and resolve_complaint (procurement; an annulled award is to be made anew, a question is answerable until the deadline, a complaint about a provisional award waits until resolved), sign_contract and sign_renewal (only for the signing roles you hold), acknowledge_ticket and resolve_ticket (SLA due times). ' +
      'Each item links to its resource and says why it is there; it leaves when the action is done or the resource expires, is withdrawn, cancelled or closed. ' +
      'Kept from the events of every context: an action just taken may show for a moment longer.',
  })
  async list(@Query() q: InboxQueryDto, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    const after = checkedInboxCursor(q.after);
    return withNextLink(req, await this.inbox.page(p, { kind: q.kind, limit: q.limit ?? 50, after, now: new Date().toISOString() }));
  }
}
