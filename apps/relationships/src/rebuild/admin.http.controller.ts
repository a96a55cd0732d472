import { Controller, Get, Headers, HttpCode, Inject, Injectable, Logger, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { adminKey, checkAdminKey, Public } from '@dealledger/auth';
import { invalid } from '@dealledger/domain';
import { PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE, KAFKA } from '@dealledger/platform';
import { activeGeneration, digestOf } from '../projection/generations';
import { sourceTopics } from '../projection/relationships-inbound';
import { RebuildReport, RelationshipsRebuild } from './rebuild';

export { adminKey } from '@dealledger/auth';

@Injectable()
export class RebuildService {
  readonly rebuild: RelationshipsRebuild;

  constructor(
    @Inject(DATA_SOURCE) readonly db: DataSource,
    @Inject(KAFKA) kafka: Kafka,
    readonly store: PostgresEventStore,
  ) {
    this.rebuild = new RelationshipsRebuild(
      db,
      kafka,
      store.schema,
      sourceTopics,
      process.env.RELATIONSHIPS_GROUP_ID ?? `${process.env.TOPIC_PREFIX || 'dealledger'}.relationships`,
    );
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
    checkAdminKey(given, this.key);
  }

  @Public()
  @Post('rebuild')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Replay every topic from offset 0 into fresh tables while queries answer from the live ones, then swap if both digests are equal; ' +
      '409 with both digests if they differ (the new tables are kept as rejected for inspection)',
  })
  @ApiQuery({ name: 'force', required: false, enum: ['true', 'false'], description: 'swap even when the digests differ' })
  rebuild(@Headers('x-admin-key') key?: string, @Query('force') force?: string): Promise<RebuildReport> {
    this.check(key);
    // Read as text: the global pipe would turn any word but "true" into false, and a typo must not run a rebuild.
    if (force !== undefined && force !== 'true' && force !== 'false') throw invalid('rebuild.invalid_force', `force must be true or false, not "${force}"`);
    return this.service.rebuild.run({ force: force === 'true' });
  }

  @Public()
  @Get('digest')
  @ApiOperation({
    summary:
      'Row counts and an order-independent sum of 64-bit hashes (PostgreSQL hashtextextended) of every row of the live read tables, ' +
      'over every column that comes from events, jsonb as canonical text',
  })
  async digest(@Headers('x-admin-key') key?: string) {
    this.check(key);
    const gen = await activeGeneration(this.service.db, this.service.store.schema);
    return { generation: gen, ...(await digestOf(this.service.db, this.service.store.schema, gen)) };
  }
}
