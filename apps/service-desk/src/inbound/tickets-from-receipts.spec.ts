import type { CommandBus } from '@nestjs/cqrs';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { EventEnvelope, GoodsReceivedV1 } from '@dealledger/events';
import { OpenTicketWhenGoodsReceived, rejectionTicketDescription, ticketIdForReceipt } from './tickets-from-receipts.kafka-handler';

const buyer = 'b0b0b0b0-0000-4000-8000-000000000001';
const receiver = '00000000-0000-4000-8000-000000000010';
const eventId = 'e0e0e0e0-0000-4000-8000-000000000005';
const data = (over: Partial<GoodsReceivedV1> = {}): GoodsReceivedV1 => ({
  callOffId: 'ca11ca11-0000-4000-8000-000000000006',
  contractId: 'c0c0c0c0-0000-4000-8000-000000000003',
  buyerId: buyer,
  supplierId: '5a5a5a5a-0000-4000-8000-000000000002',
  deliveryId: 'de11de11-0000-4000-8000-000000000007',
  lines: [
    { sku: 'HU-10IN', unit: 'H87', dispatched: '10', received: '10', accepted: '7', rejected: '3', reason: 'cracked housing' },
    { sku: 'CAB-2M', unit: 'H87', dispatched: '5', received: '5', accepted: '5', rejected: '0', reason: null },
  ],
  receivedBy: receiver,
  receivedAt: '2027-05-03T08:00:00.000Z',
  expectedArrival: '2027-05-03T00:00:00.000Z',
  onTime: true,
  ticket: { severity: 'major', sku: 'HU-10IN', description: 'Housings crack in transit' },
  documents: [],
  ...over,
});
const envelope = (d: GoodsReceivedV1) =>
  ({ id: eventId, type: 'GoodsReceived', occurredAt: d.receivedAt, correlationId: 'corr-1', data: d }) as EventEnvelope<GoodsReceivedV1>;
const queryRunner = {} as QueryRunner;
const tx = { queryRunner } as EntityManager;

function handlerWithBus() {
  const execute = jest.fn().mockResolvedValue(undefined);
  return { handler: new OpenTicketWhenGoodsReceived({ execute } as unknown as CommandBus), execute };
}

describe('rejectionTicketDescription', () => {
  it("adds the rejected quantity, unit and reason of the ticket's line and the delivery to the buyer's words", () => {
    const d = data();
    expect(rejectionTicketDescription(d, d.ticket!)).toBe(
      'Housings crack in transit\n\nAt receipt of delivery de11de11-0000-4000-8000-000000000007: 3 H87 of HU-10IN rejected (reason: cracked housing).',
    );
  });
});

describe('OpenTicketWhenGoodsReceived', () => {
  it('opens the ticket as the receiving buyer person, in the consumer transaction, with ids from the event', async () => {
    const { handler, execute } = handlerWithBus();
    await handler.handle(envelope(data()), tx);
    const [{ command, metadata, queryRunner: used }] = execute.mock.calls[0];
    expect(command).toEqual({
      type: 'OpenTicket',
      ticketId: ticketIdForReceipt(eventId),
      contractId: 'c0c0c0c0-0000-4000-8000-000000000003',
      sku: 'HU-10IN',
      severity: 'major',
      description: expect.stringContaining('3 H87 of HU-10IN rejected (reason: cracked housing)'),
    });
    expect(metadata).toEqual({
      commandId: `open-ticket:${eventId}`,
      now: new Date('2027-05-03T08:00:00.000Z'),
      requester: { companyId: buyer, personId: receiver, roles: [] },
      correlationId: 'corr-1',
      causationId: eventId,
    });
    expect(used).toBe(queryRunner);
  });

  it('derives the same ticket id on a redelivery', async () => {
    const { handler, execute } = handlerWithBus();
    await handler.handle(envelope(data()), tx);
    await handler.handle(envelope(data()), tx);
    expect(execute.mock.calls[1][0].command.ticketId).toBe(execute.mock.calls[0][0].command.ticketId);
    expect(execute.mock.calls[1][0].metadata.commandId).toBe(execute.mock.calls[0][0].metadata.commandId);
  });

  it('does nothing when the buyer asked for no ticket', async () => {
    const { handler, execute } = handlerWithBus();
    await handler.handle(envelope(data({ ticket: null })), tx);
    expect(execute).not.toHaveBeenCalled();
  });
});
