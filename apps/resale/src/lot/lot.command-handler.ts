import { aggregateCommands } from '@dealledger/platform';
import { lotDecider, partiesOf } from './lot.decider';
import { lotStreamId } from './lot.stream';

/** Any lot command: load the lot stream, decide, append with the expected version (one retry on a conflict). */
export const { ExecuteCommand: ExecuteLotCommand, Handler: LotCommandHandler } = aggregateCommands({
  name: 'Lot',
  decider: lotDecider,
  streamId: (c) => lotStreamId(c.lotId),
  parties: partiesOf,
});
