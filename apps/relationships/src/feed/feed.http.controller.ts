import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { FeedQueries } from './feed.queries';
import { FeedQueryDto } from './feed.requests.dto';

const HEARTBEAT_MS = 15000;
const streamSeconds = () => Number(process.env.FEED_STREAM_SECONDS ?? 60);

function drained(res: Response, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done);
  });
}

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
      "What your company may not see of an event (another hop's prices, other bidders, a draft offer) is cut out, with its hash, and `redacted` says so. " +
      '`asRecorded` is true when the event is exactly as recorded (its hash checks); an event recorded at an older schema version is given upcast, its hash covering the recorded form. ' +
      "Each stream's events come in stream order. Entries never change or move: keep `next` and ask again.",
  })
  async list(@Query() q: FeedQueryDto, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: Response) {
    const after = await this.feed.checkedAfter(p.companyId, q.after);
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
    let after = await this.feed.checkedAfter(p.companyId, lastEventId ?? q.after);
    const stop = new AbortController();
    res.on('close', () => stop.abort());
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    // Reconnect after a second: the stream ends after STREAM_SECONDS so that the token is checked
    // again (expiry, revoked key, removed person) when the client comes back with Last-Event-ID.
    res.write(': dealledger feed\nretry: 1000\n\n');
    const endAt = Date.now() + streamSeconds() * 1000;
    let quietSince = Date.now();
    while (!stop.signal.aborted && Date.now() < endAt) {
      const page = await this.feed.page(p.companyId, after, q.limit ?? 100, Math.min(1000, Math.max(0, endAt - Date.now())), stop.signal).catch(() => null);
      if (!page) break;
      for (const entry of page.entries) {
        // A reader slower than the feed: wait for it rather than buffer the feed in memory.
        if (!res.write(`id: ${entry.cursor}\nevent: ${entry.event.type}\ndata: ${JSON.stringify(entry)}\n\n`)) await drained(res, stop.signal);
      }
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
