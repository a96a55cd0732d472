import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@dealledger/auth';
import { asyncApiDocument, eventCatalog } from '@dealledger/events';

let document: string | undefined;

/**
 * The event contract as AsyncAPI 3 (`GET /asyncapi.json`), from the catalog this build carries
 * and the topics this process publishes to (TOPIC_PREFIX), for consumers' tooling. Built on the
 * first request, then kept: the catalog does not change while the process runs.
 */
@ApiExcludeController()
@Controller()
export class AsyncApiController {
  @Public()
  @Get('asyncapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  asyncApi(): string {
    document ??= JSON.stringify(asyncApiDocument(eventCatalog, { version: ledgerVersion(), topicPrefix: process.env.TOPIC_PREFIX }));
    return document;
  }
}

/** The ledger's package.json version: the nearest one above this file, in the sources and in dist/ alike. */
function ledgerVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'deal-ledger' && pkg.version) return pkg.version;
    } catch {
      // none here: look further up
    }
    if (dirname(dir) === dir) return '0.0.0';
  }
}
