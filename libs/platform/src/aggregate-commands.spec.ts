import { Inject, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Decider, Requester } from '@dealledger/domain';
import { CommandContext, CommandInput, CommandMetadata, PostgresEventStore } from '@dealledger/event-store';
import { aggregateCommands, CommandPreparer } from './aggregate-commands';

// A toy aggregate over a real catalog event, so the handler's schema check applies.
interface Add {
  type: 'Add';
  companyId: string;
  amount: number;
  now: Date;
  requester: Requester;
}
type CounterEvent = { type: 'CompanyVerified'; data: { companyId: string; note: string } };
type Counter = { total: number };

const decider: Decider<Counter, Add, CounterEvent> = {
  initialState: { total: 0 },
  evolve: (s, e) => ({ total: s.total + Number(e.data.note.split(' ')[0]) }),
  decide: (c) => [{ type: 'CompanyVerified', data: { companyId: c.companyId, note: `${c.amount} at ${c.now.toISOString()} by ${c.requester.companyId}` } }],
};
const amounts = (events: CounterEvent[]) => events.map((e) => Number(e.data.note.split(' ')[0]));
const c1 = '33333333-3333-4333-8333-333333333333';

/** Stands in for the store: a stream is a list; append checks nothing. */
function memoryStore() {
  const streams = new Map<string, { id: string; type: string; data: unknown; metadata: unknown }[]>();
  return {
    streams,
    schema: 'test',
    readStream: async (id: string) => streams.get(id) ?? [],
    append: async (id: string, expected: number, events: { id: string; type: string; data: unknown; metadata: unknown }[]) => {
      streams.set(id, [...(streams.get(id) ?? []), ...events]);
      return { nextExpectedVersion: expected + events.length, noop: false };
    },
  };
}

const requester = { companyId: '11111111-1111-4111-8111-111111111111', personId: '22222222-2222-4222-8222-222222222222', roles: ['procurement'] };
const metadata = (commandId: string): CommandMetadata => ({ commandId, now: new Date('2026-01-02T03:04:05Z'), requester, correlationId: 'corr' });

const FACTOR = Symbol('FACTOR');
type AddSent = CommandInput<Omit<Add, 'amount'> & { units: number }>;

/** Completes the command from the state the handler loaded and an injected value. */
@Injectable()
class AmountFromUnits implements CommandPreparer<Counter, AddSent, Add> {
  constructor(@Inject(FACTOR) private readonly factor: number) {}
  prepare({ units, ...command }: AddSent, state: Counter, context: CommandContext): CommandInput<Add> {
    expect(context.requester).toBe(requester);
    return { ...command, amount: units * this.factor + state.total };
  }
}

describe('aggregateCommands', () => {
  it('gives the decider time and requester from the metadata and answers with state, events, version', async () => {
    const { ExecuteCommand, Handler } = aggregateCommands({ name: 'Counter', decider, streamId: (c) => `counter-${c.companyId}`, parties: () => [] });
    const store = memoryStore();
    const moduleRef = await Test.createTestingModule({ providers: [Handler, { provide: PostgresEventStore, useValue: store }] }).compile();
    const handler = moduleRef.get(Handler);

    const result = await handler.execute(new ExecuteCommand({ type: 'Add', companyId: c1, amount: 2 }, metadata('cmd-1')));

    expect(result).toEqual({
      state: { total: 2 },
      events: [{ type: 'CompanyVerified', data: { companyId: c1, note: `2 at 2026-01-02T03:04:05.000Z by ${requester.companyId}` } }],
      version: 1,
      replayed: false,
    });
    // The events' actor is the requester's company and person, not the roles it acted with.
    expect(store.streams.get(`counter-${c1}`)![0].metadata).toMatchObject({
      occurredAt: new Date('2026-01-02T03:04:05Z'),
      actor: { companyId: requester.companyId, personId: requester.personId },
    });
    expect((store.streams.get(`counter-${c1}`)![0].metadata as { actor: object }).actor).not.toHaveProperty('roles');
  });

  it('answers a retried command with what it recorded the first time, writing nothing', async () => {
    const { ExecuteCommand, Handler } = aggregateCommands({ name: 'Counter', decider, streamId: (c) => `counter-${c.companyId}`, parties: () => [] });
    const store = memoryStore();
    const handler = (await Test.createTestingModule({ providers: [Handler, { provide: PostgresEventStore, useValue: store }] }).compile()).get(Handler);
    const first = await handler.execute(new ExecuteCommand({ type: 'Add', companyId: c1, amount: 2 }, metadata('cmd-1')));
    const again = await handler.execute(new ExecuteCommand({ type: 'Add', companyId: c1, amount: 5 }, metadata('cmd-1')));
    expect(again).toEqual({ ...first, replayed: true });
    expect(store.streams.get(`counter-${c1}`)).toHaveLength(1);
  });

  it('lets a preparer complete the command on the loaded state, with the dependencies it is given', async () => {
    const { ExecuteCommand, Handler } = aggregateCommands({
      name: 'Counter',
      decider,
      streamId: (c) => `counter-${c.companyId}`,
      parties: () => [],
      preparer: AmountFromUnits,
    });
    const store = memoryStore();
    const moduleRef = await Test.createTestingModule({
      providers: [Handler, AmountFromUnits, { provide: FACTOR, useValue: 3 }, { provide: PostgresEventStore, useValue: store }],
    }).compile();
    const handler = moduleRef.get(Handler);
    await handler.execute(new ExecuteCommand({ type: 'Add', companyId: c1, units: 1 }, metadata('cmd-1')));
    const { state, events } = await handler.execute(new ExecuteCommand({ type: 'Add', companyId: c1, units: 2 }, metadata('cmd-2')));
    expect(amounts(events)).toEqual([6 + 3]);
    expect(state).toEqual({ total: 12 });
  });

  it('refuses to start when a named preparer is not provided', async () => {
    const { Handler } = aggregateCommands({
      name: 'Counter',
      decider,
      streamId: (c: AddSent) => `counter-${c.companyId}`,
      parties: () => [],
      preparer: AmountFromUnits,
    });
    await expect(Test.createTestingModule({ providers: [Handler, { provide: PostgresEventStore, useValue: memoryStore() }] }).compile()).rejects.toThrow(
      /AmountFromUnits/,
    );
  });
});
