import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { activeTraceIds } from './tracing';

/**
 * One structured logger for everything an app prints: Nest's own lines, the project's
 * `Logger` calls, HTTP requests and kafkajs. Each line carries the app, level, correlation id,
 * trace and span ids, and the tenant company when known. JSON unless `LOG_FORMAT=pretty` (or a
 * terminal is attached and LOG_FORMAT is unset): `npm start` asks for pretty lines.
 */
export interface LogFields {
  correlationId?: string;
  /** The company on whose behalf the work runs (the caller, or the event's actor). */
  companyId?: string;
}

const fields = new AsyncLocalStorage<LogFields>();

/** Runs `fn` with these fields on every line it logs (they may be filled in later, e.g. after sign-in). */
export function withLogFields<T>(values: LogFields, fn: () => T): T {
  return fields.run(values, fn);
}

/** The fields of the work in progress, to add to (the auth guard sets the company). */
export function currentLogFields(): LogFields | undefined {
  return fields.getStore();
}

let root: Logger | null = null;

function pretty(): boolean {
  const format = process.env.LOG_FORMAT;
  return format ? format === 'pretty' : Boolean(process.stdout.isTTY);
}

function createRoot(app: string): Logger {
  const options: pino.LoggerOptions = {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { app },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // What a line states itself wins over the ambient fields (no key twice in one line).
    mixinMergeStrategy: (line, ambient) => Object.assign(ambient, line),
    mixin() {
      const f = fields.getStore();
      return { ...(f?.correlationId ? { correlationId: f.correlationId } : {}), ...(f?.companyId ? { companyId: f.companyId } : {}), ...activeTraceIds() };
    },
  };
  if (pretty()) {
    try {
      // A development aid (not installed in the production image): JSON when it is missing.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const prettyStream = require('pino-pretty')({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
      return pino(options, prettyStream);
    } catch {
      /* fall through */
    }
  }
  return pino(options);
}

/** Whether an app set up its logger (tools and tests keep the libraries' own output). */
export function loggingConfigured(): boolean {
  return root !== null;
}

/** The app's logger (`app` names it on every line; set once, by the first call). */
export function rootLogger(app = process.env.OTEL_SERVICE_NAME ?? 'dealledger'): Logger {
  root ??= createRoot(app);
  return root;
}

/** Nest's LoggerService over pino: Nest passes the context (class name) as the last argument. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const params = [...rest];
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    // Nest's error(message, stack, context): the stack is the remaining string.
    const stack = level === 'error' && typeof params[0] === 'string' ? (params.shift() as string) : undefined;
    const extra = { ...(context ? { context } : {}), ...(stack ? { stack } : {}) };
    if (message instanceof Error) this.logger[level]({ ...extra, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...extra, ...(message as object) });
    else this.logger[level](extra, String(message));
  }
}

/** kafkajs's log lines, in the same stream: its `logCreator`. */
export function kafkaLogCreator() {
  const levels: Record<number, pino.Level> = { 1: 'error', 2: 'warn', 4: 'info', 5: 'debug' };
  return () =>
    ({ namespace, level, log }: { namespace: string; level: number; log: { message: string; [key: string]: unknown } }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...rest } = log;
      rootLogger()[levels[level] ?? 'info']({ context: `kafkajs.${namespace}`, ...rest }, message);
    };
}
