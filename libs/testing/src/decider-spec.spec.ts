import { conflict, Decider, invalid } from '@dealledger/domain';
import { deciderSpec } from './decider-spec';

type Event = { type: 'Counted'; data: { by: number; note?: string } };
type Command = { type: 'Count'; by: number } | { type: 'Explode' };

/** A counter that refuses zero and anything past ten. */
const counter: Decider<number, Command, Event> = {
  initialState: 0,
  evolve: (n, e) => n + e.data.by,
  decide(c, n) {
    if (c.type === 'Explode') throw new TypeError('a bug, not a refusal');
    if (c.by === 0) throw invalid('count.zero', 'counting zero');
    if (n + c.by > 10) throw conflict('count.too_far', 'past ten');
    return [{ type: 'Counted', data: { by: c.by } }];
  },
};
const { given, history } = deciderSpec(counter);
const counted = (by: number): Event => ({ type: 'Counted', data: { by } });

describe('deciderSpec', () => {
  it('folds the history into the state', () => {
    expect(given([counted(2), counted(3)]).state).toBe(5);
  });

  it('passes on the events emitted, compared as stored (key order and undefined properties do not count)', () => {
    given([])
      .when({ type: 'Count', by: 2 })
      .then([counted(2)]);
    given([])
      .when({ type: 'Count', by: 2 })
      .then([{ data: { note: undefined, by: 2 }, type: 'Counted' }]);
    expect(given([]).when({ type: 'Count', by: 2 })).toMatchObject({ events: [counted(2)], error: null });
  });

  it('fails on other events, on fewer or more, and on a refusal where events were expected', () => {
    expect(() =>
      given([])
        .when({ type: 'Count', by: 2 })
        .then([counted(3)]),
    ).toThrow(/expected events/);
    expect(() => given([]).when({ type: 'Count', by: 2 }).then([])).toThrow(/but got/);
    expect(() =>
      given([])
        .when({ type: 'Count', by: 2 })
        .then([counted(2), counted(2)]),
    ).toThrow(/but got/);
    expect(() => given([]).when({ type: 'Count', by: 0 }).then([])).toThrow(/refused: invalid:count.zero/);
  });

  it('passes on the refusal named by kind and code, or by code alone', () => {
    const outcome = given([counted(9)]).when({ type: 'Count', by: 2 });
    expect(outcome).toMatchObject({ events: [], error: 'conflict:count.too_far' });
    outcome.thenThrows('conflict:count.too_far');
    outcome.thenThrows('count.too_far');
  });

  it('fails on another code, another kind, or no refusal at all', () => {
    const outcome = given([counted(9)]).when({ type: 'Count', by: 2 });
    expect(() => outcome.thenThrows('count.zero')).toThrow(/expected refusal count.zero but got conflict:count.too_far/);
    expect(() => outcome.thenThrows('invalid:count.too_far')).toThrow(/but got conflict:count.too_far/);
    expect(() => given([]).when({ type: 'Count', by: 1 }).thenThrows('count.zero')).toThrow(/but got events/);
  });

  it('lets anything but a refusal through: a bug is not an outcome', () => {
    expect(() => given([]).when({ type: 'Explode' })).toThrow(TypeError);
  });

  it('says so when an outcome is awaited like a promise', async () => {
    // What `await` or a test returning it does: resolving a promise with it calls its `then`.
    await expect(new Promise((resolve) => resolve(given([]).when({ type: 'Count', by: 1 })))).rejects.toThrow(/not a promise/);
  });

  it('runs a history of commands, each on the events so far, and stops at a refusal', () => {
    expect(history({ type: 'Count', by: 4 }, { type: 'Count', by: 5 })).toEqual([counted(4), counted(5)]);
    expect(() => history({ type: 'Count', by: 6 }, { type: 'Count', by: 5 })).toThrow('Count: conflict:count.too_far');
  });
});
