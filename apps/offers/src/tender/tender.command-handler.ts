import { aggregateCommands } from '@dealledger/platform';
import { partiesOf, tenderDecider } from './tender.decider';
import { tenderStreamId } from './tender.stream';

/** Any tender command: load the tender stream, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteTenderCommand, Handler: TenderCommandHandler } = aggregateCommands({
  name: 'Tender',
  decider: tenderDecider,
  streamId: (c) => tenderStreamId(c.tenderId),
  parties: partiesOf,
});
