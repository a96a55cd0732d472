import { Inject, Injectable } from '@nestjs/common';
import type { CommandContext, CommandInput } from '@dealledger/event-store';
import { aggregateCommands, CommandPreparer } from '@dealledger/platform';
import { BID_SEAL_KEY, contentHash, unsealBid } from './bid-seal';
import type { TenderCommand, TenderCommandToPrepare } from './tender.commands';
import { partiesOf, tenderDecider, TenderState } from './tender.decider';
import { tenderStreamId } from './tender.stream';

/**
 * A close opens every current bid of the tender as the handler loaded it. Only the buyer's: anyone
 * else's close is refused by the decider, and no bid is decrypted for it.
 */
@Injectable()
export class TenderBidOpener implements CommandPreparer<TenderState, CommandInput<TenderCommandToPrepare>, TenderCommand> {
  constructor(@Inject(BID_SEAL_KEY) private readonly sealKey: Buffer) {}

  prepare(command: CommandInput<TenderCommandToPrepare>, state: TenderState, { requester }: CommandContext): CommandInput<TenderCommand> {
    if (command.type !== 'CloseTender') return command;
    const openedBids =
      state.status === 'open' && requester?.companyId === state.buyerId
        ? Object.entries(state.bids).map(([supplierId, b]) => {
            const content = unsealBid(b.sealed, this.sealKey);
            return { supplierId, bidId: b.bidId, contentHash: contentHash(content), prices: content.prices };
          })
        : [];
    return { ...command, openedBids };
  }
}

/** Any tender command: load the tender stream, open the bids for a close, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteTenderCommand, Handler: TenderCommandHandler } = aggregateCommands({
  name: 'Tender',
  decider: tenderDecider,
  streamId: (c) => tenderStreamId(c.tenderId),
  parties: partiesOf,
  preparer: TenderBidOpener,
});
