import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PostgresEventStore } from '@dealledger/event-store';
import { IdempotentConsumer } from '@dealledger/messaging';
import { contextGroupId, inboundConsumer } from './inbound';
import { ConsumerRegistry, DATA_SOURCE, KAFKA, PRODUCER } from './ledger.module';

@Injectable()
class Greeter {
  readonly seen: string[] = [];
}

describe('inboundConsumer', () => {
  it('builds the consumer with the schema and the providers its handlers need, and registers it', async () => {
    const TestInbound = inboundConsumer({
      name: 'TestInbound',
      groupId: () => contextGroupId('test'),
      topics: () => ['dealledger.offers.events'],
      inject: [Greeter],
      handlers: (schema, greeter) => ({ handlers: { OfferAccepted: async () => void greeter.seen.push(schema) } }),
    });
    const added: IdempotentConsumer[] = [];
    const moduleRef = await Test.createTestingModule({
      providers: [
        TestInbound,
        Greeter,
        { provide: ConsumerRegistry, useValue: { add: (c: IdempotentConsumer) => added.push(c) } },
        { provide: DATA_SOURCE, useValue: {} },
        { provide: KAFKA, useValue: {} },
        { provide: PRODUCER, useValue: {} },
        { provide: PostgresEventStore, useValue: { schema: 'ctx_schema' } },
      ],
    }).compile();

    const inbound = moduleRef.get(TestInbound);
    expect(TestInbound.name).toBe('TestInbound');
    expect(inbound.consumer).toBeInstanceOf(IdempotentConsumer);
    expect(added).toEqual([inbound.consumer]);
    const options = (
      inbound.consumer as unknown as {
        options: { groupId: string; topics: string[]; schema: string; handlers: Record<string, (e: unknown, tx: unknown) => Promise<void>> };
      }
    ).options;
    expect(options).toMatchObject({ groupId: `${process.env.TOPIC_PREFIX || 'dealledger'}.test`, topics: ['dealledger.offers.events'], schema: 'ctx_schema' });
    await options.handlers.OfferAccepted({}, {});
    expect(moduleRef.get(Greeter).seen).toEqual(['ctx_schema']);
  });
});
