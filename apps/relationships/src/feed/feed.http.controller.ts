import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { checkedFeedCursor, FeedQueries } from './feed.queries';
import { FeedQueryDto } from './feed.requests.dto';

const HEARTBEAT_MS = 15000;

@ApiTags('feed')
@ApiBearerAuth()
@Controller('feed')
export class FeedHttpController {
  constructor(private readonly feed: FeedQueries) {}

  @Get()
  @ApiOperation({
    summary: "Your company's events, in the order the feed recorded them, resumable from a cursor (long poll with `wait`)",
    description:
      'Every event of every context in which your company is a party, with the Kafka envelope (data upcast to the newest schema version). ' +
      "What your company may not see of an event (another hop's prices, other bidders, a draft offer) is cut out, and `redacted` says so: " +
      "the envelope's `hash` covers the uncut event. Each stream's events come in stream order. Entries never change or move: keep `next` and ask again.",
  })
  async list(@Query() q: FeedQueryDto, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: Response) {
    const after = checkedFeedCursor(q.after);
    const stop = new AbortController();
    // The client went away: stop waiting for it (a request's own 'close' fires once its body is read).
    res.on('close', () => stop.abort());
    return this.feed.page(p.companyId, after, q.limit ?? 100, (q.wait ?? 0) * 1000, stop.signal);
  }

  @Get('stream')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: 'The same feed as server-sent events: `id` is the cursor (resume with `Last-Event-ID` or `after`), `data` the entry',
  })
  async stream(@Query() q: FeedQueryDto, @Headers('last-event-id') lastEventId: string | undefined, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    let after = checkedFeedCursor(lastEventId ?? q.after);
    const stop = new AbortController();
    res.on('close', () => stop.abort());
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write(': dealledger feed\n\n');
    let quietSince = Date.now();
    while (!stop.signal.aborted) {
      const page = await this.feed.page(p.companyId, after, q.limit ?? 100, 1000, stop.signal).catch(() => null);
      if (!page) break;
      for (const entry of page.entries) res.write(`id: ${entry.cursor}\nevent: ${entry.event.type}\ndata: ${JSON.stringify(entry)}\n\n`);
      after = page.next;
      if (page.entries.length) quietSince = Date.now();
      else if (Date.now() - quietSince >= HEARTBEAT_MS) {
        res.write(': still here\n\n');
        quietSince = Date.now();
      }
    }
    res.end();
  }
}
