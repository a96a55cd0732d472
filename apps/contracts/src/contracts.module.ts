import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DEADLINE_MIGRATIONS, LedgerModule } from '@dealledger/platform';
import { ContractCommandHandler, ContractDocumentsResolver } from './contract/contract.command-handler';
import { ContractHttpController } from './contract/contract.http.controller';
import { ContractList1737400000000, ContractListDecimalVolumes1764500000000, ContractListProjection } from './contract/list/contract-list.projection';
import { CONTRACTS_CLOCK, ExpireContractsScheduler } from './contract/expiry/expire-contracts.scheduler';
import { ContractsInbound } from './inbound/contracts-inbound';
import { DraftContractWhenOfferAccepted } from './inbound/draft-contract-when-offer-accepted.kafka-handler';
import { DraftContractWhenTenderAwarded } from './inbound/draft-contract-when-tender-awarded.kafka-handler';

export const CONTRACTS = {
  context: 'contracts',
  title: 'Deal Ledger — contracts',
  description:
    'Contracts drafted from accepted offers and awarded tenders (learnt from dealledger.offers.events), signed by the required roles on the exact terms, ' +
    'amended, called off at volume tier prices, renewed, terminated. Events go to dealledger.contracts.events.',
};

@Module({
  imports: [
    CqrsModule.forRoot(),
    LedgerModule.forContext({
      context: CONTRACTS.context,
      documents: true,
      migrations: [...DEADLINE_MIGRATIONS, ContractList1737400000000, ContractListDecimalVolumes1764500000000],
    }),
  ],
  controllers: [ContractHttpController],
  providers: [
    ContractCommandHandler,
    ContractDocumentsResolver,
    DraftContractWhenOfferAccepted,
    DraftContractWhenTenderAwarded,
    ContractsInbound,
    ExpireContractsScheduler,
    ContractListProjection,
    { provide: CONTRACTS_CLOCK, useValue: () => new Date() },
  ],
})
export class ContractsModule {}
