import { INestApplication, Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { InputGuardPipe } from './input-guard.pipe';
import { initMetrics, PinoNestLogger, rootLogger, startTracing } from '@dealledger/telemetry';
import { RequestTelemetryMiddleware } from './metrics';
import { ProblemDetailsFilter } from './problem-details.filter';
import { correlationMiddleware } from './request-context';

export interface AppDescription {
  context: string;
  title: string;
  description: string;
}

/** Validation, problem+json errors, correlation ids, traces, metrics, access log and OpenAPI at /docs. */
export function configureApp(app: INestApplication, about: AppDescription): INestApplication {
  initMetrics();
  trustProxies(app);
  app.useGlobalPipes(new InputGuardPipe(), new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new ProblemDetailsFilter());
  const telemetry = new RequestTelemetryMiddleware();
  app.use(correlationMiddleware);
  app.use(telemetry.use.bind(telemetry));
  app.enableShutdownHooks();
  answerClientErrorsAsProblems(app);
  const config = new DocumentBuilder()
    .setTitle(about.title)
    .setDescription(about.description)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT (EdDSA)', description: 'from POST /auth/token on the directory' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

/**
 * TRUST_PROXY (Express's `trust proxy`: `loopback`, `uniquelocal`, addresses or CIDRs, a hop
 * count): requests from those addresses are taken to come from the first address of their
 * X-Forwarded-For, so per-address limits (token requests) count each person behind the console
 * or a load balancer, not the proxy. Unset: nobody's X-Forwarded-For is believed.
 */
function trustProxies(app: INestApplication): void {
  const trust = process.env.TRUST_PROXY?.trim();
  if (!trust) return;
  const express = app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void };
  express.set('trust proxy', /^\d+$/.test(trust) ? Number(trust) : trust === 'true' ? true : trust === 'false' ? false : trust);
}

/** Starts an app on HOST (127.0.0.1) and `<CONTEXT>_PORT` or PORT, else its default port. */
export async function runApp(module: unknown, about: AppDescription, defaultPort: number): Promise<INestApplication> {
  // Before the app opens its database (the pg driver is instrumented as it loads).
  startTracing(about.context);
  const logger = new PinoNestLogger(rootLogger(process.env.OTEL_SERVICE_NAME ?? `dealledger-${about.context}`));
  const app = await NestFactory.create(module as never, { logger });
  configureApp(app, about);
  const envName = `${about.context.toUpperCase().replace(/-/g, '_')}_PORT`;
  const port = Number(process.env[envName] ?? process.env.PORT ?? defaultPort);
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(port, host);
  new Logger(about.title).log(`listening on http://${host}:${port} (docs: /docs)`);
  return app;
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (headers too large, a malformed
 * request line) are answered as problem+json too, like every other error.
 */
function answerClientErrorsAsProblems(app: INestApplication): void {
  const server = app.getHttpServer() as import('node:http').Server;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: import('node:stream').Duplex & { _httpMessage?: unknown }) => {
    // As Node does: nothing to answer on a dead socket, nor in the middle of another response.
    if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage) {
      socket.destroy();
      return;
    }
    const [status, title, code, detail] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'request.headers_too_large', 'the request headers are too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'request.timeout', 'the request did not arrive in time']
          : [400, 'Bad Request', 'request.malformed', 'the request could not be parsed'];
    const body = JSON.stringify({ type: `urn:dealledger:problem:${code}`, title, status, detail, code });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
