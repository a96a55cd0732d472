/**
 * The peer for `npm run bench:dual-write`: POST /offers written the way most NestJS services
 * write a command that other services must hear about. A class-validator DTO, a TypeORM entity
 * saved, then a kafkajs send (with the ledger's producer settings): the dual write. Nothing ties the send to the save, so a process
 * that dies between them has saved an offer nobody hears of.
 *
 * To compare like with like, it verifies the ledger's bearer tokens the same way (kept once
 * verified) and takes `Idempotency-Key` as careful services do: the key is unique, and a retry
 * answers with the saved offer, without sending again.
 *
 *   PEER_PORT, PEER_SCHEMA (its table: <schema>.offers), PEER_TOPIC; KAFKA_* and DATABASE_URL as for the apps.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Headers,
  Inject,
  Injectable,
  Module,
  Post,
  Req,
  UnauthorizedException,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsIn, IsISO8601, IsNumberString, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { Column, CreateDateColumn, DataSource, Entity, PrimaryColumn, QueryFailedError, Repository } from 'typeorm';
import type { Producer } from 'kafkajs';
import { loadSigningKeys, Principal, VerifiedTokens } from '@dealledger/auth';
import { DEFAULT_DATABASE_URL } from '@dealledger/event-store';
import { createKafka, createProducer } from '@dealledger/messaging';

@Entity({ name: 'offers' })
class Offer {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'request_key', unique: true }) requestKey!: string;
  @Column('uuid', { name: 'supplier_id' }) supplierId!: string;
  @Column('uuid', { name: 'buyer_id' }) buyerId!: string;
  @Column('jsonb') items!: ItemDto[];
  @Column('timestamptz', { name: 'valid_until' }) validUntil!: Date;
  @Column('text', { name: 'payment_terms' }) paymentTerms!: string;
  @Column('text', { name: 'delivery_terms' }) deliveryTerms!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

class TierDto {
  @IsNumberString() minQuantity!: string;
  @IsNumberString() unitPrice!: string;
}

class ItemDto {
  @IsString() @MaxLength(100) sku!: string;
  @IsIn(['component', 'raw_material', 'service']) kind!: string;
  @IsString() @MaxLength(500) description!: string;
  @IsString() @MaxLength(20) unit!: string;
  @IsString() @MaxLength(3) currency!: string;
  @ValidateNested({ each: true }) @Type(() => TierDto) @ArrayMinSize(1) tiers!: TierDto[];
}

class OfferDto {
  @IsUUID() buyerId!: string;
  @ValidateNested({ each: true }) @Type(() => ItemDto) @ArrayMinSize(1) items!: ItemDto[];
  @IsISO8601() validUntil!: string;
  @IsString() @MaxLength(200) paymentTerms!: string;
  @IsString() @MaxLength(200) deliveryTerms!: string;
}

const PRODUCER = 'PRODUCER';
const tokens = new VerifiedTokens(loadSigningKeys().publicKeys);

@Injectable()
class BearerGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string>; principal?: Principal }>();
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    try {
      req.principal = tokens.verify(token ?? '').principal;
      return true;
    } catch {
      throw new UnauthorizedException();
    }
  }
}

const view = (o: Offer) => ({ offerId: o.id, supplierId: o.supplierId, buyerId: o.buyerId, validUntil: new Date(o.validUntil).toISOString(), status: 'draft' });

@Controller()
class OffersController {
  private readonly offers: Repository<Offer>;
  constructor(
    dataSource: DataSource,
    @Inject(PRODUCER) private readonly producer: Producer,
  ) {
    this.offers = dataSource.getRepository(Offer);
  }

  @Get('health')
  health() {
    return { status: 'up', context: 'peer' };
  }

  @Post('offers')
  @UseGuards(BearerGuard)
  async create(@Body() dto: OfferDto, @Headers('idempotency-key') key: string | undefined, @Req() req: { principal: Principal }) {
    const principal = req.principal;
    const requestKey = key ? `${principal.companyId}:${key}` : randomUUID();
    const existing = key ? await this.offers.findOneBy({ requestKey }) : null;
    if (existing) return view(existing);
    const offer = this.offers.create({ id: randomUUID(), requestKey, supplierId: principal.companyId, ...dto, validUntil: new Date(dto.validUntil) });
    try {
      await this.offers.save(offer);
    } catch (err) {
      // The same key saved at once by another request: answer with that one.
      if (err instanceof QueryFailedError && (err as unknown as { code?: string }).code === '23505')
        return view(await this.offers.findOneByOrFail({ requestKey }));
      throw err;
    }
    // The second write, outside the first's transaction.
    await this.producer.send({
      topic: process.env.PEER_TOPIC!,
      acks: -1,
      messages: [{ key: offer.id, value: JSON.stringify({ type: 'OfferDrafted', data: { offerId: offer.id, ...dto, supplierId: principal.companyId } }) }],
    });
    return view(offer);
  }
}

async function main() {
  const schema = process.env.PEER_SCHEMA!;
  const dataSource = new DataSource({
    type: 'postgres',
    url: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    schema,
    entities: [Offer],
    synchronize: false,
    extra: { max: 20 },
  });
  await dataSource.initialize();
  // The ledger's producer settings (idempotent, acks=all, one request in flight), so that only the write path differs.
  const producer = createProducer(createKafka('peer'));
  await producer.connect();

  @Module({
    controllers: [OffersController],
    providers: [
      { provide: DataSource, useValue: dataSource },
      { provide: PRODUCER, useValue: producer },
    ],
  })
  class PeerModule {}

  const app = await NestFactory.create(PeerModule, { logger: ['error', 'warn'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: false }));
  await app.listen(Number(process.env.PEER_PORT), '127.0.0.1');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
