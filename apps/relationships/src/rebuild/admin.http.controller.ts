import { Controller, Get, Headers, HttpCode, Inject, Injectable, Logger, Post, UnauthorizedException } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { Public } from '@dealledger/auth';
import { PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE, KAFKA } from '@dealledger/platform';
import { activeGeneration, digestOf } from '../projection/generations';
import { sourceTopics } from '../projection/relationships-inbound';
import { RebuildReport, RelationshipsRebuild } from './rebuild';

/** ADMIN_KEY guards the operator routes; without it, outside production, a development key. */
function adminKey(): string {
  if (process.env.ADMIN_KEY) return process.env.ADMIN_KEY;
  if (process.env.NODE_ENV === 'production') throw new Error('ADMIN_KEY must be set in production');
  return 'dev-admin-key';
}

@Injectable()
export class RebuildService {
  readonly rebuild: RelationshipsRebuild;

  constructor(@Inject(DATA_SOURCE) readonly db: DataSource, @Inject(KAFKA) kafka: Kafka, readonly store: PostgresEventStore) {
    this.rebuild = new RelationshipsRebuild(db, kafka, store.schema, sourceTopics, process.env.RELATIONSHIPS_GROUP_ID ?? `${process.env.TOPIC_PREFIX || 'dealledger'}.relationships`);
  }
}

@ApiTags('operations')
@ApiHeader({ name: 'X-Admin-Key', required: true, description: 'ADMIN_KEY' })
@Controller('admin')
export class AdminHttpController {
  private readonly key: string;

  constructor(private readonly service: RebuildService) {
    this.key = adminKey();
    if (!process.env.ADMIN_KEY) new Logger('Admin').warn('ADMIN_KEY is not set: admin routes take the development key');
  }

  private check(given?: string) {
    const a = Buffer.from(given ?? '');
    const b = Buffer.from(this.key);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new UnauthorizedException('X-Admin-Key is missing or wrong');
  }

  @Public()
  @Post('rebuild')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay every topic from offset 0 into fresh tables while queries answer from the live ones, then swap; reports both digests' })
  rebuild(@Headers('x-admin-key') key?: string): Promise<RebuildReport> {
    this.check(key);
    return this.service.rebuild.run();
  }

  @Public()
  @Get('digest')
  @ApiOperation({ summary: 'sha256 over every row of the live read tables' })
  async digest(@Headers('x-admin-key') key?: string) {
    this.check(key);
    const gen = await activeGeneration(this.service.db, this.service.store.schema);
    return { generation: gen, ...(await digestOf(this.service.db, this.service.store.schema, gen)) };
  }
}
