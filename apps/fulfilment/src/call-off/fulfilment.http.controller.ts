import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { uuidV5 } from '@dealledger/domain';
import { CommandInput, CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import { CommandMeta, DATA_SOURCE, DocumentErrors, DocumentRefInput, Documents, sha256Param, uuidParam } from '@dealledger/platform';
import { ExecuteFulfilmentCommand } from './fulfilment.command-handler';
import type { FulfilmentCommandToPrepare } from './fulfilment.commands';
import { DispatchRequest, InvoiceRequest, PayRequest, ReceiptRequest, WithdrawRequest } from './fulfilment.requests.dto';
import { callOffDocument, findCallOff, fulfilmentView, loadFulfilment } from './fulfilment.stream';

const refs = (documents: DocumentRefInput[] = []) => documents.map(({ sha256, name }) => ({ sha256, name }));

/** After the call-off: the supplier dispatches and invoices, the buyer receives, inspects and pays. */
@ApiTags('fulfilment')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried command with the same key has no second effect' })
@ApiNotFoundResponse({ description: 'No such call-off (delivery, invoice) that you are a party to (problem+json)' })
@Controller('call-offs/:callOffId')
export class FulfilmentHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: PostgresEventStore,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly documents: Documents,
  ) {}

  private async run(command: CommandInput<FulfilmentCommandToPrepare>, m: CommandMetadata, p: Principal) {
    const { state } = await this.commands.execute(new ExecuteFulfilmentCommand(command, m));
    const callOff = await findCallOff(this.db, this.store.schema, command.callOffId);
    return fulfilmentView(callOff, state, p, command.callOffId, m.now);
  }

  @Get()
  @ApiOperation({
    summary:
      "The call-off's fulfilment: per line ordered, dispatched, in transit, received, accepted, rejected and invoiced; deliveries; invoices with their match and whether they are overdue",
  })
  async get(@Param('callOffId', uuidParam) callOffId: string, @CurrentPrincipal() p: Principal) {
    const [callOff, { state, version }] = await Promise.all([findCallOff(this.db, this.store.schema, callOffId), loadFulfilment(this.store, callOffId)]);
    return { ...fulfilmentView(callOff, state, p, callOffId, new Date()), version };
  }

  @Get('documents/:sha256')
  @ApiOperation({ summary: "A document on one of the call-off's deliveries or receipts, for either party (a download)" })
  async document(
    @Param('callOffId', uuidParam) callOffId: string,
    @Param('sha256', sha256Param) sha256: string,
    @CurrentPrincipal() p: Principal,
    @Res() res: Response,
  ) {
    const [callOff, { state }] = await Promise.all([findCallOff(this.db, this.store.schema, callOffId), loadFulfilment(this.store, callOffId)]);
    const ref = callOffDocument(callOff, state, p, callOffId, sha256);
    if (!ref) throw DocumentErrors.notFound(sha256);
    await this.documents.send(res, ref);
  }

  @Post('deliveries')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Dispatch advice (a person of the supplier): lines, batch and serial numbers, carrier, expected arrival, documents (delivery note, certificates); partial deliveries welcome',
  })
  dispatch(
    @Param('callOffId', uuidParam) callOffId: string,
    @Body() body: DispatchRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const deliveryId = uuidV5(`delivery:${m.commandId}`);
    res.location(`/call-offs/${callOffId}#delivery-${deliveryId}`);
    const lines = body.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, batch: l.batch ?? null, serialNumbers: l.serialNumbers ?? [] }));
    const command = { type: 'DispatchDelivery' as const, callOffId, deliveryId, lines, carrier: body.carrier, trackingNumber: body.trackingNumber ?? null };
    return this.run({ ...command, expectedArrival: body.expectedArrival, documents: refs(body.documents) }, m, p);
  }

  @Post('deliveries/:deliveryId/receipt')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Goods receipt (a person of the buyer): per line received and accepted after inspection, the rest rejected with a reason; optionally a service ticket for the rejected goods and documents (inspection report)',
  })
  receive(
    @Param('callOffId', uuidParam) callOffId: string,
    @Param('deliveryId', uuidParam) deliveryId: string,
    @Body() body: ReceiptRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    const lines = body.lines.map((l) => ({ sku: l.sku, received: l.received, accepted: l.accepted, reason: l.reason ?? null }));
    return this.run({ type: 'ReceiveGoods', callOffId, deliveryId, lines, ticket: body.ticket ?? null, documents: refs(body.documents) }, m, p);
  }

  @Post('invoices')
  @HttpCode(201)
  @ApiOperation({
    summary:
      "Invoice (a person of the supplier): each line is three-way matched (price ≤ the call-off's tier price, quantity ≤ accepted and not yet invoiced); the due date follows from the contract's payment terms",
  })
  invoice(
    @Param('callOffId', uuidParam) callOffId: string,
    @Body() body: InvoiceRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const invoiceId = uuidV5(`invoice:${m.commandId}`);
    res.location(`/call-offs/${callOffId}#invoice-${invoiceId}`);
    return this.run(
      { type: 'IssueInvoice', callOffId, invoiceId, number: body.number, currency: body.currency, lines: body.lines, dueDate: body.dueDate ?? null },
      m,
      p,
    );
  }

  @Post('invoices/:invoiceId/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw an unpaid invoice (supplier), e.g. a disputed one, to issue a corrected one' })
  withdraw(
    @Param('callOffId', uuidParam) callOffId: string,
    @Param('invoiceId', uuidParam) invoiceId: string,
    @Body() body: WithdrawRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    return this.run({ type: 'WithdrawInvoice', callOffId, invoiceId, reason: body.reason }, m, p);
  }

  @Post('invoices/:invoiceId/pay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record payment of a matched invoice (buyer): the amount payable today, less the early-payment discount while it runs' })
  pay(
    @Param('callOffId', uuidParam) callOffId: string,
    @Param('invoiceId', uuidParam) invoiceId: string,
    @Body() body: PayRequest,
    @CurrentPrincipal() p: Principal,
    @CommandMeta() m: CommandMetadata,
  ) {
    return this.run({ type: 'PayInvoice', callOffId, invoiceId, amount: body.amount }, m, p);
  }
}
