import { Controller, Get, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppDescription, MetricsController } from '@dealledger/platform';
import { AssetsController } from './assets.controller';
import { ProxyController } from './proxy.controller';

export const CONSOLE: AppDescription = {
  context: 'console',
  title: 'Deal Ledger console',
  description: 'The web console: a single-page application and a same-origin gateway to the apps, each of which checks the caller’s token itself.',
};

@ApiTags('operations')
@Controller('health')
class HealthController {
  @Get()
  health() {
    return { status: 'ok', context: CONSOLE.context };
  }
}

/**
 * Everything the page may load comes from this origin (the bundle is built from npm packages:
 * no CDN), and no other site may frame it.
 */
function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  next();
}

@Module({ controllers: [HealthController, MetricsController, ProxyController, AssetsController] })
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(securityHeaders).forRoutes('*');
  }
}
