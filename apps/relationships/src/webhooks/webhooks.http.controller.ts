import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { DeliveriesQueryDto, RegisterWebhookDto, ReplayWebhookDto } from './webhooks.requests.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksHttpController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: "Register an endpoint for your company's feed; the answer holds its signing secret, shown only this once",
    description:
      'Each delivery is a POST of `{deliveryId, endpointId, cursor, redacted, asRecorded, event}` signed in the `DealLedger-Signature` header ' +
      '(`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`). Deliveries go one at a time in feed order; a failed one is retried ' +
      'with doubling waits and dead-lettered after the last attempt, and the next one goes out.',
  })
  register(@Body() body: RegisterWebhookDto, @CurrentPrincipal() p: Principal) {
    return this.webhooks.register(p, body);
  }

  @Get()
  @ApiOperation({ summary: "Your company's endpoints with their delivery status" })
  list(@CurrentPrincipal() p: Principal) {
    return this.webhooks.list(p);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An endpoint: counts of deliveries per status, the one pending, its cursor' })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal) {
    return this.webhooks.get(p, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "An endpoint's deliveries, newest first: status, attempts, last answer or error" })
  deliveries(@Param('id', ParseUUIDPipe) id: string, @Query() q: DeliveriesQueryDto, @CurrentPrincipal() p: Principal) {
    return this.webhooks.deliveries(p, id, { status: q.status, limit: q.limit ?? 50 });
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deliver again from a feed cursor (retries dead-lettered deliveries too)' })
  replay(@Param('id', ParseUUIDPipe) id: string, @Body() body: ReplayWebhookDto, @CurrentPrincipal() p: Principal) {
    return this.webhooks.replay(p, id, body.after);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop delivering to an endpoint' })
  async remove(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal) {
    await this.webhooks.remove(p, id);
  }
}
